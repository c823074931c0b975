"""Writes test/fixtures/samplers/*: tiny random backbones + SideNet and the per-step states of
every sampler (tools/reference/samplers.py), for test/solver/reference.test.ts.

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 tools/reference/make_sampler_fixtures.py

Deterministic. Per fixture directory: `sit.pt` (bare state_dict, as released), `sidenet.pt`
(training dict with `ema_side_model`), `trajectories.safetensors`: `noise` f32 [B,4,H,W]
(gaussian_noise(seed), the port of src/solver/noise.ts), `labels` i32 [B], and for every run
`states.<key>` f32 [N,B,4,H,W] (the state after each step; the last is the result). The
reference runs in float64 from the float32 weights and noise. `__metadata__.config` (JSON)
lists the models and the runs (solver, nfe, alpha, nodes, guidance, expected call counts) and
`f32_drift`: how far a float32 PyTorch run of the same sampler lands (max |Δ| / max |state|),
a floor for the engine's tolerance.
"""
import copy
import json
import os
import shutil
import sys
from collections import OrderedDict

import numpy as np
import torch

from make_fixtures import adamw_state, randomize
from safetensors_io import write_safetensors
from samplers import SAMPLERS, Boundary, gaussian_noise, time_grid
from sidenet import SideNet
from sit import SiT

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "test", "fixtures", "samplers")

CFG = dict(scale=1.5, interval=[0.0, 0.7], channels=4)
FIXTURES = [
    # REPA backbone (C_out 4), CFG 1.5 on 4 channels inside t <= 0.7 (REPA time): with N = 4
    # the nodes of the first interval straddle 0.7, so per-node guidance matters.
    dict(name="repa_cfg_8x8", seed=7001, noise_seed=12345, labels=[3, 7],
         sit=dict(convention="repa", depth=2, hidden=48, heads=2, patch=2, input_size=8,
                  classes=10, learn_sigma=False),
         side=dict(C=16, E=16, L=3, heads=4),
         runs=[dict(key="euler", solver="euler", nfe=4, guidance=CFG),
               dict(key="heun", solver="heun", nfe=4, guidance=CFG),
               dict(key="dpm++2m", solver="dpm++2m", nfe=5, guidance=CFG),
               dict(key="ba", solver="ba", nfe=5, guidance=CFG),  # nodes .745 | .655 straddle 0.7
               dict(key="ba-simpson", solver="ba", nfe=3, alpha=1 / 3, guidance=CFG),
               dict(key="ba-single-gl3", solver="ba-single", nfe=4, nodes=3, guidance=CFG),
               dict(key="ba-unguided", solver="ba", nfe=3, guidance=None)]),
    # Original SiT backbone (learn_sigma: C_out 8, 'sit' convention), CFG 2 on 3 channels at
    # every t: the boundary (1 - t, sign, channel slice) with real networks.
    dict(name="sit_sigma_cfg_8x8", seed=7002, noise_seed=777, labels=[0, 9],
         sit=dict(convention="sit", depth=2, hidden=32, heads=2, patch=4, input_size=8,
                  classes=10, learn_sigma=True),
         side=dict(C=16, E=16, L=2, heads=4),
         runs=[dict(key="euler", solver="euler", nfe=3, guidance=dict(scale=2.0, interval=None, channels=3)),
               dict(key="ba", solver="ba", nfe=3, guidance=dict(scale=2.0, interval=None, channels=3)),
               dict(key="ba-single-gl2", solver="ba-single", nfe=2, nodes=2, guidance=dict(scale=2.0, interval=None, channels=3))]),
]


def run_sampler(sit, side, conv, labels, noise, run, classes, dtype):
    g = run["guidance"]
    bd = Boundary(sit.to(dtype), conv, labels, classes, sidenet=side.to(dtype),
                  scale=g["scale"] if g else 1.0,
                  interval=tuple(g["interval"]) if g and g["interval"] else (-np.inf, np.inf),
                  channels=g["channels"] if g else 4)
    kw = {}
    if "alpha" in run:
        kw["alpha"] = run["alpha"]
    if "nodes" in run:
        kw["k"] = run["nodes"]
    states = SAMPLERS[run["solver"]](bd, noise.to(dtype), time_grid(run["nfe"]), **kw)
    return torch.stack(states), bd.backbone_calls, bd.sidenet_calls


def make(fx):
    gen = torch.Generator().manual_seed(fx["seed"])
    d = os.path.join(OUT, fx["name"])
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    s = fx["sit"]
    sit = SiT(input_size=s["input_size"], patch=s["patch"], in_channels=4, hidden=s["hidden"],
              depth=s["depth"], heads=s["heads"], classes=s["classes"], learn_sigma=s["learn_sigma"])
    randomize(sit, gen)
    side = SideNet(C=fx["side"]["C"], E=fx["side"]["E"], L=fx["side"]["L"], heads=fx["side"]["heads"],
                   classes=s["classes"])
    randomize(side, gen)
    torch.save(sit.state_dict(), os.path.join(d, "sit.pt"))
    torch.save({"side_model": side.state_dict(), "ema_side_model": side.state_dict(),
                "optimizer": adamw_state(side, gen, 0), "step": 0}, os.path.join(d, "sidenet.pt"))

    B, S = len(fx["labels"]), s["input_size"]
    noise = torch.tensor(gaussian_noise(fx["noise_seed"], B * 4 * S * S), dtype=torch.float32).reshape(B, 4, S, S)
    labels = torch.tensor(fx["labels"], dtype=torch.int32)
    tensors = OrderedDict(noise=noise.numpy(), labels=labels.numpy())
    runs = []
    with torch.no_grad():
        for run in fx["runs"]:
            ref, calls, side_calls = run_sampler(copy.deepcopy(sit), copy.deepcopy(side), s["convention"],
                                                 labels, noise, run, s["classes"], torch.float64)
            f32, _, _ = run_sampler(copy.deepcopy(sit), copy.deepcopy(side), s["convention"],
                                    labels, noise, run, s["classes"], torch.float32)
            scale = ref.abs().max().item()
            drift = (f32.double() - ref).abs().max().item() / scale
            tensors[f"states.{run['key']}"] = ref.float().numpy()
            runs.append({**run, "backbone_calls": calls, "sidenet_calls": side_calls,
                         "state_max": scale, "f32_drift": drift})
            print(f"{fx['name']}/{run['key']}: calls {calls}/{side_calls}, max|x| {scale:.3f}, "
                  f"f32 drift {drift:.1e}")
    config = {"name": fx["name"], "noise_seed": fx["noise_seed"],
              "sit": {"checkpoint": "sit.pt", "heads": s["heads"], "convention": s["convention"]},
              "sidenet": {"checkpoint": "sidenet.pt", "heads": fx["side"]["heads"]},
              "runs": runs, "reference_dtype": "float64"}
    write_safetensors(os.path.join(d, "trajectories.safetensors"), tensors,
                      {"config": json.dumps(config), "kind": "samplers"})


def main():
    torch.set_grad_enabled(False)
    for fx in FIXTURES:
        make(fx)
    total = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(OUT) for f in fs)
    print(f"test/fixtures/samplers: {total / 1e6:.2f} MB")


if __name__ == "__main__":
    sys.exit(main())
