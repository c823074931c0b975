"""PyTorch-on-CPU peer for bench/train.ts: one iteration of Algorithm 2 (ba-solver.md section 5),
written independently of the engine on the reference models (sit.py backbone, sidenet.py SideNet),
random weights, float32.

One iteration, per batch of B latents:
  1. labels dropped to the null class with probability 0.1;
  2. t ~ U(0, 1), noise ~ N(0, I), x_t = (1 - t) x_data + t noise; v = backbone(x_t, t, y) (no grad);
  3. K links: h toward data (h > 0, max t) w.p. 0.5 else toward noise (h < 0, max 1 - t),
     |h| = -log1p(u expm1(-50 max)) / 50;
     roll forward without gradient, 3-point Gauss-Legendre on [0, 1] (the three SideNet
     evaluations batched as one forward of 3B, as the engine does):
       v_k = v + S(x, v, t, c_k h, y), x' = x - h sum_k w_k v_k, t' = clamp(t - h, 0, 1);
     target v' = backbone(x', t', y) without gradient;
     loss_k = mse(v + S(x, v, t, h, y), v') / K; backward right away (the gradient of the mean,
     one link's activations alive at a time, as the engine does);
     (x, t, v) <- (x', t', v');
  4. gradient-norm clip 1.0, AdamW (lr 1e-4, wd 0), EMA of the SideNet weights (decay 0.9996).
The backbone is REPA-layout (noise at t = 1, C_out = 4), so its output is v directly.

Two modes:
  * server (--server, what bench/train.ts uses): one JSON request per line on stdin, one JSON
    reply per line on stdout:
      {"op": "info"}                                  -> {"torch", "threads", "blas", ...}
      {"op": "setup", "sit": {...}, "sidenet": {...}, "batch": 4, "chain": 8, "size": 16}
                                                      -> {"backbone_params", "sidenet_params", "setup_ms"}
      {"op": "step"}                                  -> {"ms", "loss", "maxrss_mib"}  one iteration, wall clock
      {"op": "components"}                            -> {"backbone", "roll", "learn"}  ms of each part alone
      {"op": "free"}                                  -> {}
  * standalone: same config from flags, prints one JSON line with the median of --repeats
    iterations after --warmup.

Run with Debian's /usr/bin/python3 and OMP_WAIT_POLICY=PASSIVE. Threads: --threads N (default:
all CPUs in this process's affinity mask).
"""
import argparse
import json
import math
import os
import re
import resource
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sidenet import SideNet  # noqa: E402
from sit import SiT  # noqa: E402

GL_NODES = [(1 - math.sqrt(0.6)) / 2, 0.5, (1 + math.sqrt(0.6)) / 2]
GL_WEIGHTS = [5 / 18, 8 / 18, 5 / 18]


def truncated_exponential(u, rate, max_dist):
    """|h| by inverse CDF of Exp(rate) truncated to [0, max_dist] (tensors)."""
    return -torch.log1p(u * torch.expm1(-rate * max_dist)) / rate


class ChainIteration:
    def __init__(self, sit, sidenet, batch=4, chain=8, size=16, classes=10, dataset=64, seed=0,
                 lr=1e-4, weight_decay=0.0, clip=1.0, ema_decay=0.9996, label_drop=0.1, h_rate=50.0,
                 p_forward=0.5):
        torch.manual_seed(seed)
        self.backbone = SiT(input_size=size, patch=sit["patch"], in_channels=4, hidden=sit["hidden"],
                            depth=sit["depth"], heads=sit["heads"], classes=sit.get("classes", 1000),
                            learn_sigma=False).eval()
        for p in self.backbone.parameters():
            p.requires_grad_(False)
        # PyTorch's init leaves adaLN and the final layer non-zero here (sit.py does no zero
        # init), so every backbone kernel does real work, as in the engine's random SiT.
        self.net = SideNet(C=sidenet["channels"], E=sidenet["embed"], L=sidenet["blocks"],
                           heads=sidenet["heads"], classes=sidenet.get("classes", 1000)).train()
        self.null_class = sidenet.get("classes", 1000)
        self.ema = [p.detach().clone() for p in self.net.parameters()]
        self.opt = torch.optim.AdamW(self.net.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8,
                                     weight_decay=weight_decay)
        self.params = list(self.net.parameters())
        self.B, self.K, self.clip, self.ema_decay = batch, chain, clip, ema_decay
        self.label_drop, self.h_rate, self.p_forward = label_drop, h_rate, p_forward
        g = torch.Generator().manual_seed(seed + 1)
        self.data = torch.randn(dataset, 4, size, size, generator=g)
        self.labels = torch.randint(0, classes, (dataset,), generator=g)
        self.gen = torch.Generator().manual_seed(seed + 2)

    def counts(self):
        return (sum(p.numel() for p in self.backbone.parameters()),
                sum(p.numel() for p in self.net.parameters()))

    def step(self):
        B, K, gen = self.B, self.K, self.gen
        # 1-2. batch, label drop, t, noise, x_t, v.
        idx = torch.randint(0, self.data.shape[0], (B,), generator=gen)
        x0, y = self.data[idx], self.labels[idx].clone()
        y[torch.rand(B, generator=gen) < self.label_drop] = self.null_class
        t = torch.rand(B, generator=gen)
        noise = torch.randn(x0.shape, generator=gen)
        x = (1 - t)[:, None, None, None] * x0 + t[:, None, None, None] * noise
        with torch.no_grad():
            v = self.backbone(x, t, y)
        total = 0.0
        for k in range(K):
            forward = torch.rand(B, generator=gen) < self.p_forward
            u = torch.rand(B, generator=gen)
            h = torch.where(forward, truncated_exponential(u, self.h_rate, t),
                            -truncated_exponential(u, self.h_rate, 1 - t))
            with torch.no_grad():
                # Roll forward: the three node offsets as one batch of 3B.
                n = len(GL_NODES)
                offsets = torch.cat([c * h for c in GL_NODES])
                deltas = self.net(x.repeat(n, 1, 1, 1), v.repeat(n, 1, 1, 1), t.repeat(n), offsets, y.repeat(n))
                mean_v = v + sum(w * d for w, d in zip(GL_WEIGHTS, deltas.chunk(n)))
                x_next = x - h[:, None, None, None] * mean_v
                t_next = (t - h).clamp(0, 1)
                v_next = self.backbone(x_next, t_next, y)
            pred = v + self.net(x, v, t, h, y)
            loss = F.mse_loss(pred, v_next) / K
            loss.backward()
            total += loss.item()
            x, t, v = x_next, t_next, v_next
        # 4. clip, AdamW, EMA.
        torch.nn.utils.clip_grad_norm_(self.params, self.clip)
        self.opt.step()
        self.opt.zero_grad(set_to_none=True)
        with torch.no_grad():
            torch._foreach_mul_(self.ema, self.ema_decay)
            torch._foreach_add_(self.ema, [p.detach() for p in self.params], alpha=1 - self.ema_decay)
        return total


    def components(self, repeats=3):
        """Median wall ms of each part of an iteration alone: a backbone forward of B, the
        roll-forward SideNet evaluation without gradient (3B), the SideNet forward + backward (B)."""
        B, gen = self.B, self.gen
        x = torch.randn((B,) + tuple(self.data.shape[1:]), generator=gen)
        v = torch.randn(x.shape, generator=gen)
        t = torch.rand(B, generator=gen)
        h = 0.05 * t
        y = self.labels[:B].clone()
        n = len(GL_NODES)

        def backbone():
            with torch.no_grad():
                self.backbone(x, t, y)

        def roll():
            with torch.no_grad():
                self.net(x.repeat(n, 1, 1, 1), v.repeat(n, 1, 1, 1), t.repeat(n), torch.cat([c * h for c in GL_NODES]), y.repeat(n))

        def learn():
            loss = F.mse_loss(v + self.net(x, v, t, h, y), x) / self.K
            loss.backward()
            self.opt.zero_grad(set_to_none=True)

        out = {}
        for name, fn in (("backbone", backbone), ("roll", roll), ("learn", learn)):
            fn()
            ts = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                fn()
                ts.append(1e3 * (time.perf_counter() - t0))
            out[name] = sorted(ts)[len(ts) // 2]
        return out


def maxrss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def info():
    cfg = torch.__config__.show()
    m = re.search(r"BLAS_INFO=([^,\s]+)", cfg)
    blas = m.group(1) if m else "?"
    try:
        blas += " -> " + os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    except OSError:
        pass
    return {"torch": torch.__version__, "threads": torch.get_num_threads(),
            "interop_threads": torch.get_num_interop_threads(), "blas": blas,
            "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY")}


def timed_step(it):
    t0 = time.perf_counter()
    loss = it.step()
    ms = 1e3 * (time.perf_counter() - t0)
    assert math.isfinite(loss), loss
    return {"ms": ms, "loss": loss, "maxrss_mib": maxrss_mib()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", action="store_true")
    ap.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--patch", type=int, default=2)
    ap.add_argument("--size", type=int, default=16)
    ap.add_argument("--channels", type=int, default=64)
    ap.add_argument("--embed", type=int, default=128)
    ap.add_argument("--blocks", type=int, default=4)
    ap.add_argument("--side-heads", type=int, default=4)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--chain", type=int, default=8)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if args.server:
        it = None
        for line in sys.stdin:
            if not line.strip():
                continue
            req = json.loads(line)
            try:
                op = req["op"]
                if op == "info":
                    rep = info()
                elif op == "setup":
                    t0 = time.perf_counter()
                    it = None
                    it = ChainIteration(req["sit"], req["sidenet"], batch=req["batch"], chain=req["chain"],
                                        size=req["size"], seed=req.get("seed", 0))
                    bb, sn = it.counts()
                    rep = {"backbone_params": bb, "sidenet_params": sn, "setup_ms": 1e3 * (time.perf_counter() - t0)}
                elif op == "step":
                    rep = timed_step(it)
                elif op == "components":
                    rep = it.components()
                elif op == "free":
                    it = None
                    rep = {}
                else:
                    rep = {"error": f"unknown op {op}"}
            except Exception as e:  # report, keep serving
                rep = {"error": f"{type(e).__name__}: {e}"}
            sys.stdout.write(json.dumps(rep) + "\n")
            sys.stdout.flush()
        return
    sit = dict(depth=args.depth, hidden=args.hidden, heads=args.heads, patch=args.patch)
    side = dict(channels=args.channels, embed=args.embed, blocks=args.blocks, heads=args.side_heads)
    it = ChainIteration(sit, side, batch=args.batch, chain=args.chain, size=args.size)
    for _ in range(args.warmup):
        timed_step(it)
    runs = [timed_step(it) for _ in range(args.repeats)]
    times = sorted(r["ms"] for r in runs)
    print(json.dumps({**info(), "sit": sit, "sidenet": side, "batch": args.batch, "chain": args.chain,
                      "median_ms": times[len(times) // 2], "times_ms": times, "losses": [r["loss"] for r in runs],
                      "maxrss_mib": maxrss_mib()}))


if __name__ == "__main__":
    main()
