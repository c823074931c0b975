"""PyTorch peer of bench/gpu.ts (issue 18): times the reference SiT forward (sit.py, random
weights, REPA layout: C_out 4, patch 2, latent 4x32x32) eagerly under torch.inference_mode(),
in fp16, bf16 and fp32, at the GPU bench's batches, on CUDA (on the CPU when there is none).

    python3 bench_torch_gpu.py [--quick] [--size XL] [--batches 1,4,16] [--dtypes fp16,bf16,fp32]
        [--warmup 3] [--repeats 10] [--json torch.json]

--quick: batch 1, one warm-up, 3 repeats (fp32 first: CPU fallbacks may lack half kernels).
fp32 runs with PyTorch's defaults (TF32 matmul off). Times: CUDA events around one forward
after a synchronize (wall clock on the CPU). A dtype that fails (e.g. fp16 LayerNorm on an old
CPU build) is recorded with its error. The JSON is rewritten after every shape, so a run
stopped by a timeout still leaves its results. Copied into the device bundle with sit.py.
"""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sit import SIZES, SiT  # noqa: E402

CONFIGS = SIZES
DTYPES = {"fp16": torch.float16, "bf16": torch.bfloat16, "fp32": torch.float32}


def time_forward(model, inputs, device):
    if device.type == "cuda":
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        torch.cuda.synchronize()
        start.record()
        out = model(*inputs)
        end.record()
        torch.cuda.synchronize()
        ms = start.elapsed_time(end)
    else:
        t0 = time.perf_counter()
        out = model(*inputs)
        ms = 1e3 * (time.perf_counter() - t0)
    if not torch.isfinite(out).all():
        raise FloatingPointError("non-finite output")
    return ms


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--size", default="XL", choices=list(CONFIGS))
    ap.add_argument("--batches", default=None)
    ap.add_argument("--dtypes", default=None)
    ap.add_argument("--warmup", type=int, default=None)
    ap.add_argument("--repeats", type=int, default=None)
    ap.add_argument("--json", default="torch.json")
    args = ap.parse_args()
    batches = [int(b) for b in (args.batches or ("1" if args.quick else "1,4,16")).split(",")]
    dtypes = (args.dtypes or ("fp32,fp16,bf16" if args.quick else "fp16,bf16,fp32")).split(",")
    warmup = args.warmup if args.warmup is not None else (1 if args.quick else 3)
    repeats = args.repeats if args.repeats is not None else (3 if args.quick else 10)

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.type == "cpu":
        torch.set_num_threads(len(os.sched_getaffinity(0)))
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU ({torch.get_num_threads()} threads)"
    report = {"torch": torch.__version__, "device": device.type, "deviceName": name, "size": args.size,
              "warmup": warmup, "repeats": repeats, "tf32_matmul": torch.backends.cuda.matmul.allow_tf32,
              "results": [], "complete": False}

    def save():
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)

    print(f"torch {torch.__version__} on {name}", flush=True)
    torch.manual_seed(0)
    base = SiT(input_size=32, patch=2, learn_sigma=False, **CONFIGS[args.size]).eval()
    for dtype in dtypes:
        try:
            model = base.to(device=device, dtype=DTYPES[dtype])
        except Exception as e:  # noqa: BLE001 - report and go on with the next dtype
            report["results"].append({"size": args.size, "dtype": dtype, "batch": 0, "error": f"{type(e).__name__}: {e}"})
            continue
        for batch in batches:
            g = torch.Generator().manual_seed(1)
            x = torch.randn(batch, 4, 32, 32, generator=g).to(device=device, dtype=DTYPES[dtype])
            t = torch.rand(batch, generator=g).to(device)  # float32: the embedder casts its sinusoid
            y = torch.randint(0, 1000, (batch,), generator=g).to(device)
            entry = {"size": args.size, "dtype": dtype, "batch": batch}
            try:
                if device.type == "cuda":
                    torch.cuda.reset_peak_memory_stats(device)
                with torch.inference_mode():
                    for _ in range(warmup):
                        time_forward(model, (x, t, y), device)
                    times = sorted(time_forward(model, (x, t, y), device) for _ in range(repeats))
                entry.update(median_ms=times[len(times) // 2], times_ms=times)
                if device.type == "cuda":
                    entry["peak_bytes"] = torch.cuda.max_memory_allocated(device)
                print(f"SiT-{args.size}/2 {dtype} b{batch}: {entry['median_ms']:.2f} ms", flush=True)
            except Exception as e:  # noqa: BLE001 - e.g. no half kernels on this CPU build
                entry["error"] = f"{type(e).__name__}: {str(e)[:300]}"
                print(f"SiT-{args.size}/2 {dtype} b{batch}: failed: {entry['error']}", flush=True)
            report["results"].append(entry)
            save()
    report["complete"] = True
    save()


if __name__ == "__main__":
    main()
