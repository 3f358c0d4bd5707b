"""`voicepipe reviews`: maintenance of people's reviews of jobs."""

from __future__ import annotations

from functools import partial

import click
import redis


@click.group()
def reviews() -> None:
    """Maintain the reviews people made in the inbox or through the API."""


@reviews.command()
def redact() -> None:
    """Apply each job's redaction policy to its stored reviews.

    Reviews are redacted as they are made; this cleans those stored before that was so
    (what a reviewer typed on a redacted job). Running it again changes nothing.
    """
    from api.cli import _settings
    from api.review_redaction import redact_stored
    from shared.errors import JobNotFound
    from shared.jobstore import JobStore
    from shared.redis_keys import connect
    from shared.reviews import ReviewStore

    settings = _settings()
    jobs = JobStore(connect(settings.broker.url, retries=settings.broker.command_retries))
    store = ReviewStore(jobs.redis)
    with_policy = rewritten = 0
    try:
        for job_id in jobs.all_ids():
            try:
                job = jobs.get(job_id)
            except JobNotFound:
                continue  # deleted meanwhile (retention, a request): nothing left to clean
            if job.options.redact is None:
                continue
            with_policy += 1
            rewritten += store.rewrite(
                job.tenant, job.id, partial(redact_stored, job=job, settings=settings)
            )
    except redis.RedisError as exc:
        # Each review is rewritten whole or not at all: running it again finishes the rest.
        raise click.ClickException(
            f"cannot use the broker at VOICEPIPE_BROKER__URL ({exc}); "
            f"{rewritten} job(s)' reviews were rewritten before it; run this again once "
            "it answers"
        ) from None
    click.echo(
        f"{with_policy} job(s) with a redaction policy; the reviews of {rewritten} rewritten."
    )
