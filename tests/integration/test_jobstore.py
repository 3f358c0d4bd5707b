"""Job records on a real Valkey server."""

from __future__ import annotations

import threading

import pytest
import redis

from shared.errors import JobNotFound
from shared.jobstore import JobStore, Versioned
from shared.models import Job, JobStatus, Stage, StageStatus
from shared.redis_keys import key
from shared.task_messages import TaskMessage
from shared.webhook_models import job_deliveries_key
from tests.conftest import ValkeyProcess
from tests.factories import wav_input_meta

pytestmark = pytest.mark.integration


def make_job(tenant: str = "default") -> Job:
    meta = wav_input_meta(key="k", size_bytes=10)
    return Job(tenant=tenant, input=meta)


def test_created_job_reads_back_equal(valkey: ValkeyProcess) -> None:
    store = JobStore.from_url(valkey.url)
    job = make_job()
    store.create(job)

    assert store.get(job.id) == job


def test_creating_the_same_id_twice_is_refused(valkey: ValkeyProcess) -> None:
    store = JobStore.from_url(valkey.url)
    job = make_job()
    store.create(job)

    with pytest.raises(ValueError, match="already exists"):
        store.create(job.model_copy(update={"tenant": "other"}))
    assert store.get(job.id) == job


def test_a_create_retried_after_a_lost_reply_makes_the_job_once(valkey: ValkeyProcess) -> None:
    # The client's retry sends the same script call again: the record already there byte for
    # byte is that call's own, so the retry succeeds and nothing is written or queued twice.
    store = JobStore.from_url(valkey.url)
    job = make_job()
    message = TaskMessage(queue="stt", task_id="t1", payload='{"a": 1}')
    store.create(job, message)
    store.create(job, message)

    assert store.redis.llen("stt") == 1
    assert store.count_by_status()["queued"] == 1
    assert store.list_ids(job.tenant, 10, 0) == [job.id]


def test_another_tenants_job_is_not_found(valkey: ValkeyProcess) -> None:
    store = JobStore.from_url(valkey.url)
    job = make_job("acme")
    store.create(job)

    with pytest.raises(JobNotFound):
        store.get(job.id, tenant="globex")
    assert store.get(job.id, tenant="acme").id == job.id


def test_concurrent_updates_are_all_applied(valkey: ValkeyProcess) -> None:
    store = JobStore.from_url(valkey.url)
    job = make_job()
    store.create(job)

    def bump() -> None:
        for _ in range(25):
            store.update(
                job.id,
                lambda j: setattr(
                    j.stages[Stage.STT], "attempts", j.stages[Stage.STT].attempts + 1
                ),
            )

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert store.get(job.id).stages[Stage.STT].attempts == 100


def test_list_is_newest_first_and_scoped_to_the_tenant(valkey: ValkeyProcess) -> None:
    store = JobStore.from_url(valkey.url)
    jobs = [make_job("t1") for _ in range(3)]
    for job in jobs:
        store.create(job)
    store.create(make_job("t2"))

    assert store.list_ids("t1") == [j.id for j in reversed(jobs)]
    assert store.count("t1") == 3


def test_deleted_job_is_gone_from_record_and_index(valkey: ValkeyProcess) -> None:
    store = JobStore.from_url(valkey.url)
    job = make_job()
    store.create(job)
    store.delete(job)

    with pytest.raises(JobNotFound):
        store.get(job.id)
    assert store.count("default") == 0


def test_a_deleted_job_and_its_deleted_marker_go_in_one_script(
    valkey: ValkeyProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before, the marker was a second round trip: a connection lost between the two left
    # the job gone and its idempotency key answering as if no job had ever been made.
    store = JobStore.from_url(valkey.url)
    job = make_job()
    store.create(job)

    def lost(*_: object, **__: object) -> None:
        raise redis.ConnectionError("lost after the script")

    monkeypatch.setattr(store.redis, "set", lost)
    store.delete(job)

    assert store.was_deleted(job.id)
    with pytest.raises(JobNotFound):
        store.get(job.id)


def test_jobs_survive_a_server_restart(valkey: ValkeyProcess) -> None:
    store = JobStore.from_url(valkey.url)
    job = make_job()
    store.create(job)
    store.update(job.id, lambda j: setattr(j, "status", JobStatus.TRANSCRIBING))
    store.redis.close()

    valkey.stop()
    valkey.start()

    again = JobStore.from_url(valkey.url).get(job.id)
    assert again.status == JobStatus.TRANSCRIBING
    assert again.stages[Stage.STT].status == StageStatus.PENDING


def test_replace_writes_only_over_the_exact_version_it_expects(valkey: ValkeyProcess) -> None:
    store = JobStore.from_url(valkey.url)
    job = make_job()
    store.create(job)
    started = store.update_versioned(job.id, lambda j: setattr(j, "status", JobStatus.RESPONDING))

    first = started.job.model_copy(deep=True)
    first.redrives = 1
    written = store.replace(first, started)
    assert written is not None
    assert store.get(job.id) == first
    second = first.model_copy(deep=True)
    second.redrives = 2
    # What replace returned is the record as now stored: the token of the next write.
    current = store.replace(second, written)
    assert current is not None

    late = first.model_copy(deep=True)
    late.status = JobStatus.CANCELED
    altered = Versioned(current.job, current.raw + b" ", current.before)
    for outdated in (started, written, altered):
        assert store.replace(late, outdated) is None
    assert store.get(job.id) == second

    store.delete(job)  # not even the current version brings back a deleted record
    assert store.replace(late, current) is None
    with pytest.raises(JobNotFound):
        store.get(job.id)


def test_a_replace_retried_after_a_lost_reply_counts_as_written_once(
    valkey: ValkeyProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The client's retry sends the same script call again (the same time stamp in the same
    # record): it must answer "written", or the writer takes its write for a lost race.
    store = JobStore.from_url(valkey.url)
    job = make_job()
    store.create(job)
    started = store.update_versioned(job.id, lambda j: setattr(j, "status", JobStatus.RESPONDING))
    monkeypatch.setattr("shared.jobstore.utcnow", lambda: started.job.created_at)
    done = started.job.model_copy(deep=True)
    done.status = JobStatus.SUCCEEDED
    message = TaskMessage(queue="tts", task_id="t2", payload='{"b": 2}')

    first = store.replace(done.model_copy(deep=True), started, then=message)
    again = store.replace(done.model_copy(deep=True), started, then=message)

    assert first is not None
    assert again is not None
    assert again.raw == first.raw
    assert store.redis.llen("tts") == 1
    assert store.count_by_status().get("succeeded") == 1
    assert store.count_by_status().get("responding", 0) == 0


def test_jobs_are_counted_under_their_status_as_they_move(valkey: ValkeyProcess) -> None:
    store = JobStore.from_url(valkey.url)
    first, second = make_job(), make_job()
    store.create(first)
    store.create(second)
    with pytest.raises(ValueError, match="already exists"):
        store.create(second.model_copy(update={"tenant": "other"}))

    def transcribing(job: Job) -> None:
        job.status = JobStatus.TRANSCRIBING

    store.update(first.id, transcribing)
    store.delete(store.get(second.id))

    assert {k: v for k, v in store.count_by_status().items() if v} == {"transcribing": 1}


def test_a_deleted_job_leaves_its_thread(valkey: ValkeyProcess) -> None:
    store = JobStore.from_url(valkey.url)
    first, second, third = (make_job() for _ in range(3))
    for job in (first, second, third):
        job.options.thread_id = "caller-1"
        store.create(job)

    store.delete(second)

    assert [j.id for j in store.thread_before(third)] == [first.id]
    kept = store.redis.lrange(key("thread", "default", "caller-1"), 0, -1)
    assert kept == [first.id.encode(), third.id.encode()]


def test_a_job_deleted_twice_is_taken_off_the_count_once_under_its_stored_status(
    valkey: ValkeyProcess,
) -> None:
    # Two deletes at once, or the client's retry after a lost reply, with a copy of the job
    # read before it moved on: the count follows the record, not the copy.
    store = JobStore.from_url(valkey.url)
    job, other = make_job(), make_job()
    store.create(job)
    store.create(other)
    store.update(job.id, lambda j: setattr(j, "status", JobStatus.TRANSCRIBING))

    store.delete(job)
    store.delete(job)

    assert {k: v for k, v in store.count_by_status().items() if v} == {"queued": 1}
    assert store.count_by_status().get("transcribing") == 0


def test_every_id_lists_the_records_and_nothing_kept_beside_them(valkey: ValkeyProcess) -> None:
    store = JobStore.from_url(valkey.url)
    job = make_job()
    store.create(job)
    store.redis.rpush(job_deliveries_key(job.id), "msg_1")

    assert store.all_ids() == [job.id]


class CountingClient:
    """A Redis client that counts the commands sent through it (each a round trip here)."""

    def __init__(self, client: redis.Redis) -> None:
        self._client = client
        self.sent: list[str] = []

    def __getattr__(self, name: str) -> object:
        attr = getattr(self._client, name)
        if name not in {"get", "mget", "lrange"}:
            return attr

        def counted(*args: object, **kwargs: object) -> object:
            self.sent.append(name)
            return attr(*args, **kwargs)

        return counted


def test_thread_history_behind_many_failed_jobs_is_read_in_a_few_round_trips(
    valkey: ValkeyProcess,
) -> None:
    plain = JobStore.from_url(valkey.url)
    # 60 earlier voicemails: answered ones here and there, 40 failed ones the latest.
    thread = []
    for n in range(61):
        job = make_job()
        job.options.thread_id = "caller-many"
        job.status = JobStatus.SUCCEEDED if n % 3 == 0 and n < 20 else JobStatus.FAILED
        plain.create(job)
        thread.append(job)
    latest = thread[-1]
    answered = [j.id for j in thread[:-1] if j.status == JobStatus.SUCCEEDED]
    counting = CountingClient(plain.redis)
    store = JobStore(counting)  # type: ignore[arg-type]

    def succeeded(job: Job) -> bool:
        return job.status == JobStatus.SUCCEEDED

    kept = store.thread_before(latest, where=succeeded)

    assert [j.id for j in kept] == answered[-5:]  # the five latest answered, oldest first
    # One read of the list, then pages of 5, 10, 20 and 40 ids: the one-at-a-time reads
    # took 55 round trips here.
    assert counting.sent == ["lrange", "mget", "mget", "mget", "mget"]
    assert [j.id for j in store.thread_before(latest, limit=2, where=succeeded)] == answered[-2:]
    assert [j.id for j in store.thread_before(thread[3])] == [j.id for j in thread[:3]]
