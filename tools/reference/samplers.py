"""Independent PyTorch reference of the samplers (spec: ba-solver.md sections 1 and 4).

Written from the spec, not from the TypeScript engine: states are B-image tensors, the
guidance batch is built per call, node velocities are materialised. Everything runs in the
REPA convention (t: 1 = noise -> 0 = data, x <- x - h v); a 'sit' backbone is called at
1 - t and its output negated; learn_sigma outputs keep the first C channels.

Choices (the same as the engine's, documented there):
  * CFG: v = v_u + s (v_c - v_u) on the first `channels` channels where lo <= t <= hi
    (REPA time), the conditional half elsewhere; applied per quadrature node at its own time.
  * Heun: trapezoid predictor-corrector on every interval except the last (Euler).
  * DPM-Solver++(2M) with alpha_t = 1 - t, sigma_t = t, x0 = x - t v, lambda = log(alpha/sigma);
    first order (Euler) on the first step, after t = 1 (r infinite) and on the step onto t = 0.
  * BA-solver: Algorithm 1 (bi-anchor, exactly N backbone calls) and the single-anchor
    Gauss-Legendre ablation.
"""
import math

import numpy as np
import torch


def time_grid(n, shift=1.0):
    ts = [1.0 - i / n for i in range(n)] + [0.0]
    return [shift * t / (1 + (shift - 1) * t) for t in ts] if shift != 1.0 else ts


def bi_anchor_rule(alpha=(1 - 1 / math.sqrt(5)) / 2):
    s = 1 - 2 * alpha
    wi = 1 / (3 * (1 - s * s))
    wo = 0.5 - wi
    return [0.0, alpha, 1 - alpha, 1.0], [wo, wi, wi, wo]


def gauss_legendre(k):
    xs, ws = np.polynomial.legendre.leggauss(k)
    return [float((1 + v) / 2) for v in xs], [float(v / 2) for v in ws]


def gaussian_noise(seed, count):
    """Python port of src/solver/noise.ts: mulberry32 + Box-Muller (z0, z1 pairs)."""
    M = 0xFFFFFFFF
    state = seed & M

    def nxt():
        nonlocal state
        state = (state + 0x6D2B79F5) & M
        t = state
        t = ((t ^ (t >> 15)) * (t | 1)) & M
        t = (t ^ ((t + (((t ^ (t >> 7)) * (t | 61)) & M)) & M)) & M
        return ((t ^ (t >> 14)) & M) / 4294967296.0

    out = []
    while len(out) < count:
        r = math.sqrt(-2 * math.log(1 - nxt()))
        phi = 2 * math.pi * nxt()
        out.append(r * math.cos(phi))
        out.append(r * math.sin(phi))
    return out[:count]


class Boundary:
    """Backbone and SideNet calls in the REPA convention, with call counting."""

    def __init__(self, model, convention, labels, null_class, sidenet=None, scale=1.0,
                 interval=(0.0, 0.7), channels=4, C=4):
        self.model, self.convention, self.sidenet = model, convention, sidenet
        self.y = labels
        self.null = torch.full_like(labels, null_class)
        self.scale, self.interval, self.gch, self.C = scale, interval, channels, C
        self.guided = scale != 1.0
        self.backbone_calls = 0
        self.sidenet_calls = 0

    def _batch(self, x):
        return (torch.cat([x, x]), torch.cat([self.y, self.null])) if self.guided else (x, self.y)

    def raw(self, x, t):
        """REPA-convention C-channel velocities of the whole call batch [B', C] (cond ‖ null)."""
        self.backbone_calls += 1
        xb, yb = self._batch(x)
        tm = 1 - t if self.convention == "sit" else t
        out = self.model(xb, torch.full((xb.shape[0],), tm, dtype=x.dtype), yb)
        sign = -1.0 if self.convention == "sit" else 1.0
        return sign * out[:, :self.C]

    def cfg(self, v, t):
        """Guided velocity [B, C] at REPA time t from a [B', C] batch."""
        if not self.guided:
            return v
        B = v.shape[0] // 2
        vc, vu = v[:B], v[B:]
        lo, hi = self.interval
        if not (lo <= t <= hi):
            return vc
        g = vu + self.scale * (vc - vu)
        return torch.cat([g[:, :self.gch], vc[:, self.gch:]], dim=1)

    def deltas(self, x, v, t, offsets):
        """SideNet corrections for each offset: list of [B', C] (one batched call)."""
        self.sidenet_calls += 1
        xb, yb = self._batch(x)
        n = xb.shape[0]
        xs = torch.cat([xb] * len(offsets))
        vs = torch.cat([v] * len(offsets))
        ts = torch.full((n * len(offsets),), t, dtype=x.dtype)
        hs = torch.cat([torch.full((n,), h, dtype=x.dtype) for h in offsets])
        d = self.sidenet(xs, vs, ts, hs, torch.cat([yb] * len(offsets)))
        return list(d.split(n))


def euler(bd, x, times):
    states = []
    for i in range(len(times) - 1):
        t, t1 = times[i], times[i + 1]
        x = x - (t - t1) * bd.cfg(bd.raw(x, t), t)
        states.append(x)
    return states


def heun(bd, x, times):
    states = []
    n = len(times) - 1
    for i in range(n):
        t, t1 = times[i], times[i + 1]
        h = t - t1
        v0 = bd.cfg(bd.raw(x, t), t)
        if i == n - 1:
            x = x - h * v0
        else:
            xp = x - h * v0
            v1 = bd.cfg(bd.raw(xp, t1), t1)
            x = x - h * (v0 + v1) / 2
        states.append(x)
    return states


def dpm_solver_2m(bd, x, times):
    lam = lambda t: math.log((1 - t) / t) if 0 < t < 1 else (math.inf if t == 0 else -math.inf)
    states, x0_prev = [], None
    n = len(times) - 1
    for i in range(n):
        t, t1 = times[i], times[i + 1]
        x0 = x - t * bd.cfg(bd.raw(x, t), t)
        first_order = i == 0 or t1 == 0 or not math.isfinite(lam(times[i - 1]))
        if first_order:
            D = x0
        else:
            h = lam(t1) - lam(t)
            r = (lam(t) - lam(times[i - 1])) / h
            D = (1 + 1 / (2 * r)) * x0 - 1 / (2 * r) * x0_prev
        if t1 == 0:
            x = D
        else:
            h = lam(t1) - lam(t)
            x = (t1 / t) * x - (1 - t1) * math.expm1(-h) * D
        x0_prev = x0
        states.append(x)
    return states


def ba_bi_anchor(bd, x, times, alpha=(1 - 1 / math.sqrt(5)) / 2):
    """Algorithm 1. v_raw: the [B', C] REPA batch of the start anchor."""
    c, w = bi_anchor_rule(alpha)
    states = []
    n = len(times) - 1
    v_raw = bd.raw(x, times[0])
    for i in range(n):
        t, t1 = times[i], times[i + 1]
        h = t - t1
        v_start = bd.cfg(v_raw, t)
        d_a, d_b, d_1 = bd.deltas(x, v_raw, t, [alpha * h, (1 - alpha) * h, h])
        v_a = bd.cfg(v_raw + d_a, t - alpha * h)
        v_b = bd.cfg(v_raw + d_b, t - (1 - alpha) * h)
        v_1 = bd.cfg(v_raw + d_1, t - h)
        x_pred = x - h * (w[0] * v_start + w[1] * v_a + w[2] * v_b + w[3] * v_1)
        if i == n - 1:
            states.append(x_pred)
            break
        v_end_raw = bd.raw(x_pred, t1)
        (d_back,) = bd.deltas(x_pred, v_end_raw, t1, [-alpha * h])
        v_b2 = bd.cfg(v_end_raw + d_back, t - (1 - alpha) * h)
        x = x - h * (w[0] * v_start + w[1] * v_a + w[2] * v_b2 + w[3] * bd.cfg(v_end_raw, t1))
        v_raw = v_end_raw
        states.append(x)
    return states


def ba_single_anchor(bd, x, times, k=3):
    c, w = gauss_legendre(k)
    states = []
    for i in range(len(times) - 1):
        t, t1 = times[i], times[i + 1]
        h = t - t1
        v_raw = bd.raw(x, t)
        ds = bd.deltas(x, v_raw, t, [ck * h for ck in c])
        x = x - h * sum(wk * bd.cfg(v_raw + d, t - ck * h) for ck, wk, d in zip(c, w, ds))
        states.append(x)
    return states


SAMPLERS = {"euler": euler, "heun": heun, "dpm++2m": dpm_solver_2m, "ba": ba_bi_anchor,
            "ba-single": ba_single_anchor}
