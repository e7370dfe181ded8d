"""Benign model files built byte by byte or with the `safetensors` library: LoRAs, checkpoints,
pickles (one carrying a dangerous import, never executed), GGUF headers."""

from __future__ import annotations

import hashlib
import io
import json
import struct
import zipfile
from pathlib import Path

import numpy as np
from safetensors.numpy import save

LORA_TENSORS = {
    "lora_unet_down_blocks_0_attn1_to_q.lora_up.weight": np.ones((8, 4), dtype=np.float32),
    "lora_unet_down_blocks_0_attn1_to_q.lora_down.weight": np.full((4, 8), 0.5, dtype=np.float32),
}
TAGS = {"10_shapes": {"square": 12, "circle": 8}}


def tensor_data_hash(data: bytes) -> str:
    """SHA-256 of what follows the safetensors header (AutoV3, kohya's sshs_model_hash)."""
    (length,) = struct.unpack("<Q", data[:8])
    return hashlib.sha256(data[8 + length :]).hexdigest()


def lora(output_name: str = "squares_v1", with_hash: bool = True) -> bytes:
    metadata = {
        "ss_output_name": output_name,
        "ss_network_module": "networks.lora",
        "ss_sd_model_name": "benign_base.safetensors",
        "ss_num_train_images": "20",
        "ss_training_started_at": "1700000000.0",
        "ss_tag_frequency": json.dumps(TAGS),
        "ss_dataset_dirs": json.dumps({"10_shapes": {"n_repeats": 10, "img_count": 20}}),
    }
    data = save(LORA_TENSORS, metadata=metadata)
    if with_hash:
        data = save(LORA_TENSORS, metadata=metadata | {"sshs_model_hash": tensor_data_hash(data)})
    return data


def checkpoint() -> bytes:
    """Over 1 MiB, so it has an AutoV1 hash too."""
    tensors = {"model.diffusion_model.input_blocks.0.0.weight": np.arange(300_000, dtype=np.float32)}
    return save(tensors, metadata={"modelspec.title": "Benign Base", "modelspec.architecture": "stable-diffusion-v1"})


def _unicode(text: str) -> bytes:
    raw = text.encode()
    return b"X" + struct.pack("<I", len(raw)) + raw


def dangerous_pickle(command: str) -> bytes:
    """`os.system(command)` on unpickling, written opcode by opcode (PROTO, GLOBAL, BINUNICODE, TUPLE1, REDUCE, STOP)."""
    return b"\x80\x02" + b"cos\nsystem\n" + _unicode(command) + b"\x85" + b"R" + b"."


def state_dict_pickle(*keys: str) -> bytes:
    """A dict of the given keys to None: the shape of a state dict, without tensors."""
    body = b"".join(_unicode(key) + b"N" + b"s" for key in keys)
    return b"\x80\x02" + b"}" + body + b"."


def torch_zip(pickle: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("archive/data.pkl", pickle)
        archive.writestr("archive/version", "3\n")
    return buffer.getvalue()


def _gguf_string(text: str) -> bytes:
    raw = text.encode()
    return struct.pack("<Q", len(raw)) + raw


def gguf() -> bytes:
    kvs = [
        _gguf_string("general.quality") + struct.pack("<I", 6) + struct.pack("<f", float("nan")),
        _gguf_string("general.architecture") + struct.pack("<I", 8) + _gguf_string("llama"),
        _gguf_string("general.name") + struct.pack("<I", 8) + _gguf_string("benign-tiny"),
        _gguf_string("llama.context_length") + struct.pack("<I", 4) + struct.pack("<I", 2048),
        _gguf_string("tokenizer.ggml.tokens") + struct.pack("<I", 9) + struct.pack("<IQ", 8, 100) + b"".join(_gguf_string(f"t{i}") for i in range(100)),
    ]
    return b"GGUF" + struct.pack("<IQQ", 3, 0, len(kvs)) + b"".join(kvs)


def padded_torch_zip(path: Path, padding_bytes: int, tail: bytes) -> None:
    """A PyTorch zip whose `data.pkl` is `padding_bytes` of NONE opcodes, then `tail` (and STOP),
    written as a stream: hundreds of MB of pickle compress to a few hundred KB."""
    chunk = b"N" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("archive/data.pkl", "w", force_zip64=True) as member:
            member.write(b"\x80\x02")
            for _ in range(padding_bytes // len(chunk)):
                member.write(chunk)
            member.write(tail + b".")
        archive.writestr("archive/version", "3\n")


def padded_trap(command: str) -> bytes:
    """The opcodes of `dangerous_pickle` after its PROTO, for hiding behind padding."""
    return dangerous_pickle(command)[2:-1]
