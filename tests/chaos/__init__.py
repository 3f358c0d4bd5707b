"""Chaos scenarios: a real stack per scenario, faults injected, one table of outcomes.

Run with ``make chaos`` (``python -m tests.chaos [N …]``, N from 1 to 8). Each scenario starts
its own stack (embedded Valkey, API, one Celery worker per queue, sweeper; no Flower; 8 runs
a real ``voicepipe up``, Flower included) on free ports in a temporary directory, with stt =
Whisper, llm = Claude and tts = OpenAI speech pointed at in-process vendor fakes, so stages
are I/O bound and take well under a second. Scenarios: 1 kill -9 workers, 2 broker restart
and dropped connections, 3 flaky / revoked vendors, 4 hung vendor call, 5 cancel and retry,
6 duplicate messages, 7 batch worker kills, 8 supervisor SIGKILL and restart (one module
each, ``s<N>_*.py``).

How the columns are measured
----------------------------
* submitted: jobs the API answered 202 (a 503 during an outage is not a submission).
* succeeded / failed (by code) / canceled: the job records at the end.
* lost: accepted jobs the job store does not have, or that are not terminal when the
  scenario's deadline passes.
* duplicate stage outputs, from two side-effect logs, with no change to product code:

  - The vendors' log. Every job uploads a distinct WAV; the Whisper fake maps it back to
    the job's number and hears a voicemail whose callback number encodes it, so the Claude
    request (the transcript) and the speech request (the reply reads the number aloud) name
    the job too (``fakes``). The fakes count successful answers per (stage, job). A stage
    should be answered once per job. Answers beyond one are allowed only as far as the job
    record explains them *and* the scenario caused it: ``crashes`` of a stage whose worker
    the scenario killed (a redelivery found the stage still running), ``redrives`` where the
    scenario hangs or stops things (the sweeper queued the job again). Retries never add
    answers: a retried call was a failed one.
  - Storage. A recorded output whose file was written after the job's ``finished_at`` was
    written again by a stale run: always a duplicate. And a job's objects must be exactly
    its input plus the output of each succeeded stage (input + 3 when it succeeded); an
    orphan or a missing object is listed as a problem.

Each scenario also checks what it is about (statuses and error codes, attempts, time to a
terminal state, no re-drive where nothing hangs, no stage run after a cancel, …). The run
exits non-zero when a row loses a job, duplicates a side effect or has a problem (its
"check" column says FAIL; the problems follow the table). A failing scenario keeps its data
directory, logs in ``<dir>/logs``; ``CHAOS_KEEP=1`` keeps every one.
"""
