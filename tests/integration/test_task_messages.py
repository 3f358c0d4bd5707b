"""Stage messages pushed by shared.task_messages are the ones kombu would have published,
and a real worker runs them (the running-stack tests drive every job through them)."""

from __future__ import annotations

import base64
import json
import os
from typing import Any

import pytest
from celery.exceptions import Retry
from celery.worker.request import Request
from kombu.transport.redis import Channel

from shared.celery_app import TASK_NAMES, create_celery
from shared.models import Job, JobOptions, Stage
from shared.redis_keys import connect
from shared.settings import BrokerSettings, Settings
from shared.task_messages import BATCH_PRIORITY, push, stage_message
from tests.conftest import ValkeyProcess
from tests.factories import wav_input_meta

pytestmark = pytest.mark.integration

# Fresh per message: ids, the delivery tag, and the producing process's name.
_PER_MESSAGE = {"id", "root_id", "correlation_id", "delivery_tag", "origin"}


def _job(job_id: str, batch_id: str | None = None) -> Job:
    return Job(
        id=job_id,
        options=JobOptions(),
        input=wav_input_meta(),
        batch_id=batch_id,
        batch_index=None if batch_id is None else 0,
    )


def _shape(raw: bytes) -> dict[str, Any]:
    message = json.loads(raw)
    return {
        "envelope": sorted(message),
        "content": (message["content-type"], message["content-encoding"]),
        "headers": {k: v for k, v in message["headers"].items() if k not in _PER_MESSAGE},
        "properties": {k: v for k, v in message["properties"].items() if k not in _PER_MESSAGE},
        "body": json.loads(base64.b64decode(message["body"])),
    }


def test_a_pushed_stage_message_matches_what_send_task_publishes(valkey: ValkeyProcess) -> None:
    app = create_celery(Settings(broker=BrokerSettings(url=valkey.url)))
    client = connect(valkey.url)

    app.send_task(TASK_NAMES[Stage.LLM], args=["job_1"], queue="llm")
    push(client, stage_message(app, Stage.LLM, _job("job_1")))

    ours, kombus = client.lrange("llm", 0, -1)  # LPUSH: the newest first
    assert _shape(ours) == _shape(kombus)
    assert _shape(ours)["body"][0] == ["job_1"]
    assert json.loads(ours)["properties"]["delivery_info"] == {
        "exchange": "",
        "routing_key": "llm",
    }


def test_a_batch_job_s_stage_message_matches_what_send_task_publishes_at_its_priority(
    valkey: ValkeyProcess,
) -> None:
    app = create_celery(Settings(broker=BrokerSettings(url=valkey.url)))
    client = connect(valkey.url)

    app.send_task(TASK_NAMES[Stage.STT], args=["job_b"], queue="stt", priority=BATCH_PRIORITY)
    message = stage_message(app, Stage.STT, _job("job_b", batch_id="bat_1"))
    push(client, message)

    # On the list kombu itself chose, as the app's own channel names it (its transport
    # options leave kombu's priority steps and separator as they are).
    with app.connection_for_write() as connection:
        kombus_list = connection.default_channel._q_for_pri("stt", BATCH_PRIORITY)
    assert message.queue == kombus_list == "stt\x06\x169"
    assert client.llen("stt") == 0
    ours, kombus = client.lrange(kombus_list, 0, -1)
    assert _shape(ours) == _shape(kombus)
    assert _shape(ours)["properties"]["priority"] == BATCH_PRIORITY
    assert _shape(ours)["body"][0] == ["job_b"]


def test_a_batch_job_s_stage_retried_by_celery_stays_on_the_batch_list(
    valkey: ValkeyProcess,
) -> None:
    # A stage's retry (workers/stage.py) is Celery's Task.retry: it sends the message again
    # at the priority the worker read from the delivery's properties.
    import workers.app  # noqa: F401  (registers the stage tasks)

    app = create_celery(Settings(broker=BrokerSettings(url=valkey.url)))
    client = connect(valkey.url)
    push(client, stage_message(app, Stage.STT, _job("job_b", batch_id="bat_1")))
    task = app.tasks[TASK_NAMES[Stage.STT]]
    with app.connection_for_read() as connection:
        delivered = connection.default_channel.basic_get("stt", no_ack=True)
        request = Request(delivered, app=app, task=task)  # as the worker reads it
    task.push_request(request.request_dict, args=["job_b"], kwargs={}, called_directly=False)
    try:
        with pytest.raises(Retry):
            task.retry(countdown=60)
    finally:
        task.pop_request()

    assert client.llen("stt") == 0
    (retried,) = client.lrange(f"stt{Channel.sep}{BATCH_PRIORITY}", 0, -1)
    assert json.loads(retried)["properties"]["priority"] == BATCH_PRIORITY
    assert json.loads(retried)["headers"]["retries"] == 1


def test_each_pushed_message_has_its_own_task_id_and_delivery_tag() -> None:
    app = create_celery(Settings())

    first, second = (stage_message(app, Stage.STT, _job("job_1")) for _ in range(2))

    assert first.task_id != second.task_id
    tags = {json.loads(m.payload)["properties"]["delivery_tag"] for m in (first, second)}
    assert len(tags) == 2
    assert json.loads(first.payload)["headers"]["id"] == first.task_id


def test_a_message_made_from_the_cached_template_still_carries_what_send_task_would(
    valkey: ValkeyProcess,
) -> None:
    app = create_celery(Settings(broker=BrokerSettings(url=valkey.url)))
    client = connect(valkey.url)
    push(client, stage_message(app, Stage.TTS, _job("job_first")))  # fills the template

    app.send_task(TASK_NAMES[Stage.TTS], args=["job_2"], queue="tts")
    push(client, stage_message(app, Stage.TTS, _job("job_2")))

    ours, kombus, _ = client.lrange("tts", 0, -1)
    assert _shape(ours) == _shape(kombus)
    headers = json.loads(ours)["headers"]
    assert headers["argsrepr"] == json.loads(kombus)["headers"]["argsrepr"] == "['job_2']"
    assert headers["root_id"] == headers["id"] == json.loads(ours)["properties"]["correlation_id"]
    assert headers["origin"] == json.loads(kombus)["headers"]["origin"]


def test_a_message_made_in_another_process_names_that_process_as_its_origin(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = create_celery(Settings())
    before = json.loads(stage_message(app, Stage.STT, _job("job_1")).payload)["headers"]["origin"]

    # A prefork child inherits the parent's cache: its messages must not name the parent.
    monkeypatch.setattr(os, "getpid", lambda: 4242)
    after = json.loads(stage_message(app, Stage.STT, _job("job_1")).payload)["headers"]["origin"]

    assert before != after
    assert "4242" in after
