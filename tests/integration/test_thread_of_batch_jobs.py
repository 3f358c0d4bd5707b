"""A batch's jobs given a thread_id: the thread's earlier voicemails, not its later ones."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.batches import Batch, BatchItem, batch_job_id
from shared.batchstore import BatchStore
from shared.jobstore import JobStore
from shared.models import Job, JobOptions, Stage, utcnow
from tests.conftest import ValkeyProcess
from tests.factories import wav_input_meta

pytestmark = pytest.mark.integration


def test_a_batch_job_of_a_thread_is_given_the_voicemails_before_it_not_those_after(
    valkey: ValkeyProcess,
) -> None:
    jobs = JobStore.from_url(valkey.url)
    batches = BatchStore(jobs.redis)
    start = utcnow()
    options = JobOptions(stages=[Stage.STT, Stage.LLM], thread_id="caller-7")
    before = Job(input=wav_input_meta(), options=options, created_at=start)
    jobs.create(before)
    batch = Batch(source="manifest", options=options)
    batches.create(batch, [BatchItem(key="k0")])
    item = Job(
        id=batch_job_id(batch.id, 0),
        input=wav_input_meta(),
        options=options,
        batch_id=batch.id,
        batch_index=0,
        created_at=start + timedelta(seconds=1),
    )
    jobs.create_batch_job(item)
    # The caller's next voicemail, left after the batch was made.
    after = Job(input=wav_input_meta(), options=options, created_at=start + timedelta(seconds=2))
    jobs.create(after)

    assert [j.id for j in jobs.thread_before(item)] == [before.id]
    # A job on the thread's own list is unchanged: everything listed before it.
    assert [j.id for j in jobs.thread_before(after)] == [before.id]
