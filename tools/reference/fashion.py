"""Fashion-MNIST as a latent dataset, the same way the engine reads it (src/model/pixel-latent.ts).

Images come from Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist, IDX files,
gzipped). The "latent" of a 28x28 image is a reversible rearrangement, not a learned encoder:
pixels scaled to [-1, 1], padded with -1 (background) by 2 on each side to 32x32, then
pixel-unshuffled by 2 into 4 channels of 16x16 (channel = 2*row_parity + col_parity). That
gives the backbone and the SideNet the SD-latent shape they are built for (4 x H/8 x W/8
of a 128 px image) and keeps decoding a free reshuffle.
"""
import gzip
import os
import struct

import numpy as np
import torch
import torch.nn.functional as F

DATA_DIR = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
           "Ankle boot"]
PAD = 2
FACTOR = 2


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(split):
    """(images uint8 [N, 28, 28], labels int64 [N]) for split 'train' or 't10k'."""
    if not os.path.isdir(DATA_DIR):
        raise SystemExit(f"{DATA_DIR} is missing: apt-get install dataset-fashion-mnist")
    images = read_idx(os.path.join(DATA_DIR, f"{split}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(DATA_DIR, f"{split}-labels-idx1-ubyte.gz"))
    return images, labels.astype(np.int64)


def pixels_to_unit(images):
    """uint8 [N, 28, 28] -> float [N, 1, 32, 32] in [-1, 1], padded with -1."""
    x = torch.from_numpy(images.astype(np.float32) / 127.5 - 1.0)[:, None]
    return F.pad(x, (PAD, PAD, PAD, PAD), value=-1.0)


def encode(images):
    """uint8 [N, 28, 28] -> latents [N, 4, 16, 16]."""
    return F.pixel_unshuffle(pixels_to_unit(images), FACTOR)


def decode(latents):
    """latents [N, 4, 16, 16] -> float [N, 28, 28] in [-1, 1]."""
    x = F.pixel_shuffle(latents, FACTOR)[:, 0]
    return x[:, PAD:-PAD, PAD:-PAD]
