"""PyTorch reference of the BA-solver SideNet (spec: docs ba-solver.md section 3).

S(x_t, v_t, t, h, y) -> delta_v = h * net(...), so v(t - h) ~= v_t + delta_v and the
prediction is the backbone velocity when h = 0. REPA time convention (noise at t = 1).
Key names and tensor layouts are the reference ones listed in the spec.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from sit import TimestepEmbedder

RMS_EPS = 1e-5


def rms_norm(x):
    """Channel RMSNorm on [B, C, H, W], no weight."""
    return x * torch.rsqrt(x.pow(2).mean(dim=1, keepdim=True) + RMS_EPS)


def film(x, emb_proj, emb):
    """RMSNorm(x) * (1 + scale) + shift; emb_proj output is [scale (C) | shift (C)]."""
    scale, shift = emb_proj(emb).chunk(2, dim=1)
    return rms_norm(x) * (1 + scale[:, :, None, None]) + shift[:, :, None, None]


class LabelEmbedder(nn.Module):
    def __init__(self, classes, dim):
        super().__init__()
        self.embedding_table = nn.Embedding(classes + 1, dim)

    def forward(self, y):
        return self.embedding_table(y.long())


class ResBlock(nn.Module):
    def __init__(self, C, E):
        super().__init__()
        self.conv1_dw = nn.Conv2d(C, C, 3, padding=1, groups=C, bias=False)
        self.conv1_pw = nn.Conv2d(C, C, 1, bias=False)
        self.conv2_dw = nn.Conv2d(C, C, 3, padding=1, groups=C, bias=False)
        self.conv2_pw = nn.Conv2d(C, C, 1, bias=True)
        self.emb_proj = nn.Linear(E, 2 * C)

    def forward(self, x, emb):
        h = self.conv1_pw(self.conv1_dw(rms_norm(x)))
        # Spec: Linear(E, 2C) applied to emb directly (no SiLU in between).
        h = film(h, self.emb_proj, emb)
        h = self.conv2_pw(self.conv2_dw(F.silu(h)))
        return x + h


class AttnBlock(nn.Module):
    def __init__(self, C, E, heads):
        super().__init__()
        assert C % heads == 0
        self.heads = heads
        self.emb_proj = nn.Linear(E, 2 * C)
        self.qkv = nn.Conv2d(C, 3 * C, 1, bias=False)
        self.proj = nn.Conv2d(C, C, 1, bias=False)

    def forward(self, x, emb):
        B, C, H, W = x.shape
        d = C // self.heads
        # qkv channel = which*C + head*d + j; attention over the H*W positions.
        qkv = self.qkv(film(x, self.emb_proj, emb)).reshape(B, 3, self.heads, d, H * W)
        q, k, v = qkv[:, 0], qkv[:, 1], qkv[:, 2]  # [B, heads, d, HW]
        attn = (q.transpose(-2, -1) @ k) * d ** -0.5  # [B, heads, HW(query), HW(key)]
        out = v @ attn.softmax(dim=-1).transpose(-2, -1)  # [B, heads, d, HW]
        return x + self.proj(out.reshape(B, C, H, W))


class SideNet(nn.Module):
    def __init__(self, C=256, E=256, L=4, heads=4, classes=1000):
        super().__init__()
        self.classes = classes
        self.attn_index = L // 2
        self.t_embedder = TimestepEmbedder(E)
        self.h_embedder = TimestepEmbedder(E)
        self.y_embedder = LabelEmbedder(classes, E)
        self.emb_fusion = nn.Sequential(nn.Linear(3 * E, E), nn.SiLU(), nn.Linear(E, E))
        self.input_conv = nn.Conv2d(8, C, 3, padding=1, bias=False)
        self.blocks = nn.ModuleList(
            [AttnBlock(C, E, heads) if i == self.attn_index else ResBlock(C, E) for i in range(L)])
        self.output_conv = nn.Conv2d(C, 4, 3, padding=1, bias=True)
        nn.init.zeros_(self.output_conv.weight)  # training starts at delta_v = 0
        nn.init.zeros_(self.output_conv.bias)

    def forward(self, x_t, v_t, t, h, y):
        emb = self.emb_fusion(torch.cat([self.t_embedder(t), self.h_embedder(h), self.y_embedder(y)], dim=1))
        x = self.input_conv(torch.cat([x_t, v_t], dim=1))
        for block in self.blocks:
            x = block(x, emb)
        out = self.output_conv(F.silu(rms_norm(x)))
        return h[:, None, None, None] * out
