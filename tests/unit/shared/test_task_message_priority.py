"""A batch job's stage messages go on the list kombu's Redis transport keeps for a lower
priority than a single job's, named as kombu names it, so a worker takes single jobs first."""

from __future__ import annotations

import json

import pytest
from celery import Celery
from kombu.transport.redis import PRIORITY_STEPS, Channel

from shared.celery_app import create_celery
from shared.models import Job, JobOptions, Stage
from shared.queue_depth import priority_list, priority_lists
from shared.settings import Settings
from shared.task_messages import BATCH_PRIORITY, SINGLE_PRIORITY, stage_message
from tests.factories import wav_input_meta


class _KombuNames:
    """kombu's own naming methods, run without a connection (they read only these)."""

    sep = Channel.sep
    priority_steps = PRIORITY_STEPS
    priority = Channel.priority
    _q_for_pri = Channel._q_for_pri


def _job(batch_id: str | None = None) -> Job:
    return Job(
        options=JobOptions(),
        input=wav_input_meta(),
        batch_id=batch_id,
        batch_index=None if batch_id is None else 0,
    )


@pytest.fixture(scope="module")
def app() -> Celery:
    return create_celery(Settings())


@pytest.mark.parametrize("priority", range(10))
def test_a_priority_s_list_is_the_one_kombu_puts_its_messages_on(priority: int) -> None:
    assert priority_list("stt", priority) == _KombuNames()._q_for_pri("stt", priority)


def test_a_worker_reads_the_single_jobs_list_first_and_the_batch_list_last() -> None:
    # kombu's BRPOP names a queue's lists in PRIORITY_STEPS order, and Redis pops the first
    # that holds a message.
    assert priority_lists("llm") == ["llm", "llm\x06\x163", "llm\x06\x166", "llm\x06\x169"]
    assert priority_list("llm", SINGLE_PRIORITY) == priority_lists("llm")[0]
    assert priority_list("llm", BATCH_PRIORITY) == priority_lists("llm")[-1]


def test_a_single_job_s_stage_message_goes_on_the_queue_s_own_list_at_priority_0(
    app: Celery,
) -> None:
    message = stage_message(app, Stage.STT, _job())

    assert message.queue == "stt"
    properties = json.loads(message.payload)["properties"]
    assert properties["priority"] == 0
    assert properties["delivery_info"] == {"exchange": "", "routing_key": "stt"}


@pytest.mark.parametrize("stage", list(Stage))
def test_a_batch_job_s_stage_message_goes_on_the_batch_list_with_that_priority(
    app: Celery,
    stage: Stage,
) -> None:
    job = _job(batch_id="bat_1")

    message = stage_message(app, stage, job)

    assert message.queue == f"{stage.value}\x06\x169"
    envelope = json.loads(message.payload)
    # kombu hands a message back (a retry, a restore) to the list of this priority.
    assert envelope["properties"]["priority"] == BATCH_PRIORITY
    # Routed to the queue itself: the worker consuming it reads every one of its lists.
    assert envelope["properties"]["delivery_info"]["routing_key"] == stage.value
