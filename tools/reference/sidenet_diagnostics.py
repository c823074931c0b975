"""How much of BA-solver's error a SideNet removes, and how much a perfect one would.

For a converted SiT + SideNet pair (ba-webgpu safetensors, REPA convention) on N-interval
uniform grids, in PyTorch on the CPU, independent of the engine:

  * per interval and quadrature node, the velocity change the SideNet must predict,
    RMS(v_anchor - v_true), and what is left after its prediction,
    RMS(v_anchor + dv - v_true); v_true is the backbone at the node's time on the exact
    trajectory (RK4 sub-steps), so `captured` = 1 - left / change is the share of the change
    the SideNet learned (0 for an untrained SideNet, 1 for a perfect one);
  * BA-solver's RMS error against an RK4 reference (--rk4-steps intervals) with the given
    SideNet, with an untrained (zero) SideNet, and with an oracle SideNet that integrates the
    backbone exactly to each probe time: the ceiling any SideNet training can reach.

    /usr/bin/python3 tools/reference/sidenet_diagnostics.py --model models/fashion-sit.safetensors \
        --sidenet models/fashion-sidenet.safetensors --nfe 7 --images 32 [--json out.json]

Labels are i mod classes, CFG off; noise is the engine's per-image rule (seed + i).
"""
import argparse
import json
import math
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import samplers  # noqa: E402
from safetensors_io import read_safetensors  # noqa: E402
from sidenet import SideNet  # noqa: E402
from sit import SiT  # noqa: E402

ALPHA = samplers.bi_anchor_rule()[0][1]  # the default (Gauss-Lobatto) interior node


def load(path):
    tensors, meta = read_safetensors(path)
    info = json.loads(meta["ba_webgpu"])
    return {k: torch.from_numpy(v).float() for k, v in tensors.items()}, info


def load_sit(path):
    state, info = load(path)
    a = info["arch"]
    if info.get("convention") != "repa":
        raise SystemExit(f"{path}: only REPA-convention backbones are supported here")
    model = SiT(input_size=a["inputSize"], patch=a["patch"], in_channels=a["inChannels"], hidden=a["hidden"],
                depth=a["depth"], heads=a["heads"], classes=a["classes"], learn_sigma=a["learnSigma"],
                qk_norm=a.get("qkNorm", False))
    model.load_state_dict(state, strict=True)
    return model.eval().requires_grad_(False), a


def load_sidenet(path):
    state, info = load(path)
    a = info["arch"]
    net = SideNet(C=a["channels"], E=a["embed"], L=a["blocks"], heads=a["heads"], classes=a["classes"])
    net.load_state_dict(state, strict=True)
    return net.eval().requires_grad_(False)


class Field:
    """The backbone's REPA velocity for fixed labels, and exact transport along it."""

    def __init__(self, sit, labels, substeps):
        self.sit, self.y, self.substeps = sit, labels, substeps

    def v(self, x, t, y=None):
        y = self.y if y is None else y
        return self.sit(x, torch.full((x.shape[0],), t), y)[:, :x.shape[1]]

    def transport(self, x, t0, t1, y=None, n=None):
        n = n or self.substeps
        dt = (t0 - t1) / n
        for i in range(n):
            t = t0 - i * dt
            k1 = self.v(x, t, y)
            k2 = self.v(x - dt / 2 * k1, t - dt / 2, y)
            k3 = self.v(x - dt / 2 * k2, t - dt / 2, y)
            k4 = self.v(x - dt * k3, t - dt, y)
            x = x - dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        return x


class OracleSideNet:
    """dv = v_true(t - h) - v: the backbone at the end of exact transport over h."""

    def __init__(self, field):
        self.field = field

    def __call__(self, x, v, t, h, y):
        out = torch.empty_like(v)
        for hv in h.unique():
            m = h == hv
            t0 = float(t[m][0])
            x1 = self.field.transport(x[m], t0, t0 - float(hv), y[m])
            out[m] = self.field.v(x1, t0 - float(hv), y[m]) - v[m]
        return out


def rms(a, b):
    return float((a - b).pow(2).mean().sqrt())


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default="models/fashion-sit.safetensors")
    p.add_argument("--sidenet", default="models/fashion-sidenet.safetensors")
    p.add_argument("--nfe", default="7", help="comma-separated interval counts")
    p.add_argument("--images", type=int, default=32)
    p.add_argument("--seed", type=int, default=1000000)
    p.add_argument("--rk4-steps", type=int, default=100)
    p.add_argument("--substeps", type=int, default=6, help="RK4 sub-steps of exact transport over one probe")
    p.add_argument("--no-oracle", action="store_true", help="skip the (slow) oracle SideNet run")
    p.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    p.add_argument("--json")
    args = p.parse_args()
    torch.set_num_threads(args.threads)

    sit, arch = load_sit(args.model)
    net = load_sidenet(args.sidenet)
    shape = (arch["inChannels"], arch["inputSize"], arch["inputSize"])
    per = shape[0] * shape[1] * shape[2]
    noise = torch.tensor([samplers.gaussian_noise(args.seed + i, per) for i in range(args.images)]).reshape(-1, *shape)
    labels = torch.arange(args.images) % arch["classes"]
    field = Field(sit, labels, args.substeps)
    started = time.time()

    def log(msg):
        print(f"[{time.time() - started:6.0f} s] {msg}", flush=True)

    report = {"model": args.model, "sidenet": args.sidenet, "images": args.images, "nfe": {}}
    with torch.no_grad():
        log(f"RK4 reference, {args.rk4_steps} intervals")
        reference = field.transport(noise, 1.0, 0.0, n=args.rk4_steps)
        zero = SideNet(C=8, E=8, L=2, heads=1, classes=arch["classes"]).eval()  # zero-initialised head
        for nfe in [int(s) for s in args.nfe.split(",")]:
            h = 1.0 / nfe
            nodes = []
            x = noise
            for i in range(nfe):
                t = 1.0 - i * h
                v = field.v(x, t)
                # The exact trajectory through the interval's nodes, one transport segment each.
                offsets = (ALPHA, 1 - ALPHA, 1.0)
                v_true, x_end, t_node = {}, x, t
                for c in offsets:
                    x_end = field.transport(x_end, t_node, t - c * h)
                    t_node = t - c * h
                    v_true[c] = field.v(x_end, t_node)
                v_end = v_true[1.0]
                probes = [("forward", x, v, t, c, v_true[c]) for c in offsets]
                if i < nfe - 1:
                    probes.append(("backward", x_end, v_end, t - h, -ALPHA, v_true[1 - ALPHA]))
                for direction, xa, va, ta, c, v_true_node in probes:
                    dv = net(xa, va, torch.full((xa.shape[0],), ta), torch.full((xa.shape[0],), c * h), labels)
                    change, left = rms(va, v_true_node), rms(va + dv, v_true_node)
                    nodes.append({"interval": i, "t": ta, "offset": c * h, "direction": direction, "change": change,
                                  "left": left, "captured": 1 - left / change})
                x = x_end
                log(f"NFE {nfe}: interval {i + 1}/{nfe} probed")
            errors = {}
            runs = [("sidenet", net), ("zero", zero)] + ([] if args.no_oracle else [("oracle", OracleSideNet(field))])
            for name, side in runs:
                bd = samplers.Boundary(sit, "repa", labels, arch["classes"], sidenet=side)
                errors[name] = rms(samplers.ba_bi_anchor(bd, noise.clone(), samplers.time_grid(nfe))[-1], reference)
                log(f"NFE {nfe}: BA error with the {name} SideNet {errors[name]:.3e}")
            change = math.sqrt(sum(n["change"] ** 2 for n in nodes) / len(nodes))
            left = math.sqrt(sum(n["left"] ** 2 for n in nodes) / len(nodes))
            report["nfe"][nfe] = {"nodes": nodes, "ba_error": errors, "captured": 1 - left / change}

    print("\nnfe  interval  t      offset    change    left      captured")
    for nfe, r in report["nfe"].items():
        for n in r["nodes"]:
            print(f"{nfe:<4} {n['interval']:<9} {n['t']:.3f}  {n['offset']:+.4f}  {n['change']:.3e}  {n['left']:.3e}  {100 * n['captured']:5.1f} %")
    print("\nnfe  captured  BA error: this SideNet  untrained  oracle")
    for nfe, r in report["nfe"].items():
        e = r["ba_error"]
        oracle = f"{e['oracle']:.3e}" if "oracle" in e else "-"
        print(f"{nfe:<4} {100 * r['captured']:5.1f} %   {e['sidenet']:.3e}               {e['zero']:.3e}  {oracle}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
