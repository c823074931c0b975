"""PyTorch-on-CPU peer for bench/sit.ts: times the reference SiT forward (sit.py) with
random weights, in float32, under torch.inference_mode().

Two modes:
  * server (default when stdin is not a terminal, or --server): one JSON request per line
    on stdin, one JSON reply per line on stdout. bench/sit.ts drives it so both engines
    are measured in the same run with the same warm-up/repeat protocol:
      {"op": "info"}                              -> {"torch", "threads", "blas"}
      {"op": "setup", "size": "B", "batch": 1}    -> {"params", "setup_ms"}  (model reused
                                                     while the size stays the same)
      {"op": "run"}                               -> {"ms"}   one forward, wall clock
      {"op": "free"}                              -> {}
  * standalone: --size B --batch 1 --warmup 1 --repeats 3 prints one JSON line.

Run with Debian's /usr/bin/python3 and OMP_WAIT_POLICY=PASSIVE (no spinning on shared
cores). Threads: --threads N (default: all CPUs in this process's affinity mask; torch's
own default here is 1).
"""
import argparse
import json
import os
import re
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sit import SIZES, SiT  # noqa: E402

CONFIGS = SIZES


def build(size, patch=2, input_size=32, seed=0):
    torch.manual_seed(seed)
    # REPA layout (C_out 4), as the engine's bench; PyTorch's default init is non-zero everywhere.
    model = SiT(input_size=input_size, patch=patch, learn_sigma=False, **CONFIGS[size]).eval()
    return model


class Runner:
    def __init__(self):
        self.size = None
        self.model = None
        self.inputs = None

    def setup(self, size, batch, patch=2, input_size=32):
        t0 = time.perf_counter()
        if self.size != (size, patch, input_size):
            self.model = None
            self.model = build(size, patch, input_size)
            self.size = (size, patch, input_size)
        g = torch.Generator().manual_seed(1)
        x = torch.randn(batch, 4, input_size, input_size, generator=g)
        t = torch.rand(batch, generator=g)
        y = torch.randint(0, 1000, (batch,), generator=g)
        self.inputs = (x, t, y)
        params = sum(p.numel() for p in self.model.parameters())
        return {"params": params, "setup_ms": 1e3 * (time.perf_counter() - t0)}

    def run(self):
        with torch.inference_mode():
            t0 = time.perf_counter()
            out = self.model(*self.inputs)
            ms = 1e3 * (time.perf_counter() - t0)
        assert torch.isfinite(out).all()
        return {"ms": ms}

    def free(self):
        self.model = self.inputs = self.size = None
        return {}


def info():
    cfg = torch.__config__.show()
    m = re.search(r"BLAS_INFO=([^,\s]+)", cfg)
    blas = m.group(1) if m else "?"
    try:  # Debian's torch links the libblas.so.3 alternative (OpenBLAS when installed)
        blas += " -> " + os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    except OSError:
        pass
    return {"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas,
            "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", action="store_true")
    ap.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--size", default="B", choices=list(CONFIGS))
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    runner = Runner()
    if args.server or not sys.stdin.isatty() and len(sys.argv) == 1:
        for line in sys.stdin:
            if not line.strip():
                continue
            req = json.loads(line)
            try:
                op = req["op"]
                if op == "info":
                    rep = info()
                elif op == "setup":
                    rep = runner.setup(req["size"], req["batch"], req.get("patch", 2), req.get("input_size", 32))
                elif op == "run":
                    rep = runner.run()
                elif op == "free":
                    rep = runner.free()
                else:
                    rep = {"error": f"unknown op {op}"}
            except Exception as e:  # report, keep serving
                rep = {"error": f"{type(e).__name__}: {e}"}
            sys.stdout.write(json.dumps(rep) + "\n")
            sys.stdout.flush()
        return
    runner.setup(args.size, args.batch)
    for _ in range(args.warmup):
        runner.run()
    times = sorted(runner.run()["ms"] for _ in range(args.repeats))
    print(json.dumps({**info(), "size": args.size, "batch": args.batch, "median_ms": times[len(times) // 2], "times_ms": times}))


if __name__ == "__main__":
    main()
