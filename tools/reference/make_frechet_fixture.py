"""Writes test/fixtures/frechet/io.safetensors: feature sets and their Frechet distances computed
by a method independent of src/eval/frechet.ts (numpy float64: np.cov, and the trace of
sqrtm(S1 S2) as the sum of square roots of the eigenvalues of the non-symmetric product S1 @ S2,
which are real and non-negative for positive semi-definite S1, S2 -- what scipy's sqrtm-based FID
code computes, without scipy).

Sets (float32 features, each row one sample):
  a [400, 24]  correlated Gaussian;   b [300, 24]  another mean and correlation (non-commuting)
  c [10, 24]   fewer samples than dimensions: a rank-deficient covariance (rank 9)
  r [500, 16]  ReLU of a correlated Gaussian, with two dead units (always 0), like classifier features
  s [500, 16]  the same with another mean
Distances (in __metadata__, float64 as decimal strings): fd_ab, fd_ac, fd_bc, fd_rs.

Reproduce (deterministic):
  /usr/bin/python3 tools/reference/make_frechet_fixture.py
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import write_safetensors  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "fixtures", "frechet", "io.safetensors")


def frechet(x, y):
    x, y = x.astype(np.float64), y.astype(np.float64)
    mu1, mu2 = x.mean(0), y.mean(0)
    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    eig = np.linalg.eigvals(s1 @ s2)
    trace_sqrt = np.sqrt(np.clip(eig.real, 0, None)).sum()
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * trace_sqrt)


def main():
    rng = np.random.default_rng(2024)

    def correlated(n, d, shift):
        mix = rng.normal(size=(d, d)) / np.sqrt(d)
        return (rng.normal(size=(n, d)) @ mix + shift).astype(np.float32)

    a = correlated(400, 24, 0.0)
    b = correlated(300, 24, rng.normal(size=24) * 0.3)
    c = correlated(10, 24, 0.5)
    r = np.maximum(correlated(500, 16, 0.2), 0)
    s = np.maximum(correlated(500, 16, rng.normal(size=16) * 0.5), 0)
    r[:, [3, 11]] = 0
    s[:, [3, 11]] = 0
    meta = {"source": "tools/reference/make_frechet_fixture.py",
            "fd_ab": repr(frechet(a, b)), "fd_ac": repr(frechet(a, c)), "fd_bc": repr(frechet(b, c)),
            "fd_rs": repr(frechet(r, s))}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    write_safetensors(OUT, {"a": a, "b": b, "c": c, "r": r, "s": s}, meta)
    print(meta)


if __name__ == "__main__":
    main()
