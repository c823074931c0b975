"""Writes test/fixtures/convert/reference-trainer/: a SideNet training checkpoint saved the way
the public BA-solver reference trainer saves it (an `accelerate launch` script, so the same
file comes out of one GPU or many): on the main process, every `checkpointing_steps`,

    torch.save({'side_model': accelerator.unwrap_model(side_model).state_dict(),
                'ema_side_model': ema.model.state_dict(),      # EMAModel: a deepcopy, decay 0.9996
                'optimizer': optimizer.state_dict(),            # AdamW, with its moments after real steps
                'step': global_step},
               f'{save_dir}/checkpoints/BA_side_{global_step:06d}.pt')

and ema.safetensors, the EMA weights the converter must extract (reference key layout).
A tiny SideNet (C 16, E 16, 4 blocks, 2 heads, 10 classes) takes two clipped AdamW steps on a
random regression so that the optimizer state holds real tensors. Deterministic.

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 tools/reference/make_trainer_checkpoint.py
"""
import copy
import os

import torch

from safetensors_io import write_safetensors
from sidenet import SideNet

OUT = os.path.join(os.path.dirname(__file__), "../../test/fixtures/convert/reference-trainer")


def main():
    torch.manual_seed(0)
    side = SideNet(C=16, E=16, L=4, heads=2, classes=10)
    # Training has moved the head off its zero init; so do we, so that every weight gets gradients.
    torch.nn.init.normal_(side.output_conv.weight, std=0.05)
    ema = copy.deepcopy(side).eval()
    for p in ema.parameters():
        p.requires_grad = False
    optimizer = torch.optim.AdamW(side.parameters(), lr=1e-4, weight_decay=0.0)
    for step in range(2):
        x, v = torch.randn(2, 4, 8, 8), torch.randn(2, 4, 8, 8)
        t, h, y = torch.rand(2), torch.rand(2) * 0.2, torch.tensor([3, 10])
        loss = (side(x, v, t, h, y) - torch.randn(2, 4, 8, 8)).pow(2).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(side.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad()
        with torch.no_grad():
            for name, p in side.named_parameters():
                dict(ema.named_parameters())[name].mul_(0.9996).add_(p, alpha=1 - 0.9996)
    os.makedirs(OUT, exist_ok=True)
    state = {"side_model": side.state_dict(), "ema_side_model": ema.state_dict(), "optimizer": optimizer.state_dict(), "step": 2}
    torch.save(state, os.path.join(OUT, "BA_side_000002.pt"))
    write_safetensors(os.path.join(OUT, "ema.safetensors"), {k: v.numpy() for k, v in ema.state_dict().items()})
    print(f"wrote {OUT}: {sum(p.numel() for p in side.parameters())} parameters, optimizer state for {len(state['optimizer']['state'])} tensors")


if __name__ == "__main__":
    main()
