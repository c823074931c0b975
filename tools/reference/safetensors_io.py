"""Minimal safetensors writer/reader (no external package).

File: u64 little-endian header length N, N bytes of JSON header, then the raw data.
Header: {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}};
offsets are relative to the start of the data. The header is space-padded to a multiple of
8 bytes so the data starts aligned.
"""
import json
import struct

import numpy as np

_DTYPES = {np.dtype("<f4"): "F32", np.dtype("<i4"): "I32", np.dtype("<f2"): "F16", np.dtype("<i8"): "I64"}
_NP = {v: k for k, v in _DTYPES.items()}


def write_safetensors(path, tensors, metadata=None):
    header, chunks, offset = {}, [], 0
    for name, arr in tensors.items():  # insertion order = data order
        arr = np.ascontiguousarray(arr)
        arr = arr.astype(arr.dtype.newbyteorder("<"), copy=False)
        raw = arr.tobytes()
        header[name] = {"dtype": _DTYPES[arr.dtype], "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for raw in chunks:
            f.write(raw)


def read_safetensors(path):
    """Returns ({name: np.ndarray}, metadata dict)."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    data = blob[8 + n:]
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        out[name] = np.frombuffer(data[b:e], dtype=_NP[info["dtype"]]).reshape(info["shape"]).copy()
    return out, meta
