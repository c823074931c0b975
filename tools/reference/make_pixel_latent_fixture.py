"""Fixture for src/model/pixel-latent.ts: PyTorch's pad + pixel_unshuffle on a random RGB batch.

  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 tools/reference/make_pixel_latent_fixture.py
"""
import json
import os

import torch
import torch.nn.functional as F

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
torch.manual_seed(3)
images = torch.rand(2, 3, 6, 4) * 2 - 1  # N, C, H, W; non-square, 3 channels
pad, factor = 1, 2
latents = F.pixel_unshuffle(F.pad(images, (pad, pad, pad, pad), value=-1.0), factor)
with open(os.path.join(root, "test/fixtures/pixel-latent.json"), "w") as f:
    json.dump({"codec": {"kind": "pixel-unshuffle", "factor": factor, "pad": pad, "imageChannels": 3},
               "images": images.flatten().tolist(), "imageShape": list(images.shape),
               "latents": latents.flatten().tolist(), "latentShape": list(latents.shape)}, f)
