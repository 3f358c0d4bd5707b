"""The corpus of malformed uploads that tests/integration/test_bad_input_corpus.py sends to
the API: each case with the status, error code and message phrase it must get."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests import audio_factory as af
from tests import hostile_audio as hostile

# The stack runs with the documented defaults.
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
MAX_DURATION_S = 600.0
# Every answer, including to a decompression bomb or a 25 MB body, comes within this.
QUICK_S = 5.0
# How much a decode-heavy rejection may raise the API process's peak memory.
HEAVY_PEAK_MB = 64

Request = dict[str, Any]  # keyword arguments for httpx.Client.post


@dataclass(frozen=True)
class Bad:
    id: str
    status: int
    code: str
    request: Callable[[], Request]
    # A phrase the message must contain, when the code alone does not say enough.
    says: str = ""
    # Decodes a lot before it is refused: the API's peak memory is watched too.
    heavy: bool = False


def upload(
    build: Callable[[], bytes],
    name: str = "voicemail.mp3",
    content_type: str = "audio/mpeg",
    **fields: str,
) -> Callable[[], Request]:
    """A normal upload of ``build()`` as the field ``file``, plus text ``fields``."""
    return lambda: {"files": {"file": (name, build(), content_type)}, "data": fields}


BOUNDARY = "vp-corpus-boundary"


def multipart(*parts: tuple[bytes, bytes], close: bool = True) -> Request:
    """A multipart body written byte for byte: each part is (disposition params, body).

    httpx encodes file names as UTF-8 and always frames parts correctly; these cases need raw
    bytes in the name, or framing that is wrong.
    """
    body = b""
    for params, data in parts:
        body += (
            f"--{BOUNDARY}\r\n".encode()
            + b"Content-Disposition: form-data; "
            + params
            + b"\r\nContent-Type: application/octet-stream\r\n\r\n"
            + data
            + b"\r\n"
        )
    if close:
        body += f"--{BOUNDARY}--\r\n".encode()
    return {
        "content": body,
        "headers": {"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
    }


def wav() -> bytes:
    return af.encode("wav", 1.0)


# Cut 4 s files: (format, bytes kept, code). A cut Ogg, raw AAC or AMR keeps no declared
# length, so half of one is a shorter, valid recording and is not in this list.
TRUNCATED: list[tuple[af.AudioFormat, int | float, str]] = [
    *[(fmt, 64, "undecodable") for fmt in ("wav", "mp3", "ogg", "webm", "flac", "m4a", "3gp")],
    *[(fmt, 64, "too_short") for fmt in ("aac", "amr")],
    # Cut below the minimum: those whose header says how long they were are called cut.
    *[(fmt, 1000, "truncated") for fmt in ("wav", "mp3", "webm")],
    ("aac", 1000, "too_short"),
    *[(fmt, 1000, "undecodable") for fmt in ("ogg", "flac", "m4a", "3gp")],
    *[(fmt, 0.5, "truncated") for fmt in ("wav", "mp3", "webm", "flac")],
    # The MP4 and 3GP index (moov) is written after the samples, so half a file has none.
    *[(fmt, 0.5, "undecodable") for fmt in ("m4a", "3gp")],
]


def _truncated(fmt: af.AudioFormat, keep: int | float, code: str) -> Bad:
    size = f"{keep:.0%}" if isinstance(keep, float) else f"{keep}B"
    return Bad(
        f"truncated-{fmt}-{size}",
        415 if code.startswith("unsupported") else 422,
        code,
        upload(lambda: af.truncated(fmt, keep), f"voicemail.{fmt}"),
    )


CASES: list[Bad] = [
    *[_truncated(*case) for case in TRUNCATED],
    # Wrong magic: other kinds of files named like audio.
    *[
        Bad(
            f"{kind}-named-mp3",
            415,
            "unsupported_format",
            upload(lambda data=data: data),
            says=looks_like,
        )
        for kind, data, looks_like in [
            ("png", hostile.NON_AUDIO["png"], "a PNG image"),
            ("pdf", hostile.NON_AUDIO["pdf"], "a PDF document"),
            ("html", hostile.NON_AUDIO["html"], "an HTML page"),
            ("json", hostile.NON_AUDIO["json"], "text"),
            ("gzip", hostile.NON_AUDIO["gzip"], "a gzip archive"),
        ]
    ],
    Bad(
        "zip-holding-a-wav-named-mp3",
        415,
        "unsupported_format",
        upload(hostile.zip_archive),
        says="a ZIP archive",
    ),
    Bad(
        "text-sent-as-audio-wav",
        415,
        "unsupported_format",
        upload(af.text_as_wav, "voicemail.wav", "audio/wav"),
        says="text",
    ),
    Bad("zero-length", 400, "empty_file", upload(lambda: b"")),
    # Headers with nothing behind them.
    Bad("riff-wave-12-bytes", 422, "undecodable", upload(lambda: hostile.first_box("wav", 12))),
    Bad("wav-header-no-samples", 422, "truncated", upload(lambda: hostile.wav_header_only(1.0))),
    Bad("id3-tag-alone", 422, "undecodable", upload(hostile.id3_tag_only)),
    # Cut inside its index, before the handler that says its track is sound.
    Bad(
        "3gp-cut-inside-its-index",
        422,
        "undecodable",
        upload(lambda: hostile.cut_inside_index("3gp", 0.9), "voicemail.3gp", "audio/3gpp"),
        says="cut off",
    ),
    Bad("oggs-page-header-alone", 422, "undecodable", upload(lambda: hostile.first_box("ogg"))),
    Bad("flac-marker-alone", 422, "undecodable", upload(lambda: b"fLaC")),
    Bad("flac-streaminfo-alone", 422, "undecodable", upload(lambda: hostile.first_box("flac"))),
    Bad("ebml-header-alone", 422, "undecodable", upload(lambda: hostile.first_box("webm"))),
    Bad("ftyp-box-alone", 422, "undecodable", upload(lambda: hostile.first_box("m4a"))),
    # Random bytes; 16 of them happen to start like an MPEG frame whose successor lies beyond
    # the end, so they are refused by the decoder instead of the sniffer.
    Bad("random-7B", 415, "unsupported_format", upload(lambda: af.random_bytes(7, seed=5))),
    Bad("random-16B-mpeg-like", 422, "undecodable", upload(lambda: af.random_bytes(16, seed=1))),
    Bad("random-1kB", 415, "unsupported_format", upload(lambda: af.random_bytes(1000, seed=2))),
    Bad("random-64kB", 415, "unsupported_format", upload(lambda: af.random_bytes(65536, seed=3))),
    Bad(
        "random-1MB", 415, "unsupported_format", upload(lambda: af.random_bytes(1_000_000, seed=4))
    ),
    Bad("oggs-then-random", 422, "undecodable", upload(lambda: af.with_magic(b"OggS", seed=6))),
    Bad("flac-then-random", 422, "undecodable", upload(lambda: af.with_magic(b"fLaC", seed=7))),
    # Too big: just over the file limit (read, then refused) and far over (refused by its
    # Content-Length before the body is read).
    Bad(
        "oversize-25MiB-plus-1",
        413,
        "too_large",
        upload(lambda: bytes(MAX_UPLOAD_BYTES + 1)),
    ),
    Bad("oversize-26MiB", 413, "too_large", upload(lambda: bytes(26 * 1024 * 1024))),
    # Too long: 11 minutes, small.
    Bad(
        "11min-mp3-8kHz-660kB",
        422,
        "too_long",
        upload(lambda: hostile.mp3_silence(660)),
        heavy=True,
    ),
    Bad(
        "11min-flac-encoded-silence",
        422,
        "too_long",
        upload(lambda: hostile.silence_encoded("flac", 660), "voicemail.flac"),
        heavy=True,
    ),
    # Decompression bombs: hours of audio in a few hundred kB, or headers promising hours.
    Bad(
        "bomb-flac-3h-48kHz-117kB",
        422,
        "too_long",
        upload(lambda: hostile.flac_silence(3 * 3600), "voicemail.flac"),
        heavy=True,
    ),
    Bad(
        "bomb-flac-1h-96kHz-7.1-188kB",
        422,
        "too_long",
        upload(lambda: hostile.flac_silence(3600, rate=96000, channels=8), "voicemail.flac"),
        heavy=True,
    ),
    Bad(
        "bomb-wav-header-declares-4GB",
        422,
        "truncated",
        upload(lambda: hostile.wav_declaring(0xFFFFFFF0), "voicemail.wav"),
        heavy=True,
    ),
    Bad(
        "bomb-mp3-xing-declares-10h",
        422,
        "truncated",
        upload(lambda: hostile.mp3_declaring(10 * 3600 * 16000 // 576)),
        heavy=True,
    ),
    # The opposite lie: 11 minutes whose header counts 100 frames (7 s), its bytes true.
    Bad(
        "bomb-mp3-xing-understates-11min",
        422,
        "too_long",
        upload(lambda: hostile.mp3_understating(660)),
    ),
    # File names: a 10 000-character name overflows the multipart parser's 4 KB part-header
    # limit; a non-UTF-8 name on bad bytes is refused for the bytes.
    Bad(
        "filename-10000-chars",
        400,
        "invalid_request",
        upload(wav, "v" * 9996 + ".wav", "audio/wav"),
    ),
    Bad(
        "filename-not-utf8-text-body",
        415,
        "unsupported_format",
        lambda: multipart((b'name="file"; filename="\xff\xfe\xc3(.mp3"', af.text_as_wav())),
    ),
    # The form itself.
    Bad("no-file-field", 400, "missing_file", lambda: {"data": {"voice": "joe"}}),
    Bad("json-body", 400, "missing_file", lambda: {"json": {"file": "voicemail.wav"}}),
    Bad(
        "file-sent-as-text-field",
        422,
        "invalid_request",
        lambda: multipart((b'name="file"', wav())),
    ),
    Bad(
        "two-file-fields",
        400,
        "duplicate_field",
        lambda: {
            "files": [
                ("file", ("a.wav", wav(), "audio/wav")),
                ("file", ("b.wav", af.encode("wav", 1.0, seed=1), "audio/wav")),
            ]
        },
        says="'file'",
    ),
    Bad(
        "two-stages-fields",
        400,
        "duplicate_field",
        lambda: {
            "files": {"file": ("a.wav", wav(), "audio/wav")},
            "data": {"stages": ["stt", "stt,llm"]},
        },
        says="'stages'",
    ),
    Bad(
        "system-prompt-1MiB",
        422,
        "invalid_request",
        upload(wav, "a.wav", "audio/wav", system_prompt="x" * 1024 * 1024),
        says="system_prompt",
    ),
    Bad(
        "voice-1MiB-plus-1",
        400,
        "invalid_request",
        upload(wav, "a.wav", "audio/wav", voice="x" * (1024 * 1024 + 1)),
    ),
    Bad(
        "2000-form-fields",
        400,
        "invalid_request",
        lambda: {
            "files": {"file": ("a.wav", wav(), "audio/wav")},
            "data": {f"f{i}": "x" for i in range(2000)},
        },
    ),
    Bad(
        "output-format-flac",
        422,
        "invalid_request",
        upload(wav, "a.wav", "audio/wav", output_format="flac"),
        says="output_format",
    ),
    # A body cut before its closing boundary: refused as cut off (api/form_in_memory.py), not
    # read as a form without the fields it lost.
    Bad(
        "multipart-without-closing-boundary",
        400,
        "invalid_request",
        lambda: multipart((b'name="file"; filename="a.wav"', wav()), close=False),
    ),
    Bad(
        "multipart-wrong-boundary",
        400,
        "invalid_request",
        lambda: {
            "content": b"--x\r\nContent-Disposition: form-data; name=file; filename=a.wav\r\n"
            b"\r\nRIFF",
            "headers": {"content-type": "multipart/form-data; boundary=y"},
        },
    ),
]
