"""Tiny ONNX models built in the test (the `onnx` package's helpers), and their model cards.

`brightness_model` scores an image by its mean brightness: with the card's scale of 255 the
score is the mean of the RGB values in [0, 1], which a test can compute itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import onnx
from onnx import TensorProto, helper

SIDE = 32


def brightness_model(side: int = SIDE, batch: str | int = "N", fails_below: float | None = None) -> bytes:
    """ReduceMean over channels and pixels: output (N,) in [0, 1] for inputs scaled to [0, 1].
    With `fails_below`, the output is sqrt(mean - fails_below): not a number for darker images."""
    image = helper.make_tensor_value_info("image", TensorProto.FLOAT, [batch, 3, side, side])
    score = helper.make_tensor_value_info("score", TensorProto.FLOAT, [batch])
    axes = helper.make_tensor("axes", TensorProto.INT64, [3], [1, 2, 3])
    initializers = [axes]
    if fails_below is None:
        nodes = [helper.make_node("ReduceMean", ["image", "axes"], ["score"], keepdims=0)]
    else:
        initializers.append(helper.make_tensor("offset", TensorProto.FLOAT, [], [fails_below]))
        nodes = [helper.make_node("ReduceMean", ["image", "axes"], ["mean"], keepdims=0), helper.make_node("Sub", ["mean", "offset"], ["shifted"]),
                 helper.make_node("Sqrt", ["shifted"], ["score"])]
    graph = helper.make_graph(nodes, "brightness", [image], [score], initializer=initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def card(side: int = SIDE, **changes: Any) -> dict[str, Any]:
    return {"name": "Brightness test model", "version": "1.0", "licence": "CC0-1.0 (built in the test)",
            "input": {"width": side, "height": side, "layout": "NCHW"}, "resize": "stretch", "crop": "none",
            "normalisation": {"scale": 255, "mean": [0, 0, 0], "std": [1, 1, 1]}, "output": {"meaning": "probability_ai", "index": 0},
            "threshold": 0.5, **changes}


def write_detector(folder: Path, model: bytes | None = None, **changes: Any) -> tuple[Path, Path]:
    """(model path, card path) in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    model_path, card_path = folder / "model.onnx", folder / "card.json"
    model_path.write_bytes(brightness_model() if model is None else model)
    card_path.write_text(json.dumps(card(**changes)))
    return model_path, card_path
