"""The batches bench's flatness check: the same batch exported again in one process."""

from __future__ import annotations

from tests.bench.batch_export import EXPORT_REPEAT_MB, Repeats

MB = 1024


def _repeats(grown_kb: int, times: int = 3, items: int = 10_000) -> Repeats:
    return Repeats(items=items, times=times, before_kb=100 * MB, peak_kb=100 * MB + grown_kb,
                   rows_ok=True)  # fmt: skip


def test_a_leak_of_a_few_dozen_bytes_a_row_fails_over_three_repeats() -> None:
    # One int kept per row (~40 bytes) grew the real API 1.2 MB over 30,000 rows.
    leak = _repeats(40 * 30_000 // 1024)

    assert leak.per_10k_mb > EXPORT_REPEAT_MB
    assert not leak.ok


def test_one_allocator_step_in_a_run_passes() -> None:
    # The largest step measured over repeated exports of a streaming export: ~0.5 MB once.
    assert _repeats(MB // 2).ok
    assert _repeats(0).ok


def test_growth_is_counted_per_ten_thousand_rows_whatever_the_batch_size() -> None:
    # 100 bytes kept a row, three exports of each size: 100 * 10,000 bytes per 10,000 rows.
    leaks = [_repeats(100 * 3 * n // 1024, items=n) for n in (1_000, 10_000, 40_000)]

    assert {round(r.per_10k_mb, 2) for r in leaks} == {0.95}


def test_a_shrinking_process_counts_as_no_growth() -> None:
    assert _repeats(-2 * MB).growth_mb == 0
