"""A URL item's source as listings, exports and rejections show it: a presigned URL's
query carries its credentials, so no query value is shown; fetching uses the URL whole."""

from __future__ import annotations

import pytest

from shared.inputs import shown_source
from shared.redaction_policy import JobRedaction


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "https://bucket.s3.amazonaws.com/vm/1.wav?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=AKIAEXAMPLE%2F20240101&X-Amz-Signature=abc123",
            "https://bucket.s3.amazonaws.com/vm/1.wav?X-Amz-Algorithm=***"
            "&X-Amz-Credential=***&X-Amz-Signature=***",
        ),
        (
            "https://acct.blob.core.windows.net/c/1.wav?sv=2022&sig=s3cr3t%3D&se=2030",
            "https://acct.blob.core.windows.net/c/1.wav?sv=***&sig=***&se=***",
        ),
        ("https://files.example/1.wav?token=t0k3n", "https://files.example/1.wav?token=***"),
        ("https://files.example/1.wav?s3cr3t", "https://files.example/1.wav?***"),
        ("https://files.example/1.wav#access_token=t0k3n", "https://files.example/1.wav"),
        ("https://files.example/vm/1.wav", "https://files.example/vm/1.wav"),
    ],
)
def test_no_query_value_of_a_url_is_shown(url: str, shown: str) -> None:
    assert shown_source(url, None, None) == shown


def test_a_redacting_batch_shows_neither_the_signature_nor_the_callers_number() -> None:
    shown = shown_source(
        "https://files.example/vm/+14155552671.wav?sig=abc123", JobRedaction(), None
    )

    assert "abc123" not in shown
    assert "+14155552671" not in shown


def test_a_key_or_file_name_is_shown_as_given() -> None:
    assert shown_source("vm/a?b=c.wav", None, None) == "vm/a?b=c.wav"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "https://user:pw@[bucket.s3.amazonaws.com/vm.wav?X-Amz-Signature=abc#t=1",
            "https://[bucket.s3.amazonaws.com/vm.wav?***",
        ),
        ("https://[::1/vm.wav", "https://[::1/vm.wav"),
    ],
)
def test_a_url_python_cannot_split_still_shows_no_password_nor_query(url: str, shown: str) -> None:
    # urlsplit refuses an unbalanced "[" (ValueError), and the source was shown as given.
    assert shown_source(url, None, None) == shown
