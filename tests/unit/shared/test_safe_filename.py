"""The file name an upload is shown by: printable, short, and a folder path inside the
upload's kept (a batch of a/x.wav and b/x.wav), never one leading out of it."""

from __future__ import annotations

import pytest

from shared.inputs import safe_filename


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("x.wav", "x.wav"),
        # Before, both were "x.wav" and a batch's rows could not be told apart.
        ("a/x.wav", "a/x.wav"),
        ("b\\x.wav", "b/x.wav"),
        ("../../etc/x.wav", "etc/x.wav"),
        ("/abs/./x.wav", "abs/x.wav"),
        ("a//b/x.wav", "a/b/x.wav"),
        ("..", None),
        ("", None),
        (None, None),
        ("bad\x00name.wav", "badname.wav"),
    ],
)
def test_a_file_name_keeps_its_folders_inside_the_upload_and_nothing_else(
    sent: str | None, shown: str | None
) -> None:
    assert safe_filename(sent) == shown


def test_a_long_name_keeps_its_end_the_files_own_name() -> None:
    shown = safe_filename("d/" * 300 + "x.wav")

    assert shown is not None
    assert len(shown) <= 200
    assert shown.endswith("/x.wav")
    assert not shown.startswith("/")
