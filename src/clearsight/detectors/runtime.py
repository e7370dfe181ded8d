"""Running a detector with ONNX Runtime (the optional `detectors` extra; no torch).

Models are only ever opened from files a hotline added itself (`clearsight detectors add`), as
ONNX: a protobuf graph that is parsed, never unpickled or executed as code. One session per
process and model, on one thread: the scan's workers already use every core.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from clearsight.detectors.card import ModelCard
from clearsight.detectors.preprocess import tensor
from clearsight.errors import ClearsightError

EXTRA_MISSING = "detectors need the optional extra: pip install 'clearsight[detectors]' (ONNX Runtime)"


def available() -> Any:
    """The onnxruntime module; a one-line reason to install the extra when it is missing."""
    try:
        import onnxruntime
    except ImportError:
        raise ClearsightError(EXTRA_MISSING) from None
    return onnxruntime


def _fits(dimension: Any, wanted: int) -> bool:
    """A model dimension accepts `wanted`: the same number, or a named or unknown (dynamic) one."""
    return not isinstance(dimension, int) or dimension in (wanted, -1)


@dataclass
class Detector:
    """A loaded model and its card."""

    card: ModelCard
    session: Any
    input_name: str
    batch_dynamic: bool

    def scores(self, images: Sequence[Image.Image]) -> list[float]:
        """The probability, per image, that it is AI-made (a logit output is put through the
        logistic function). Batched when the model's batch dimension allows it."""
        if not images:
            return []
        batches = [np.stack([tensor(image, self.card) for image in images])] if self.batch_dynamic else [tensor(image, self.card)[None] for image in images]
        values: list[float] = []
        for batch in batches:
            [output] = self.session.run([self.session.get_outputs()[0].name], {self.input_name: batch})
            flat = np.asarray(output, dtype=np.float64).reshape(len(batch), -1)
            values += [float(row[self.card.output_index]) for row in flat]
        if self.card.output == "logit_ai":
            values = [1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, value)))) for value in values]
        if not all(math.isfinite(value) for value in values):
            raise ValueError("the model gave a score that is not a number")
        return values


def load(model: bytes | Path, card: ModelCard) -> Detector:
    """A detector from an ONNX model, its input and output checked against the card: a corrupt
    file, or a card that does not match the model, is refused with the reason."""
    onnxruntime = available()
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    try:
        source = model if isinstance(model, bytes) else str(model)
        session = onnxruntime.InferenceSession(source, sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # noqa: BLE001 - ONNX Runtime raises its own types for a bad file
        raise ClearsightError(f"the model cannot be loaded as ONNX: {str(exc).splitlines()[0][:300]}") from None
    inputs, outputs = session.get_inputs(), session.get_outputs()
    if len(inputs) != 1:
        raise ClearsightError(f"the model has {len(inputs)} inputs; a detector takes one image tensor")
    shape = list(inputs[0].shape)
    if inputs[0].type != "tensor(float)" or len(shape) != 4:
        raise ClearsightError(f"the model's input is {inputs[0].type} of shape {shape}; a detector takes a float tensor of 4 dimensions")
    expected = [3, card.height, card.width] if card.layout == "NCHW" else [card.height, card.width, 3]
    if not all(_fits(dimension, wanted) for dimension, wanted in zip(shape[1:], expected, strict=True)):
        raise ClearsightError(f"the card says input {card.layout} {card.width}x{card.height}, but the model's input shape is {shape}")
    width = math.prod(dimension for dimension in outputs[0].shape[1:] if isinstance(dimension, int)) if outputs else 0
    if not outputs or (all(isinstance(dimension, int) for dimension in outputs[0].shape[1:]) and card.output_index >= max(width, 1)):
        raise ClearsightError(f"the card reads output index {card.output_index}, but the model's first output has shape {outputs[0].shape if outputs else None}")
    return Detector(card, session, inputs[0].name, batch_dynamic=not isinstance(shape[0], int) or shape[0] == -1)
