from __future__ import annotations

from shared.celery_app import TASK_NAMES, create_celery
from shared.event_batching import BatchedTaskEvents
from shared.models import Stage
from shared.queues import DELIVER_TASK, INGEST_TASKS
from shared.settings import Settings


def test_celery_speaks_json_only() -> None:
    conf = create_celery(Settings()).conf

    assert conf.accept_content == ["json"]
    assert conf.task_serializer == "json"
    assert conf.result_serializer == "json"


def test_each_stage_routes_to_its_own_queue() -> None:
    conf = create_celery(Settings()).conf

    assert {q.name for q in conf.task_queues} == {"stt", "llm", "tts", "ingest", "webhooks"}
    for stage in Stage:
        assert conf.task_routes[TASK_NAMES[stage]] == {"queue": stage.value}


def test_batch_expansion_and_webhook_tasks_route_to_their_own_queues() -> None:
    app = create_celery(Settings())

    for name in INGEST_TASKS.values():
        assert app.amqp.router.route({}, name)["queue"].name == "ingest"
    assert app.amqp.router.route({}, DELIVER_TASK)["queue"].name == "webhooks"
    assert app.conf.task_annotations[DELIVER_TASK]["time_limit"] == 90


def test_workers_send_task_events_in_timed_batches() -> None:
    app = create_celery(Settings())

    assert BatchedTaskEvents in app.steps["consumer"]
    assert app.conf.worker_send_task_events


def test_delivery_is_at_least_once_with_one_message_per_worker_process() -> None:
    conf = create_celery(Settings()).conf

    assert conf.task_acks_late
    assert conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.worker_send_task_events


def test_visibility_timeout_outlasts_every_stage_time_limit() -> None:
    settings = Settings()
    conf = create_celery(settings).conf

    longest = max(getattr(settings.workers, s.value).time_limit_s for s in Stage)
    assert conf.broker_transport_options["visibility_timeout"] > longest
    for stage in Stage:
        annotations = conf.task_annotations[TASK_NAMES[stage]]
        assert annotations["soft_time_limit"] < annotations["time_limit"]


def test_the_apis_app_gives_up_on_the_broker_within_its_budget_and_workers_wait_it_out() -> None:
    api = create_celery(Settings(), budget_s=2.5).conf
    workers = create_celery(Settings()).conf

    assert api.broker_transport_options["socket_timeout"] == 2.5
    assert api.broker_transport_options["retry_budget_s"] == 2.5
    assert api.task_publish_retry_policy == {"max_retries": 0}
    # A worker's sockets block for as long as a command takes, and Celery reconnects it.
    assert "socket_timeout" not in workers.broker_transport_options
    assert "retry_budget_s" not in workers.broker_transport_options


def test_workers_channels_take_the_batch_turn_from_the_settings() -> None:
    app = create_celery(Settings(workers={"batch_turn": 7}))

    assert app.conf.broker_transport_options["batch_turn"] == 7
    # The transport reads it from the connection's options (kombu's from_transport_options).
    channel_type = app.connection_for_read().transport.Channel
    assert "batch_turn" in channel_type.from_transport_options
