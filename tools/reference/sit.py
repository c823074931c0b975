"""Independent PyTorch reference of the SiT backbone (spec: docs ba-solver.md section 2).

Covers both checkpoint layouts users convert:
  * original SiT: learn_sigma, C_out = 8, time convention "sit" (noise at t = 0,
    v = x_data - noise); CFG on the first 3 channels, at every t.
  * REPA SiT: C_out = 4, convention "repa" (noise at t = 1, v = noise - x_data),
    optional qk_norm; CFG on all 4 channels, only inside a time interval (t <= 0.7).

qk_norm choice: REPA builds its attention with timm's `Attention(qk_norm=True)`, whose
norm is `nn.LayerNorm(head_dim)` (eps 1e-5, affine weight and bias) applied per head to
q and k after the head split, the same parameters shared by all heads. Keys:
`blocks.{i}.attn.q_norm.{weight,bias}`, `blocks.{i}.attn.k_norm.{weight,bias}`.

State-dict key names match the spec exactly; `projectors.*` (REPA training-only MLPs
that align hidden states with an image encoder) can be added so converters are tested
on dropping them; they never take part in forward().
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

FREQ_DIM = 256  # sinusoid width of the timestep embedding
LN_EPS = 1e-6  # block / final LayerNorms (no affine)
QK_NORM_EPS = 1e-5  # nn.LayerNorm default, as in timm

# The SiT paper's sizes (all patch 2 here): the benchmarks' reference shapes.
SIZES = {
    "S": dict(depth=12, hidden=384, heads=6),
    "B": dict(depth=12, hidden=768, heads=12),
    "L": dict(depth=24, hidden=1024, heads=16),
    "XL": dict(depth=28, hidden=1152, heads=16),
}


def timestep_sinusoid(t, dim=FREQ_DIM, max_period=10000.0):
    """[cos(t f), sin(t f)] with f_k = exp(-ln(max_period) k / (dim/2)); cos first.
    t is the raw continuous value (not scaled by 1000); it may be negative (SideNet h)."""
    half = dim // 2
    k = torch.arange(half, dtype=torch.float64)
    freqs = torch.exp(-math.log(max_period) * k / half).to(t.dtype)
    args = t[:, None] * freqs[None, :]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


def sincos_pos_embed_2d(dim, grid_size):
    """Fixed 2-D sin-cos table of DiT, [grid_size^2, dim], tokens row-major.

    The first dim/2 features encode the column index, the last dim/2 the row index
    (DiT meshgrids (w, h) and calls the first half "emb_h"). Each half is
    [sin(pos * w_k), cos(pos * w_k)] with w_k = 10000^(-k / (dim/4)), k < dim/4.
    """
    assert dim % 4 == 0, "pos_embed needs hidden % 4 == 0"
    rows, cols = np.meshgrid(np.arange(grid_size), np.arange(grid_size), indexing="ij")

    def one_d(d, pos):
        omega = 1.0 / 10000 ** (np.arange(d // 2, dtype=np.float64) / (d / 2.0))
        out = np.outer(pos.reshape(-1).astype(np.float64), omega)
        return np.concatenate([np.sin(out), np.cos(out)], axis=1)

    return np.concatenate([one_d(dim // 2, cols), one_d(dim // 2, rows)], axis=1)


def modulate(x, shift, scale):
    return x * (1 + scale[:, None, :]) + shift[:, None, :]


class TimestepEmbedder(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(FREQ_DIM, dim), nn.SiLU(), nn.Linear(dim, dim))

    def forward(self, t):
        return self.mlp(timestep_sinusoid(t).to(self.mlp[0].weight.dtype))


class LabelEmbedder(nn.Module):
    """classes + 1 rows; row `classes` is the null (unconditional) label."""

    def __init__(self, classes, dim):
        super().__init__()
        self.embedding_table = nn.Embedding(classes + 1, dim)

    def forward(self, y):
        return self.embedding_table(y.long())


class PatchEmbed(nn.Module):
    def __init__(self, patch, in_ch, dim):
        super().__init__()
        self.proj = nn.Conv2d(in_ch, dim, kernel_size=patch, stride=patch, bias=True)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)  # [B, T, D], tokens row-major


class Attention(nn.Module):
    def __init__(self, dim, heads, qk_norm):
        super().__init__()
        self.heads = heads
        self.head_dim = dim // heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=True)
        self.proj = nn.Linear(dim, dim, bias=True)
        if qk_norm:
            self.q_norm = nn.LayerNorm(self.head_dim, eps=QK_NORM_EPS)
            self.k_norm = nn.LayerNorm(self.head_dim, eps=QK_NORM_EPS)
        else:
            self.q_norm = self.k_norm = None

    def forward(self, x):
        B, T, D = x.shape
        # qkv rows are [q | k | v], each head by head.
        q, k, v = self.qkv(x).reshape(B, T, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)
        if self.q_norm is not None:
            q, k = self.q_norm(q), self.k_norm(k)
        attn = (q @ k.transpose(-2, -1)) * self.head_dim ** -0.5
        out = attn.softmax(dim=-1) @ v  # [B, heads, T, head_dim]
        return self.proj(out.transpose(1, 2).reshape(B, T, D))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(self, dim, heads, mlp_ratio, qk_norm):
        super().__init__()
        self.attn = Attention(dim, heads, qk_norm)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(dim, 6 * dim))

    def forward(self, x, c):
        shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp = \
            self.adaLN_modulation(c).chunk(6, dim=1)
        D = x.shape[-1]
        x = x + gate_msa[:, None] * self.attn(modulate(F.layer_norm(x, (D,), eps=LN_EPS), shift_msa, scale_msa))
        x = x + gate_mlp[:, None] * self.mlp(modulate(F.layer_norm(x, (D,), eps=LN_EPS), shift_mlp, scale_mlp))
        return x


class FinalLayer(nn.Module):
    def __init__(self, dim, patch, out_ch):
        super().__init__()
        self.linear = nn.Linear(dim, patch * patch * out_ch)
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(dim, 2 * dim))

    def forward(self, x, c):
        shift, scale = self.adaLN_modulation(c).chunk(2, dim=1)
        return self.linear(modulate(F.layer_norm(x, (x.shape[-1],), eps=LN_EPS), shift, scale))


class SiT(nn.Module):
    def __init__(self, input_size=32, patch=2, in_channels=4, hidden=1152, depth=28, heads=16,
                 mlp_ratio=4.0, classes=1000, learn_sigma=True, qk_norm=False,
                 projector_dims=None):
        super().__init__()
        self.patch = patch
        self.in_channels = in_channels
        self.out_channels = in_channels * 2 if learn_sigma else in_channels
        self.classes = classes
        self.x_embedder = PatchEmbed(patch, in_channels, hidden)
        self.t_embedder = TimestepEmbedder(hidden)
        self.y_embedder = LabelEmbedder(classes, hidden)
        grid = input_size // patch
        # Fixed table, but stored in checkpoints (DiT keeps it as a frozen Parameter).
        table = torch.from_numpy(sincos_pos_embed_2d(hidden, grid)).float()[None]
        self.pos_embed = nn.Parameter(table, requires_grad=False)
        self.blocks = nn.ModuleList([Block(hidden, heads, mlp_ratio, qk_norm) for _ in range(depth)])
        self.final_layer = FinalLayer(hidden, patch, self.out_channels)
        if projector_dims is not None:
            # REPA's training-only projector MLP(s): Linear -> SiLU -> Linear -> SiLU -> Linear.
            pdim, zdim = projector_dims
            self.projectors = nn.ModuleList([nn.Sequential(
                nn.Linear(hidden, pdim), nn.SiLU(), nn.Linear(pdim, pdim), nn.SiLU(), nn.Linear(pdim, zdim))])

    def unpatchify(self, x):
        """[B, T, p*p*C] -> [B, C, H, W]; per token (row-in-patch, col-in-patch, channel)."""
        p, c = self.patch, self.out_channels
        g = int(round(x.shape[1] ** 0.5))
        x = x.reshape(x.shape[0], g, g, p, p, c)
        return torch.einsum("nhwpqc->nchpwq", x).reshape(x.shape[0], c, g * p, g * p)

    def forward(self, x, t, y):
        """Raw output, all C_out channels, in the model's own time/velocity convention."""
        x = self.x_embedder(x) + self.pos_embed
        c = self.t_embedder(t) + self.y_embedder(y)
        for block in self.blocks:
            x = block(x, c)
        return self.unpatchify(self.final_layer(x, c))


def cfg_velocity(model, x, t, y, scale, convention, interval=(0.0, 0.7)):
    """Classifier-free-guided velocity, 4 channels, as the two reference samplers do it.

    Conditional and null-class halves run as one batch. convention "repa": guidance on all
    4 channels where interval[0] <= t <= interval[1] (REPA time), plain conditional
    elsewhere. convention "sit": guidance on channels 0..2 at every t; channel 3 is the
    conditional output (SiT's forward_with_cfg). Returns (v_cfg, v_cond, v_uncond), the
    last two raw (all C_out channels).
    """
    B = x.shape[0]
    null = torch.full_like(y, model.classes)
    out = model(torch.cat([x, x]), torch.cat([t, t]), torch.cat([y, null]))
    v_c, v_u = out[:B], out[B:]
    guided = v_u[:, :4] + scale * (v_c[:, :4] - v_u[:, :4])
    if convention == "repa":
        lo, hi = interval
        on = ((t >= lo) & (t <= hi))[:, None, None, None]
        v = torch.where(on, guided, v_c[:, :4])
    elif convention == "sit":
        v = torch.cat([guided[:, :3], v_c[:, 3:4]], dim=1)
    else:
        raise ValueError(convention)
    return v, v_c, v_u
