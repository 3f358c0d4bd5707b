from __future__ import annotations

import json

from workers.providers.error_bodies import error_words, shape

SENT = json.dumps({"model": "tts-1", "input": "Your parcel \u2019s on the way to Maria Lopez"})


def test_a_page_is_described_by_its_type_length_and_title() -> None:
    page = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"

    said = error_words(None, page, "text/html; charset=utf-8", SENT)

    assert said == f"a body of {len(page)} bytes (text/html) titled '502 Bad Gateway'"


def test_a_title_quoting_the_request_is_left_out() -> None:
    page = b"<title>bad input: the way to Maria Lopez</title>"

    assert "Maria" not in shape(page, "text/html", SENT)


def test_a_vendor_message_quoting_escaped_words_of_a_json_request_is_withheld() -> None:
    said = error_words("Invalid value: 'parcel\u2019s on the way'", b"{}", "application/json", SENT)

    assert said.endswith("(application/json), whose message quotes the request (withheld)")


def test_a_vendor_message_sharing_no_run_of_words_with_the_request_is_kept() -> None:
    said = "Invalid value: 'nova'. Supported values are: 'alloy', 'echo'"

    assert error_words(said, b"{}", "application/json", SENT) == said


def test_a_vendor_message_quoting_a_request_written_without_spaces_is_withheld() -> None:
    # Japanese (or Chinese) is written without spaces: its reply is no recording's base64.
    reply = "お電話ありがとうございます、田中様。ご予約は明日の午後三時です。"
    sent = json.dumps({"model": "tts-1", "input": reply, "voice": "nova"})

    said = error_words(f"Invalid input: {reply}", b"{}", "application/json", sent)

    assert "田中" not in said
    assert said.endswith("whose message quotes the request (withheld)")
