"""Audio in and out: validating untrusted uploads (``probing``, with ``containers`` and
``stream_length``), decoding them for the engines (``decoding``), recognising containers by
their bytes (``sniff``), encoding replies (``encode``) and measuring how much of a recording
is sound (``activity``)."""

from __future__ import annotations

from shared.audio.containers import AV_ERRORS, MEDIA_TYPES, UPLOAD_MEDIA_TYPES
from shared.audio.decoding import decode_pcm16k
from shared.audio.encode import encode_pcm
from shared.audio.probing import AudioInfo, pcm_rms_dbfs, probe
from shared.audio.sniff import sniff_container

__all__ = [
    "AV_ERRORS",
    "MEDIA_TYPES",
    "UPLOAD_MEDIA_TYPES",
    "AudioInfo",
    "decode_pcm16k",
    "encode_pcm",
    "pcm_rms_dbfs",
    "probe",
    "sniff_container",
]
