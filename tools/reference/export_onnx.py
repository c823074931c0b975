"""Exports the reference SiT (sit.py) with random weights to ONNX for the onnxruntime-web
comparison in bench/browser (issue 3).

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 tools/reference/export_onnx.py \
        [--size B] [--batch 1] [--out out/bench/onnx]

Writes <out>/sit-<size>2-b<batch>.onnx (opset 17, static shapes: x [B,4,32,32] f32,
t [B] f32, y [B] int64 -> out [B,4,32,32] f32), plus <name>.io.json with a fixed input and
PyTorch's output for it, so the browser runner can check that onnxruntime-web computes the
same function before timing it.

Three export-only rewrites, numerically identical to sit.py: the timestep sinusoid's
frequencies are a float32 constant (sit.py builds them in float64, which would put float64
Range/Exp nodes in the graph, and the WebGPU EP has no float64 kernels), and unpatchify is a
reshape + transpose instead of an einsum (Transpose is a core WebGPU kernel everywhere), and the affine-free LayerNorms get explicit
weight 1 / bias 0 (torch 1.13 otherwise emits an invalid LayerNormalization node).
"""
import argparse
import json
import math
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sit  # noqa: E402
from bench_torch import CONFIGS  # noqa: E402

INPUT_SIZE = 32


def sinusoid_f32(t, dim=sit.FREQ_DIM, max_period=10000.0):
    half = dim // 2
    freqs = torch.tensor([math.exp(-math.log(max_period) * k / half) for k in range(half)], dtype=torch.float32)
    args = t[:, None].float() * freqs[None, :]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


def unpatchify_transpose(self, x):
    p, c = self.patch, self.out_channels
    g = INPUT_SIZE // p  # static grid (under tracing x.shape[1] is a tensor)
    x = x.reshape(x.shape[0], g, g, p, p, c).permute(0, 5, 1, 3, 2, 4)
    return x.reshape(x.shape[0], c, g * p, g * p)


class _FunctionalWithAffineLayerNorm:
    """torch.nn.functional, except layer_norm always passes weight = 1 and bias = 0: torch
    1.13 exports an affine-free F.layer_norm as a LayerNormalization node with an empty
    scale input, which the ONNX checker (and onnxruntime) reject."""

    def __getattr__(self, name):
        return getattr(torch.nn.functional, name)

    @staticmethod
    def layer_norm(x, shape, weight=None, bias=None, eps=1e-5):
        if weight is None:
            weight = torch.ones(shape, dtype=x.dtype)
        if bias is None:
            bias = torch.zeros(shape, dtype=x.dtype)
        return torch.nn.functional.layer_norm(x, shape, weight, bias, eps)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="B", choices=list(CONFIGS))
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--out", default="out/bench/onnx")
    args = ap.parse_args()

    torch.manual_seed(0)
    model = sit.SiT(input_size=32, patch=2, learn_sigma=False, **CONFIGS[args.size]).eval()
    g = torch.Generator().manual_seed(1)
    B = args.batch
    x = torch.randn(B, 4, 32, 32, generator=g)
    t = torch.rand(B, generator=g)
    y = torch.randint(0, 1000, (B,), generator=g)
    with torch.inference_mode():
        ref = model(x, t, y)

    sit.timestep_sinusoid = sinusoid_f32
    sit.SiT.unpatchify = unpatchify_transpose
    sit.F = _FunctionalWithAffineLayerNorm()
    with torch.inference_mode():
        patched = model(x, t, y)
    err = (patched - ref).abs().max().item() / ref.abs().max().item()
    assert err < 1e-5, f"export rewrites changed the output by {err}"

    os.makedirs(args.out, exist_ok=True)
    name = f"sit-{args.size}2-b{B}"
    path = os.path.join(args.out, name + ".onnx")
    t0 = time.perf_counter()
    torch.onnx.export(
        model, (x, t, y), path, opset_version=17, input_names=["x", "t", "y"], output_names=["out"],
        do_constant_folding=True,
    )
    params = sum(p.numel() for p in model.parameters())
    with open(os.path.join(args.out, name + ".io.json"), "w") as f:
        json.dump({
            "size": args.size, "batch": B, "params": params,
            "x": x.flatten().tolist(), "t": t.tolist(), "y": y.tolist(),
            "out": ref.flatten().tolist(), "shape": list(ref.shape),
        }, f)
    print(json.dumps({"onnx": path, "bytes": os.path.getsize(path), "params": params, "export_s": time.perf_counter() - t0,
                      "rewrite_rel_err": err, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
