"""The offline voice's graph, with its one-dimensional convolutions run as two-dimensional ones.

Piper's voices are VITS models: about 70 % of a synthesis is spent in 1-D ``Conv`` and
``ConvTranspose`` (the decoder's upsampling and residual blocks at audio rate). onnxruntime's
CPU provider runs 2-D convolutions through its blocked NCHWc kernels, and 1-D ones through a
slower generic path. A 1-D convolution over ``[N, C, L]`` is the 2-D convolution over
``[N, C, 1, L]`` with a ``1 x k`` kernel, so each one is rewritten as
``Unsqueeze -> Conv (2-D) -> Squeeze``, with its weights reshaped once here.

Measured on the demo's scripts, one thread (session 30): CPU seconds per second of speech
0.073 -> 0.064 and 0.076 -> 0.066 in two runs, samples within 4 of 32,767 of the original's.
Measured the same as this simpler rewrite, so not kept: the whole decoder in 4-D tensors,
so that no reorders sit between its convolutions; and each upsampling ``ConvTranspose`` as a
polyphase ``Conv`` (one output channel per phase, interleaved by a reshape), 0.0655 -> 0.0649.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

_CONVOLUTIONS = ("Conv", "ConvTranspose")
_AXIS = "voice_graph_height_axis"


def convolutions_as_2d(model: Any) -> int:
    """Rewrite ``model`` (an ``onnx.ModelProto``) in place; returns how many were rewritten.

    Convolutions whose weights are not a 3-D initializer (2-D ones, or weights computed in
    the graph) are left as they are.
    """
    from onnx import helper, numpy_helper

    graph = model.graph
    weights = {init.name: init for init in graph.initializer}
    nodes: list[Any] = []
    rewritten = 0
    replaced: set[str] = set()
    for node in graph.node:
        weight = weights.get(node.input[1]) if node.op_type in _CONVOLUTIONS else None
        if weight is None or len(weight.dims) != 3:
            nodes.append(node)
            continue
        # Unique names: one node's input may feed several convolutions.
        wide_in = f"{node.input[0]}/voice_graph_2d_{rewritten}"
        wide_out = f"{node.output[0]}/voice_graph_2d"
        wide_weight = numpy_helper.from_array(
            numpy_helper.to_array(weight)[:, :, np.newaxis, :], f"{weight.name}/voice_graph_2d"
        )
        graph.initializer.append(wide_weight)
        replaced.add(weight.name)
        nodes.append(helper.make_node("Unsqueeze", [node.input[0], _AXIS], [wide_in]))
        nodes.append(
            helper.make_node(
                node.op_type,
                [wide_in, wide_weight.name, *node.input[2:]],
                [wide_out],
                name=f"{node.name or node.output[0]}/voice_graph_2d",
                **_attributes_2d(node),
            )
        )
        nodes.append(helper.make_node("Squeeze", [wide_out, _AXIS], [node.output[0]]))
        rewritten += 1
    if not rewritten:
        return 0
    graph.initializer.append(numpy_helper.from_array(np.array([2], dtype=np.int64), _AXIS))
    del graph.node[:]
    graph.node.extend(nodes)
    # Only the 3-D originals no node reads any more go: other initializers may be read by
    # subgraphs, which this pass does not walk.
    used = {name for node in graph.node for name in node.input}
    kept = [init for init in graph.initializer if init.name in used or init.name not in replaced]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    return rewritten


def _attributes_2d(node: Any) -> dict[str, Any]:
    from onnx import helper

    attributes: dict[str, Any] = {}
    for attribute in node.attribute:
        value = helper.get_attribute_value(attribute)
        # The new height axis: kernel, stride, dilation and output of 1, no padding.
        if attribute.name in ("kernel_shape", "strides", "dilations", "output_shape"):
            value = [1, *value]
        elif attribute.name == "output_padding":
            value = [0, *value]
        elif attribute.name == "pads":  # [begin, end] -> [top, left, bottom, right]
            value = [0, value[0], 0, value[1]]
        attributes[attribute.name] = value
    return attributes


def voice_session(source: Path, options: Any) -> Any:
    """An ``onnxruntime.InferenceSession`` of the voice at ``source``, its convolutions as 2-D.

    The graph is prepared in a child process, for memory. Done in this process, the voice
    stayed ~290 MB larger after loading instead of ~0 (the protobuf's freed pages are kept
    by the allocator, and an in-memory model is kept as a copy). The child also lets
    onnxruntime lay the weights out in its blocked format and saves that graph: loaded
    from a graph that is not yet blocked, onnxruntime keeps both layouts, 64 MB more. The
    blocked graph suits only the CPU it was made on, so it is made at each load, in a
    temporary folder, and never kept. If the child fails, the voice's own graph is used.
    """
    import onnxruntime

    def session(model: Path) -> Any:
        return onnxruntime.InferenceSession(
            str(model), sess_options=options, providers=["CPUExecutionProvider"]
        )

    try:
        with tempfile.TemporaryDirectory(prefix="voicepipe-voice-") as folder:
            prepared = Path(folder) / "voice.onnx"
            subprocess.run(
                [sys.executable, "-m", __name__, str(source), str(prepared)],
                check=True,
                capture_output=True,
                timeout=300,
                env={**os.environ, "PYTHONPATH": _package_root()},
            )
            return session(prepared)
    # Any failure: onnxruntime's errors derive from Exception alone, and a voice that is
    # itself broken fails again below, loudly, on its own graph.
    except Exception as exc:  # noqa: BLE001 - any failure: the voice's own graph instead
        detail = getattr(exc, "stderr", b"") or b""
        log.warning(
            "offline voice: its faster graph could not be prepared, so it runs ~12 %% "
            "slower on its own graph: %s %s",
            exc,
            detail.decode(errors="replace")[-500:],
        )
    return session(source)


def _package_root() -> str:
    root = str(Path(__file__).resolve().parents[2])
    inherited = os.environ.get("PYTHONPATH")
    return f"{root}{os.pathsep}{inherited}" if inherited else root


def _prepare(source: str, target: str) -> None:
    import onnx
    import onnxruntime

    model = onnx.load(source)
    convolutions_as_2d(model)
    options = onnxruntime.SessionOptions()
    options.optimized_model_filepath = target
    options.log_severity_level = 3  # its warning that the saved graph suits only this CPU
    onnxruntime.InferenceSession(
        model.SerializeToString(), sess_options=options, providers=["CPUExecutionProvider"]
    )


if __name__ == "__main__":
    _prepare(sys.argv[1], sys.argv[2])
