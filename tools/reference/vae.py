"""Independent PyTorch reference of the AutoencoderKL *decoder* of Stable Diffusion's VAE
(the one SiT/REPA decode with), written from the architecture, not imported from diffusers.

Module names follow diffusers' state_dict exactly, so `VaeDecoder().state_dict()` has the
keys of a diffusers `vae/diffusion_pytorch_model.*` file minus the encoder:

    post_quant_conv.{weight,bias}                       1x1, latent -> latent
    decoder.conv_in                                     3x3, latent -> C[-1]
    decoder.mid_block.resnets.{0,1}                     ResnetBlock2D(C[-1])
    decoder.mid_block.attentions.0.{group_norm,to_q,to_k,to_v,to_out.0}
    decoder.up_blocks.{i}.resnets.{j}                   i = 0 is the lowest resolution, C[-1-i]
    decoder.up_blocks.{i}.upsamplers.0.conv             nearest x2 then 3x3 (all but the last)
    decoder.conv_norm_out, decoder.conv_out             GroupNorm + SiLU, 3x3 -> out channels

`decode(latents)` takes latents in the scaled space samplers work in (x scaling_factor) and
returns images in about [-1, 1].
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

SD_BLOCK_OUT_CHANNELS = (128, 256, 512, 512)
SD_SCALING_FACTOR = 0.18215
EPS = 1e-6


class ResnetBlock2D(nn.Module):
    """x + conv2(SiLU(GN(conv1(SiLU(GN(x)))))), with a 1x1 conv_shortcut when channels change."""

    def __init__(self, cin, cout, groups):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin, eps=EPS)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.norm2 = nn.GroupNorm(groups, cout, eps=EPS)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.conv_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x):
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(F.silu(self.norm2(h)))
        skip = x if self.conv_shortcut is None else self.conv_shortcut(x)
        return skip + h


class Attention(nn.Module):
    """Single-head self-attention over the H*W positions, with GroupNorm first and a residual."""

    def __init__(self, channels, groups):
        super().__init__()
        self.group_norm = nn.GroupNorm(groups, channels, eps=EPS)
        self.to_q = nn.Linear(channels, channels)
        self.to_k = nn.Linear(channels, channels)
        self.to_v = nn.Linear(channels, channels)
        # diffusers keeps a Dropout at to_out.1 (no parameters).
        self.to_out = nn.ModuleList([nn.Linear(channels, channels), nn.Dropout(0.0)])

    def forward(self, x):
        n, c, h, w = x.shape
        tokens = self.group_norm(x).reshape(n, c, h * w).transpose(1, 2)  # [N, HW, C]
        q, k, v = self.to_q(tokens), self.to_k(tokens), self.to_v(tokens)
        weights = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(c), dim=-1)
        out = self.to_out[0](weights @ v)
        return x + out.transpose(1, 2).reshape(n, c, h, w)


class MidBlock(nn.Module):
    def __init__(self, channels, groups):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(channels, channels, groups) for _ in range(2)])
        self.attentions = nn.ModuleList([Attention(channels, groups)])

    def forward(self, x):
        x = self.resnets[0](x)
        x = self.attentions[0](x)
        return self.resnets[1](x)


class Upsampler(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class UpBlock(nn.Module):
    def __init__(self, cin, cout, layers, groups, upsample):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(cin if j == 0 else cout, cout, groups) for j in range(layers)])
        self.upsamplers = nn.ModuleList([Upsampler(cout)]) if upsample else None

    def forward(self, x):
        for resnet in self.resnets:
            x = resnet(x)
        if self.upsamplers is not None:
            x = self.upsamplers[0](x)
        return x


class Decoder(nn.Module):
    def __init__(self, latent_channels, out_channels, block_out_channels, layers_per_block, groups):
        super().__init__()
        top = block_out_channels[-1]
        self.conv_in = nn.Conv2d(latent_channels, top, 3, padding=1)
        self.mid_block = MidBlock(top, groups)
        widths = list(reversed(block_out_channels))  # up_blocks.0 has the most channels
        self.up_blocks = nn.ModuleList([
            UpBlock(widths[max(i - 1, 0)], widths[i], layers_per_block + 1, groups, upsample=i < len(widths) - 1)
            for i in range(len(widths))
        ])
        self.conv_norm_out = nn.GroupNorm(groups, block_out_channels[0], eps=EPS)
        self.conv_out = nn.Conv2d(block_out_channels[0], out_channels, 3, padding=1)

    def forward(self, z):
        x = self.mid_block(self.conv_in(z))
        for block in self.up_blocks:
            x = block(x)
        return self.conv_out(F.silu(self.conv_norm_out(x)))


class VaeDecoder(nn.Module):
    """post_quant_conv + Decoder; `decode` divides by the scaling factor first."""

    def __init__(self, latent_channels=4, out_channels=3, block_out_channels=SD_BLOCK_OUT_CHANNELS,
                 layers_per_block=2, groups=32, scaling_factor=SD_SCALING_FACTOR):
        super().__init__()
        self.scaling_factor = scaling_factor
        self.post_quant_conv = nn.Conv2d(latent_channels, latent_channels, 1)
        self.decoder = Decoder(latent_channels, out_channels, block_out_channels, layers_per_block, groups)

    def decode(self, latents):
        return self.decoder(self.post_quant_conv(latents / self.scaling_factor))


# ---------------------------------------------------------------------------------------
# Other key layouts of the same weights (the converter accepts all three).

LEGACY_ATTENTION_NAMES = {"to_q": "query", "to_k": "key", "to_v": "value", "to_out.0": "proj_attn"}


def legacy_diffusers_keys(state_dict):
    """The names diffusers < 0.15 used for the mid-block attention (query/key/value/proj_attn)."""
    out = {}
    for key, value in state_dict.items():
        for new, old in LEGACY_ATTENTION_NAMES.items():
            key = key.replace(f".attentions.0.{new}.", f".attentions.0.{old}.")
        out[key] = value
    return out


def ldm_keys(state_dict, up_blocks):
    """The original latent-diffusion names (a full SD checkpoint's first_stage_model.*, without
    the prefix): decoder.up.{k} counts from the *highest* resolution, mid.block_1/attn_1/block_2,
    nin_shortcut, norm_out, and the attention's q/k/v/proj_out as 1x1 convs [C, C, 1, 1]."""
    out = {}
    for key, value in state_dict.items():
        parts = key.split(".")
        if key.startswith("decoder.up_blocks."):
            i = int(parts[2])
            rest = ".".join(parts[3:])
            rest = rest.replace("resnets.", "block.").replace("upsamplers.0.", "upsample.")
            key = f"decoder.up.{up_blocks - 1 - i}.{rest}"
        elif key.startswith("decoder.mid_block.resnets."):
            key = f"decoder.mid.block_{int(parts[3]) + 1}." + ".".join(parts[4:])
        elif key.startswith("decoder.mid_block.attentions.0."):
            rest = ".".join(parts[4:])
            for new, old in {"group_norm": "norm", "to_q": "q", "to_k": "k", "to_v": "v", "to_out.0": "proj_out"}.items():
                if rest.startswith(new + "."):
                    rest = old + rest[len(new):]
            key = "decoder.mid.attn_1." + rest
            if value.dim() == 2:
                value = value.reshape(*value.shape, 1, 1)
        key = key.replace("conv_shortcut", "nin_shortcut").replace("decoder.conv_norm_out", "decoder.norm_out")
        out[key] = value
    return out
