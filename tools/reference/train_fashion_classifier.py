"""Trains the small Fashion-MNIST classifier the evaluation uses (models/fashion-classifier.safetensors).

No pretrained image classifier is available offline, so the quality metrics (classifier accuracy
of class-conditional samples, and a Frechet distance "FD" on its features, not FID) use this one,
trained here on the same data. It is an MLP small enough to run in plain TypeScript on the CPU
(src/eval/classifier.ts): 784 -> 256 -> 128 -> 10 with ReLU; the features are the 128 ReLU
outputs of fc2 (the input of the last layer). Input: 28 x 28 pixels scaled to [-1, 1] as
p / 127.5 - 1, flattened row-major.

Also writes test/fixtures/classifier/io.safetensors: 16 test images, their labels, and the logits
and features computed in float64 from the saved float32 weights (stored as float32), for the
TypeScript parity test.

Reproduce (deterministic; about a minute on one CPU core; Debian's torch, see install.sh):
  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 tools/reference/train_fashion_classifier.py
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fashion  # noqa: E402
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
METADATA_KEY = "ba_classifier"
FIXTURE_IMAGES = 16


class Mlp(nn.Module):
    def __init__(self, widths):
        super().__init__()
        self.widths = widths
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:]))

    def forward(self, x):
        """x [N, 28, 28] -> (logits [N, classes], features [N, widths[-2]])."""
        h = x.flatten(1)
        for layer in self.layers[:-1]:
            h = F.relu(layer(h))
        return self.layers[-1](h), h


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default=os.path.join(ROOT, "models", "fashion-classifier.safetensors"))
    p.add_argument("--fixture", default=os.path.join(ROOT, "test", "fixtures", "classifier", "io.safetensors"))
    p.add_argument("--hidden", type=int, nargs="+", default=[256, 128])
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--weight-decay", type=float, default=1e-4)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    return p.parse_args()


def to_unit(images):
    return torch.from_numpy(images.astype(np.float32) / 127.5 - 1.0)


@torch.no_grad()
def accuracy(model, x, y):
    correct = 0
    for i in range(0, len(x), 1000):
        logits, _ = model(x[i:i + 1000])
        correct += (logits.argmax(1) == y[i:i + 1000]).sum().item()
    return correct / len(x)


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    train_images, train_labels = fashion.load("train")
    test_images, test_labels = fashion.load("t10k")
    x_train, y_train = to_unit(train_images), torch.from_numpy(train_labels)
    x_test, y_test = to_unit(test_images), torch.from_numpy(test_labels)
    widths = [28 * 28, *args.hidden, len(fashion.CLASSES)]
    model = Mlp(widths)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    steps_per_epoch = math.ceil(len(x_train) / args.batch)
    total = args.epochs * steps_per_epoch
    start = time.time()
    step = 0
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(x_train))
        # Mirror half of each batch: garments are left/right symmetric, and it adds variety.
        flip = torch.rand(len(x_train)) < 0.5
        for i in range(0, len(order), args.batch):
            idx = order[i:i + args.batch]
            xb = torch.where(flip[idx, None, None], x_train[idx].flip(-1), x_train[idx])
            for group in opt.param_groups:  # cosine decay to 0
                group["lr"] = args.lr * 0.5 * (1 + math.cos(math.pi * step / total))
            logits, _ = model(xb)
            loss = F.cross_entropy(logits, y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
        model.eval()
        print(f"epoch {epoch + 1}/{args.epochs}: loss {loss.item():.4f}, "
              f"test accuracy {accuracy(model, x_test, y_test):.4f} ({time.time() - start:.0f} s)", flush=True)

    test_accuracy = accuracy(model, x_test, y_test)
    tensors = {}
    for i, layer in enumerate(model.layers):
        tensors[f"fc{i + 1}.weight"] = layer.weight.detach().numpy().astype("<f4")  # [out, in]
        tensors[f"fc{i + 1}.bias"] = layer.bias.detach().numpy().astype("<f4")
    description = {
        "format": "ba-webgpu-classifier/1",
        "kind": "mlp",
        "dataset": "fashion-mnist",
        "input": {"height": 28, "width": 28, "range": [-1, 1], "scaling": "p / 127.5 - 1, row-major"},
        "widths": widths,
        "activation": "relu",
        "layers": [f"fc{i + 1}" for i in range(len(widths) - 1)],
        "features": {"layer": f"fc{len(widths) - 2}", "dim": widths[-2], "after": "relu"},
        "classes": fashion.CLASSES,
        "test_accuracy": round(test_accuracy, 4),
        "training": {"epochs": args.epochs, "batch": args.batch, "optimizer": "AdamW", "lr": args.lr,
                     "weight_decay": args.weight_decay, "schedule": "cosine", "augment": "horizontal flip p=0.5",
                     "seed": args.seed},
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    write_safetensors(args.out, tensors, {METADATA_KEY: json.dumps(description)})
    print(f"test accuracy {test_accuracy:.4f}; wrote {args.out} ({os.path.getsize(args.out)} bytes)")
    write_fixture(args.out, x_test[:FIXTURE_IMAGES], test_labels[:FIXTURE_IMAGES], args.fixture)


def write_fixture(weights_path, images, labels, path):
    """Logits and features in float64 from the float32 weights as saved (reloaded from the file)."""
    weights, meta = read_safetensors(weights_path)
    widths = json.loads(meta[METADATA_KEY])["widths"]
    model = Mlp(widths).double()
    with torch.no_grad():
        for i, layer in enumerate(model.layers):
            layer.weight.copy_(torch.from_numpy(weights[f"fc{i + 1}.weight"]))
            layer.bias.copy_(torch.from_numpy(weights[f"fc{i + 1}.bias"]))
        logits, features = model(images.double())
        logits32, _ = model.float()(images)
    print(f"fixture: float32 torch logits differ from float64 by {(logits32.double() - logits).abs().max().item():.2e}; "
          f"predictions {logits.argmax(1).tolist()}, labels {labels.tolist()}")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    write_safetensors(path, {
        "images": images.numpy().astype("<f4"),
        "labels": labels.astype("<i4"),
        "logits": logits.numpy().astype("<f4"),
        "features": features.numpy().astype("<f4"),
    }, {"source": "tools/reference/train_fashion_classifier.py", "reference_dtype": "float64",
        "weights": os.path.relpath(weights_path, ROOT)})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
