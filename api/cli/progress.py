"""The progress display of `voicepipe submit` and `voicepipe batch watch`: one bar over one
or more batches, polled from the server's counters, and the summary at the end."""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Sequence
from contextlib import closing
from typing import Any, TextIO

import click
import httpx
from tqdm import tqdm

from api.cli.answers import BATCH_TERMINAL, PASSING_STATUS, ApiClientError
from api.cli.client import VoicePipeClient
from api.cli.reach import NOTHING_THERE, refused, unreachable
from api.cli.submitting import batch_command
from shared.stages import STAGE_ORDER

POLL_S = 0.5
# A server restart or a network blip must not end a long watch; a server gone for good must.
UNREACHABLE_GIVE_UP_S = 60.0
# Batches whose work is over or called off: no time left to estimate.
ENDING = {*BATCH_TERMINAL, "canceling"}
BAR_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} items [{elapsed}{postfix}]"


def watch_batches(
    client: VoicePipeClient,
    ids: Sequence[str],
    *,
    out: TextIO | None = None,
    timeout_s: float | None = None,
    reached: bool = False,
) -> list[dict[str, Any]]:
    """Poll the batches about twice a second, drawing one bar over all of them, until each
    has completed or been canceled; return their last views. A server not ``reached``
    before (by this run's upload or an earlier poll) that refuses the connection is a stack
    not running or a wrong URL, said at once rather than after a minute of retries."""
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    unreachable_since: float | None = None
    # Into a log (CI keeps stderr, and shows each redraw as a line), a frame is written when
    # what it shows moves, not twice a second for hours; a terminal redraws every poll.
    stream = out or sys.stderr
    live = stream.isatty()
    shown: object = None
    # Made at the first thing to show: a batch refused at once (a mistyped id) is its error
    # alone, with no empty bar drawn before it.
    bar: tqdm[Any] | None = None
    try:
        while True:
            started = time.monotonic()
            try:
                views = [client.batch(batch_id) for batch_id in ids]
                unreachable_since = None
                reached = True
            except (httpx.TransportError, ApiClientError) as exc:
                # A 503 is the broker or storage briefly away (a restart, a stall), as
                # passing as a refused connection; a 4xx is an answer.
                if isinstance(exc, ApiClientError) and exc.status not in PASSING_STATUS:
                    raise
                if not reached and isinstance(exc, NOTHING_THERE):
                    raise
                unreachable_since = unreachable_since or started
                if started - unreachable_since > UNREACHABLE_GIVE_UP_S:
                    raise
                what = "API unavailable" if isinstance(exc, ApiClientError) else "API unreachable"
                bar = bar or _new_bar(out)
                bar.set_postfix_str(f"{what}, retrying", refresh=False)
                moved: object = what
            else:
                bar = bar or _new_bar(out, views)
                moved = draw(bar, views)
                if all(view["status"] in BATCH_TERMINAL for view in views):
                    return views  # tqdm's close draws the last frame
            if live or moved != shown:
                bar.refresh()
                shown = moved
            if deadline is not None and started > deadline:
                raise TimeoutError(f"batches not finished after {timeout_s} s: {' '.join(ids)}")
            time.sleep(max(0.0, POLL_S - (time.monotonic() - started)))
    finally:
        if bar is not None:
            bar.close()


def _new_bar(out: TextIO | None, views: Sequence[dict[str, Any]] = ()) -> tqdm[Any]:
    """The bar, whose first frame (drawn as it is made) shows ``views``: made empty, it said
    "0/? items" of a batch whose size the poll had just given."""
    if not views:
        return tqdm(total=None, unit="item", desc="items", file=out, bar_format=BAR_FORMAT)
    n, total, tally, eta = _shown(views)
    return tqdm(
        total=total,
        initial=n,
        postfix=tally + eta,
        unit="item",
        desc="items",
        file=out,
        bar_format=BAR_FORMAT,
    )


def combine(views: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Batches of one split submission as one, for one bar and one summary."""
    pending = [view["eta_s"] for view in views if view["status"] not in ENDING]
    sizes = [view["items"] for view in views]
    fields = ("counts", "running_by_stage", "failed_by_code", "rejected_by_code")
    return {
        "ids": [view["id"] for view in views],
        "items": None if None in sizes else sum(sizes),
        "rejected": sum(view["rejected"] for view in views),
        # Items that failed or were rejected, by batch: how far the summary reads its rows.
        "problems": {
            view["id"]: view["counts"].get("failed", 0) + view["rejected"] for view in views
        },
        "completed": all(view["status"] == "completed" for view in views),
        # The batches run side by side: the last to finish decides.
        "eta_s": 0.0 if not pending else None if None in pending else max(pending),
        **{f: sum((Counter(view[f]) for view in views), Counter()) for f in fields},
    }


def draw(bar: tqdm[Any], views: Sequence[dict[str, Any]]) -> tuple[Any, ...]:
    """Set the bar to ``views`` without drawing it; return what it shows but the clock and
    the ETA, to tell whether anything moved."""
    n, total, tally, eta = _shown(views)
    if total is not None and bar.total != total:
        bar.total = total
    bar.n = n
    bar.set_postfix_str(tally + eta, refresh=False)
    return (bar.n, bar.total, tally, bool(eta))


def _shown(views: Sequence[dict[str, Any]]) -> tuple[int, int | None, str, str]:
    """Items done, items in all (None until known), the bar's tally and its ETA (empty once
    no batch runs), for ``views``."""
    all_of = combine(views)
    counts = all_of["counts"]
    n = counts["succeeded"] + counts["failed"] + counts["canceled"] + all_of["rejected"]
    running = " ".join(f"{stage} {all_of['running_by_stage'][stage]}" for stage in _run(views))
    tally = f"{running} | failed {counts['failed']} rejected {all_of['rejected']}"
    # Canceled items count as done: without them named, a canceled batch's full bar read as
    # a finished run.
    if counts["canceled"]:
        tally += f" canceled {counts['canceled']}"
    # A batch being canceled has no work left to time, only jobs ending; one canceled is
    # over. The ETA shown is of the batches still running, if any.
    running_on = any(view["status"] not in ENDING for view in views)
    eta = f" | ETA {eta_text(all_of['eta_s'])}" if running_on else ""
    return n, all_of["items"], tally, eta


def _run(views: Sequence[dict[str, Any]]) -> list[str]:
    """The stages the batches' jobs run (``--stages stt,llm`` has no tts column), in order;
    a view without its options (an older server) shows them all."""
    named: set[str] = set()
    for view in views:
        stages = (view.get("options") or {}).get("stages")
        if not stages:
            return list(STAGE_ORDER)
        named.update(stages)
    return [stage for stage in STAGE_ORDER if stage in named]


def eta_text(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def summary_lines(all_of: dict[str, Any]) -> list[str]:
    counts = all_of["counts"]
    lines = [
        f"{all_of['items'] or 0} items: {counts['succeeded']} succeeded, {counts['failed']} "
        f"failed, {all_of['rejected']} rejected"
        + (f", {counts['canceled']} canceled" if counts["canceled"] else "")
    ]
    for label in ("failed", "rejected"):
        by_code: Counter[str] = all_of[f"{label}_by_code"]
        if by_code:
            codes = ", ".join(f"{code} {n}" for code, n in by_code.most_common())
            lines.append(f"{label} by code: {codes}")
    return lines


# Items that failed or were rejected, named in the summary; the export has them all.
NAMED_PROBLEMS = 10


def _not_done(client: VoicePipeClient, all_of: dict[str, Any]) -> list[str]:
    """The items that failed or were rejected, by the name each was sent by, with the code
    and message saying why: "2 rejected" alone sent the user to an export to learn which
    of a folder's files (an empty one, a note named .wav) did not run. Items of one code and
    message share a line, said once. Each batch's rows are read only until its last such
    item (by its counts) or the tenth in all: a batch with none is not read, and one of
    thousands with two problems is not downloaded whole. Rows that cannot be read are said
    to be, and the export command follows."""
    problems: dict[str, int] = all_of["problems"]
    total = sum(problems.values())
    named = 0
    why: dict[str, list[str]] = {}
    unread = ""
    for batch_id, count in problems.items():
        wanted = min(count, NAMED_PROBLEMS - named)
        if wanted <= 0:
            continue
        try:
            # Closed on leaving, so a stop part-way ends the download there.
            with closing(client.result_rows(batch_id)) as rows:
                found = 0
                for row in (r for r in rows if r.get("status") in ("failed", "rejected")):
                    said = (
                        f"{row['status']}, {row.get('failure_code')}: {row.get('failure_message')}"
                    )
                    why.setdefault(said, []).append(str(row.get("source")))
                    found += 1
                    if found == wanted:
                        break
                named += found
        except ApiClientError as exc:
            unread = refused(exc)
        except httpx.TransportError as exc:
            unread = unreachable(exc)
        except ValueError:
            unread = "its rows are not JSON"
        if unread:
            break
    lines = [f"  {', '.join(sources)}: {said}" for said, sources in why.items()]
    if unread:
        which = f"… and {total - named} more" if named else f"Which {total} items"
        lines.append(f"  {which}: the export below lists them (not read here: {unread})")
    elif lines and total > named:
        lines.append(f"  … and {total - named} more (all of them in the export)")
    return lines


def summarize(
    views: Sequence[dict[str, Any]],
    url: str | None = None,
    client: VoicePipeClient | None = None,
) -> bool:
    """Print the outcome, the items that failed or were rejected (by name, with why) and
    how to get each item's results; true when every item succeeded."""
    all_of = combine(views)
    click.echo("\n".join(summary_lines(all_of)))
    if client is not None and (lines := _not_done(client, all_of)):
        click.echo("\n".join(lines))
    # Successes too: the export is where their transcripts and replies are. The batches of
    # a split submission each get a file: one name for all, each export replaced the last.
    ids = all_of["ids"]
    for n, batch_id in enumerate(ids, 1):
        output = f"results-{n}.csv" if len(ids) > 1 else "results.csv"
        click.echo(f"Per item: {batch_command('export', [batch_id], url, '-o', output)}")
    counts = all_of["counts"]
    if counts["failed"] or counts["canceled"] or all_of["rejected"]:
        return False
    return bool(all_of["completed"])
