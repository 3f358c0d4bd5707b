"""The file name an upload is shown by: printable, short, and a plain relative path's folders
kept (a batch of a/x.wav and b/x.wav); a name that climbs out, starts at a root or uses
backslashes shown by its last part (tests/integration's bad-input corpus holds the rest)."""

from __future__ import annotations

import pytest

from shared.inputs import safe_filename


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("x.wav", "x.wav"),
        # Before, both were "x.wav" and a batch's rows could not be told apart.
        ("a/x.wav", "a/x.wav"),
        ("a//b/./x.wav", "a/b/x.wav"),
        ("b\\x.wav", "x.wav"),
        ("../../etc/x.wav", "x.wav"),
        ("/abs/x.wav", "x.wav"),
        ("a/../x.wav", "x.wav"),
        ("..", None),
        ("", None),
        (None, None),
        ("bad\x00name.wav", "badname.wav"),
    ],
)
def test_a_file_name_keeps_a_plain_relative_paths_folders_and_no_others(
    sent: str | None, shown: str | None
) -> None:
    assert safe_filename(sent) == shown


def test_a_long_name_keeps_its_end_the_files_own_name() -> None:
    shown = safe_filename("d/" * 300 + "x.wav")

    assert shown is not None
    assert len(shown) <= 200
    assert shown.endswith("/x.wav")
    assert not shown.startswith("/")
