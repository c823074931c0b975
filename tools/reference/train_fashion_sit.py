"""Trains the small class-conditional SiT the repository ships (models/fashion-sit.safetensors).

Flow matching in the REPA convention (ba-solver.md section 1): x_t = (1 - t) x_data + t noise,
t ~ U(0, 1), target v = noise - x_data, mean squared error; labels dropped to the null class
(index 10) with probability 0.1 so classifier-free guidance works. Latents are Fashion-MNIST
images rearranged to 4 x 16 x 16 (fashion.py). AdamW with a linear warmup and a cosine decay,
EMA of the weights. Writes a REPA-style training checkpoint (a dict with model, ema, opt, args,
step) that tools/convert-weights reads (it takes `ema`), and a preview grid sampled with 50
Euler steps from the EMA weights.

Reproduce (about 25 minutes on 2 quiet CPU cores; Debian's torch, see install.sh):
  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 tools/reference/train_fashion_sit.py \
      --out work/fashion-sit.pt
  npm run convert -- work/fashion-sit.pt models/fashion-sit.safetensors --layout repa
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fashion  # noqa: E402
from png import write_grid_png  # noqa: E402
from sit import SiT  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="work/fashion-sit.pt")
    p.add_argument("--steps", type=int, default=4000, help="length of the learning-rate schedule")
    p.add_argument("--stop-after", type=int, default=2586,
                   help="stop and save after this many steps, schedule unchanged (the shipped model "
                        "was stopped at 2586 of 4000 to fit a session's time; 0 = run the whole schedule)")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=8e-4)
    p.add_argument("--warmup", type=int, default=150)
    p.add_argument("--ema", type=float, default=0.999)
    p.add_argument("--label-drop", type=float, default=0.1)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--depth", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--patch", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    p.add_argument("--log-every", type=int, default=50)
    return p.parse_args()


def lr_at(step, args):
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    progress = (step - args.warmup) / max(1, args.steps - args.warmup)
    return 1e-5 + (args.lr - 1e-5) * 0.5 * (1 + math.cos(math.pi * progress))


@torch.no_grad()
def euler_preview(model, steps, per_class, seed):
    """Class-conditional samples (no guidance), t from 1 to 0, REPA convention."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(10).repeat_interleave(per_class)
    x = torch.randn(len(y), 4, 16, 16, generator=g)
    for i in range(steps):
        t = torch.full((len(y),), 1 - i / steps)
        x = x - model(x, t, y) / steps
    return fashion.decode(x)


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    images, labels = fashion.load("train")
    data = fashion.encode(images)
    labels = torch.from_numpy(labels)
    print(f"Fashion-MNIST train: {len(data)} latents of {list(data.shape[1:])}", flush=True)

    model = SiT(input_size=16, patch=args.patch, in_channels=4, hidden=args.hidden, depth=args.depth,
                heads=args.heads, classes=10, learn_sigma=False)
    ema = SiT(input_size=16, patch=args.patch, in_channels=4, hidden=args.hidden, depth=args.depth,
              heads=args.heads, classes=10, learn_sigma=False)
    ema.load_state_dict(model.state_dict())
    ema.requires_grad_(False)
    params = [p for p in model.parameters() if p.requires_grad]
    print(f"SiT: {sum(p.numel() for p in params) / 1e6:.2f} M trainable parameters", flush=True)
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)

    gen = torch.Generator().manual_seed(args.seed)
    start = time.time()
    running = None
    last = args.steps if args.stop_after <= 0 else min(args.steps, args.stop_after)
    for step in range(last):
        for group in opt.param_groups:
            group["lr"] = lr_at(step, args)
        idx = torch.randint(len(data), (args.batch,), generator=gen)
        x0, y = data[idx], labels[idx].clone()
        y[torch.rand(args.batch, generator=gen) < args.label_drop] = 10
        t = torch.rand(args.batch, generator=gen)
        noise = torch.randn(x0.shape, generator=gen)
        xt = (1 - t)[:, None, None, None] * x0 + t[:, None, None, None] * noise
        loss = F.mse_loss(model(xt, t, y), noise - x0)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        decay = min(args.ema, (1 + step) / (10 + step))
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(decay).add_(pm, alpha=1 - decay)
        running = loss.item() if running is None else 0.98 * running + 0.02 * loss.item()
        if (step + 1) % args.log_every == 0 or step + 1 == last:
            elapsed = time.time() - start
            rate = (step + 1) / elapsed
            eta = (last - step - 1) / rate
            print(f"step {step + 1}/{last}  loss {running:.4f}  lr {lr_at(step, args):.2e}  "
                  f"{rate:.2f} it/s  ETA {eta / 60:.1f} min", flush=True)

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.save({"model": model.state_dict(), "ema": ema.state_dict(), "opt": opt.state_dict(),
                "args": vars(args), "step": last}, args.out)
    print(f"wrote {args.out}", flush=True)
    preview = os.path.splitext(args.out)[0] + "-euler50.png"
    write_grid_png(preview, euler_preview(ema.eval(), 50, 8, args.seed).numpy(), cols=8)
    print(f"wrote {preview}", flush=True)
    print(json.dumps({"steps": last, "final_loss": running, "minutes": (time.time() - start) / 60}))


if __name__ == "__main__":
    main()
