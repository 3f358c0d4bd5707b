"""Render the voicemail evaluation set (``voicemails.json``) into ``audio/``.

Run from the repository root::

    apt-get install -y flite espeak-ng      # Debian's voices; piper comes with the venv
    .venv/bin/python -m tests.quality.make_voicemails [vm01 vm07 ...]

With no ids every clip is rewritten. The clips are committed, so the tests never need
flite or espeak-ng; only regenerating them does.

Each entry's ``voice`` is ``flite:<kal|kal16|awb|rms|slt>``, ``espeak:<voice[+variant]>``
or ``piper:noisy`` (the project's offline voice with more sampling randomness than the
demo's). Its ``delivery`` is what a voicemail system hands over: ``ulaw8k.wav`` (G.711
µ-law) and ``8k.mp3`` go through a telephone channel (300-3400 Hz, 8 kHz), ``m4a`` is AAC
at 22.05 kHz and ``16k.wav`` is 16-bit PCM. ``noise_snr_db`` adds seeded background noise.

Labels are by the guide the written sets share (``written_callers.md``). vm15 ("This is
unacceptable. I want somebody to call me today.") was labelled urgency normal until
2026-12-05, when the retrained triage models read Whisper's hearing of it as high and the
label was checked: the guide calls a same-day need high, vm35's "I need to speak to someone
today" is high in this very set, and so is every other "call me today" in the written sets
and the training corpus (46 of them; "call me back today or tomorrow" is normal). It was
relabelled high, and a call back wanted today became one of the rules' urgent cues.

Everything but piper is deterministic: its duration and noise sampling happen inside the
ONNX model, whose random generator cannot be seeded from here, so piper clips differ
slightly between runs (same words, same delivery).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import wave
import zlib
from pathlib import Path
from typing import TypedDict

import numpy as np
import numpy.typing as npt

from shared.audio import encode_pcm
from shared.audio.encode import encode_with
from shared.audio.offline_voice import speak

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "voicemails.json"

Floats = npt.NDArray[np.float64]


class Expected(TypedDict):
    caller_name: str | None
    callback_number: str | None
    callback_partial: bool
    intent: str
    urgency: str


class Voicemail(TypedDict):
    id: str
    text: str
    voice: str
    delivery: str
    region: str  # the deployment's region the clip is triaged in (GB for UK callers)
    noise_snr_db: float | None
    expected: Expected
    file: str


def load_manifest(path: Path = MANIFEST) -> list[Voicemail]:
    entries: list[Voicemail] = json.loads(path.read_text(encoding="utf-8"))
    return entries


def _rng(clip_id: str) -> np.random.Generator:
    # crc32, not hash(): str hashes are salted per process and would change every run.
    return np.random.default_rng(zlib.crc32(clip_id.encode()))


def _read_wav(path: Path) -> tuple[Floats, int]:
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
            raise ValueError(f"{path}: expected 16-bit mono, got {wav.getparams()}")
        frames = wav.readframes(wav.getnframes())
        rate = wav.getframerate()
    return np.frombuffer(frames, dtype="<i2").astype(np.float64) / 32768.0, rate


def synthesize(entry: Voicemail) -> tuple[Floats, int]:
    """The script spoken by the entry's voice, as floats in [-1, 1] and their rate."""
    family, _, name = entry["voice"].partition(":")
    text = entry["text"]
    if family == "piper":
        pcm, rate = speak(text, noise_scale=0.9, noise_w_scale=1.0, length_scale=1.1)
        return pcm.astype(np.float64) / 32768.0, rate
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "speech.wav"
        if family == "flite":
            command = ["flite", "-voice", name, "-t", text, "-o", str(out)]
        elif family == "espeak":
            # Callers talk at different paces; the pace is fixed per clip so reruns match.
            words_per_minute = 145 + zlib.crc32(entry["id"].encode()) % 36
            command = ["espeak-ng", "-v", name, "-s", str(words_per_minute), "-w", str(out), text]
        else:
            raise ValueError(f"{entry['id']}: unknown voice {entry['voice']!r}")
        subprocess.run(command, check=True, capture_output=True)
        return _read_wav(out)


def resample(
    samples: Floats, rate: int, new_rate: int, band: tuple[float, float] | None = None
) -> Floats:
    """FFT resampling, optionally keeping only ``band`` Hz (the telephone channel's filter).

    Zeroing bins above the new Nyquist frequency first means no aliasing, and one transform
    does both the band limit and the rate change.
    """
    spectrum = np.fft.rfft(samples)
    freqs = np.fft.rfftfreq(len(samples), 1.0 / rate)
    low, high = band if band is not None else (0.0, new_rate / 2)
    spectrum[(freqs < low) | (freqs > min(high, new_rate / 2))] = 0
    out_len = round(len(samples) * new_rate / rate)
    bins = out_len // 2 + 1
    if bins > len(spectrum):
        spectrum = np.concatenate([spectrum, np.zeros(bins - len(spectrum), spectrum.dtype)])
    result: Floats = np.fft.irfft(spectrum[:bins], out_len) * (out_len / len(samples))
    return result


def _noise(kind: str, size: int, rate: int, rng: np.random.Generator) -> Floats:
    if kind == "hum":
        # Mains hum with the odd harmonics a cheap adapter adds, so it survives the
        # telephone band, plus a little hiss.
        t = np.arange(size) / rate
        hum = sum(np.sin(2 * np.pi * 60 * k * t + rng.uniform(0, 6.3)) / k for k in (1, 3, 5, 7, 9))
        hiss: Floats = np.asarray(hum, dtype=np.float64) + 0.3 * rng.standard_normal(size)
        return hiss
    white = rng.standard_normal(size)
    if kind == "white":
        return white
    # Pink (1/f) noise: white noise shaped by 1/sqrt(f) in the frequency domain, like
    # traffic or a room's background.
    spectrum = np.fft.rfft(white)
    spectrum /= np.sqrt(np.maximum(np.fft.rfftfreq(size, 1.0 / rate), 20.0))
    pink: Floats = np.fft.irfft(spectrum, size)
    return pink


def _rms(samples: Floats) -> float:
    return float(np.sqrt(np.mean(np.square(samples)))) if samples.size else 0.0


def voicemail_audio(entry: Voicemail, speech: Floats, rate: int) -> Floats:
    """The speech as recorded: level, silence around it and background noise."""
    rng = _rng(entry["id"])
    # Callers are near or far from the phone: speech RMS between -26 and -16 dBFS.
    speech = speech / max(_rms(speech), 1e-9) * 10 ** (rng.uniform(-26, -16) / 20)
    lead, trail = (int(rng.uniform(0.3, 1.0) * rate) for _ in range(2))
    audio = np.concatenate([np.zeros(lead), speech, np.zeros(trail)])
    snr = entry["noise_snr_db"]
    # The noise kind is drawn even without noise so that adding it later changes nothing else.
    kind = str(rng.choice(["white", "pink", "hum"]))
    if snr is not None:
        noise = _noise(kind, len(audio), rate, rng)
        audio = audio + noise / _rms(noise) * _rms(speech) * 10 ** (-snr / 20)
    # A voicemail system's gain control keeps peaks under full scale; clipped speech
    # would measure the clipping, not the channel.
    return audio * min(1.0, 0.9 / float(np.abs(audio).max()))


def _to_int16(samples: Floats) -> npt.NDArray[np.int16]:
    return np.clip(np.round(samples * 32767), -32768, 32767).astype(np.int16)


_TELEPHONE_BAND = (300.0, 3400.0)


def deliver(audio: Floats, rate: int, delivery: str) -> bytes:
    """The file a voicemail system would hand over in ``delivery``'s format."""
    if delivery == "ulaw8k.wav":
        pcm = _to_int16(resample(audio, rate, 8000, _TELEPHONE_BAND))
        return encode_with(pcm, 8000, "wav", "pcm_mulaw", "s16", None, 8000)
    if delivery == "8k.mp3":
        pcm = _to_int16(resample(audio, rate, 8000, _TELEPHONE_BAND))
        # MPEG-2.5 layer III; telephone-band speech needs no more than 16 kbit/s.
        return encode_with(pcm, 8000, "mp3", "libmp3lame", "s16p", 16000, 8000)
    if delivery == "m4a":
        pcm = _to_int16(resample(audio, rate, 22050))
        return encode_with(pcm, 22050, "ipod", "aac", "fltp", 24000, 22050)
    if delivery == "16k.wav":
        return encode_pcm(_to_int16(resample(audio, rate, 16000)), 16000, "wav")
    raise ValueError(f"unknown delivery {delivery!r}")


def render(entry: Voicemail, root: Path = HERE) -> Path:
    speech, rate = synthesize(entry)
    data = deliver(voicemail_audio(entry, speech, rate), rate, entry["delivery"])
    path = root / entry["file"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def main(argv: list[str] | None = None) -> int:
    wanted = set(sys.argv[1:] if argv is None else argv)
    entries = [e for e in load_manifest() if not wanted or e["id"] in wanted]
    for entry in entries:
        path = render(entry)
        print(
            f"{entry['id']}  {entry['voice']:<18} {entry['delivery']:<10} "
            f"{path.stat().st_size / 1024:6.1f} KB  {path.relative_to(HERE)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
