"""Fixtures for src/train (test/fixtures/train/*): whole-SideNet gradients from PyTorch.

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 tools/reference/make_train_fixtures.py
    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 tools/reference/make_train_fixtures.py --check-export FILE

For each config: a tiny SideNet (tools/reference/sidenet.py) with random weights everywhere
(the output conv too, so every parameter gets a non-zero gradient), inputs, a target, and
loss = scale * mean((v_t + S(x_t, v_t, t, h, y) - target)^2) (one link of Algorithm 2,
ba-solver.md section 5; scale = 1/K as in the mean over K links), computed in float64
from the float32 weights/inputs, with the gradient of every parameter.

Files per config directory:
  weights.safetensors  the state_dict (reference key names and shapes, float32)
  io.safetensors       x_t, v_t, t, h, y, target, loss [1], grad.<key> for every parameter;
                       metadata: config (JSON)

--check-export FILE: the PyTorch side of the export round trip. FILE is a SideNet exported
by src/train (reference key layout, safetensors). It is loaded with load_state_dict(strict=True)
into the reference SideNet, which runs on the fixture inputs in float64; FILE is copied to
<dir>/export.safetensors and the output stored as <dir>/export_check.safetensors (delta).
"""
import argparse
import json
import os
import shutil
import sys
from collections import OrderedDict

import numpy as np
import torch

from safetensors_io import read_safetensors, write_safetensors
from sidenet import SideNet

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "test", "fixtures", "train")

CONFIGS = [
    # C != E so swapped dimensions fail; attention block 1 of 3; head dim 4.
    dict(name="grad_c16_e24_l3_8x8", seed=707, C=16, E=24, L=3, heads=4, classes=10, size=8,
         t=[0.9, 0.4, 0.05], h=[0.3, -0.2, 0.04], y=[3, 10, 7], scale=0.125),
]


def randomize(model, gen):
    """Weights ~ N(0, 1/fan_in), biases ~ N(0, 0.1^2), label table ~ N(0, 1)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            r = torch.randn(p.shape, generator=gen)
            if name.endswith("bias"):
                p.copy_(0.1 * r)
            elif "embedding_table" in name:
                p.copy_(r)
            else:
                p.copy_(r / p[0].numel() ** 0.5)


def build(cfg):
    return SideNet(C=cfg["C"], E=cfg["E"], L=cfg["L"], heads=cfg["heads"], classes=cfg["classes"])


def inputs(cfg, gen):
    B, S = len(cfg["t"]), cfg["size"]
    x_t = torch.randn((B, 4, S, S), generator=gen)
    v_t = torch.randn((B, 4, S, S), generator=gen)
    target = v_t + 0.5 * torch.randn((B, 4, S, S), generator=gen)
    t = torch.tensor(cfg["t"], dtype=torch.float32)
    h = torch.tensor(cfg["h"], dtype=torch.float32)
    y = torch.tensor(cfg["y"], dtype=torch.int32)
    return x_t, v_t, target, t, h, y


def make(cfg):
    gen = torch.Generator().manual_seed(cfg["seed"])
    out_dir = os.path.join(OUT, cfg["name"])
    os.makedirs(out_dir, exist_ok=True)
    model = build(cfg)
    randomize(model, gen)
    x_t, v_t, target, t, h, y = inputs(cfg, gen)
    sd = OrderedDict((k, v.detach().numpy().astype(np.float32)) for k, v in model.state_dict().items())
    write_safetensors(os.path.join(out_dir, "weights.safetensors"), sd, {"kind": "sidenet-state-dict"})

    ref = build(cfg).double()
    ref.load_state_dict({k: torch.from_numpy(v).double() for k, v in sd.items()}, strict=True)
    pred = v_t.double() + ref(x_t.double(), v_t.double(), t.double(), h.double(), y)
    loss = cfg["scale"] * torch.nn.functional.mse_loss(pred, target.double())
    loss.backward()
    tensors = OrderedDict(x_t=x_t.numpy(), v_t=v_t.numpy(), t=t.numpy(), h=h.numpy(), y=y.numpy(),
                          target=target.numpy(), loss=np.array([loss.item()], dtype=np.float32))
    for k, p in ref.named_parameters():
        tensors["grad." + k] = p.grad.float().numpy()
    config = {k: cfg[k] for k in ("name", "seed", "C", "E", "L", "heads", "classes", "size", "scale")}
    config["attn_index"] = cfg["L"] // 2
    write_safetensors(os.path.join(out_dir, "io.safetensors"), tensors, {"config": json.dumps(config)})
    gmax = max(float(p.grad.abs().max()) for p in ref.parameters())
    print(f"train/{cfg['name']}: loss {loss.item():.6f}, {sum(p.numel() for p in ref.parameters())} params, max |grad| {gmax:.3e}")


def check_export(path):
    tensors, meta = read_safetensors(path)
    cfg = next(c for c in CONFIGS if set(tensors) >= {"input_conv.weight"} and tensors["input_conv.weight"].shape[0] == c["C"])
    out_dir = os.path.join(OUT, cfg["name"])
    io, _ = read_safetensors(os.path.join(out_dir, "io.safetensors"))
    model = build(cfg).double()
    missing = model.load_state_dict({k: torch.from_numpy(v).double() for k, v in tensors.items()}, strict=True)
    print("load_state_dict(strict=True):", missing)
    with torch.no_grad():
        delta = model(*(torch.from_numpy(io[k]).double() for k in ("x_t", "v_t", "t", "h")), torch.from_numpy(io["y"]))
    shutil.copyfile(path, os.path.join(out_dir, "export.safetensors"))
    write_safetensors(os.path.join(out_dir, "export_check.safetensors"), OrderedDict(delta=delta.float().numpy()),
                      {"source": os.path.basename(path), "torch": torch.__version__, "metadata_keys": ",".join(sorted(meta))})
    print(f"export round trip: |delta| max {float(delta.abs().max()):.4f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check-export")
    args = ap.parse_args()
    torch.set_num_threads(1)
    if args.check_export:
        check_export(args.check_export)
        return
    for cfg in CONFIGS:
        make(cfg)


if __name__ == "__main__":
    sys.exit(main())
