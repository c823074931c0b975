"""Writes the VAE decoder fixtures under test/fixtures/vae/, then checks them.

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 tools/reference/make_vae_fixtures.py [--check-only]

Each fixture is a tiny random decoder (vae.py) saved the ways users have the SD VAE, plus
`io.safetensors` with the input latents (in the scaled space) and the reference images:

  diffusers_c8-12-16-16_g4   diffusers layout: `diffusion_pytorch_model.safetensors` (current
                             attention names to_q/to_k/to_v/to_out.0) and
                             `diffusion_pytorch_model.bin` (torch.save, the older
                             query/key/value/proj_attn names); encoder.* and quant_conv.* keys
                             present (the converter drops them). 4 up blocks (x8), 3 resnets each,
                             shortcuts in up_blocks.2 and .3, 4 groups, latents [2, 4, 5, 3].
  ldm_c8-8-16_g2             a full SD-style checkpoint `model.ckpt` ({"state_dict": ...,
                             "global_step"}) with the VAE under first_stage_model.* in the
                             original latent-diffusion names, beside UNet / text-encoder keys;
                             3 up blocks (x4), 2 resnets each, 2 groups, scaling factor 0.13025,
                             latents [1, 4, 3, 4].

Weights are random everywhere, GroupNorm affine parameters included (weight 1 + N(0, 0.3^2),
bias N(0, 0.2^2)), convs and linears N(0, 1/fan_in), biases N(0, 0.1^2), so every path
matters. The reference images are computed in float64 from the float32 weights and latents and
stored as float32. Deterministic: a rerun writes identical files.
"""
import argparse
import json
import os
import sys
from collections import OrderedDict

import numpy as np
import torch

from safetensors_io import read_safetensors, write_safetensors
from vae import VaeDecoder, ldm_keys, legacy_diffusers_keys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.path.join(ROOT, "test", "fixtures", "vae")

CONFIGS = [
    dict(name="diffusers_c8-12-16-16_g4", seed=701, block_out_channels=(8, 12, 16, 16), layers_per_block=2,
         groups=4, scaling_factor=0.18215, latents=(2, 4, 5, 3), layout="diffusers",
         checkpoints=["diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.bin"]),
    dict(name="ldm_c8-8-16_g2", seed=702, block_out_channels=(8, 8, 16), layers_per_block=1,
         groups=2, scaling_factor=0.13025, latents=(1, 4, 3, 4), layout="ldm", checkpoints=["model.ckpt"]),
]


def build(cfg):
    return VaeDecoder(latent_channels=4, out_channels=3, block_out_channels=cfg["block_out_channels"],
                      layers_per_block=cfg["layers_per_block"], groups=cfg["groups"],
                      scaling_factor=cfg["scaling_factor"])


def randomize(model, gen):
    with torch.no_grad():
        for name, p in model.named_parameters():
            r = torch.randn(p.shape, generator=gen)
            is_norm = ".norm" in name or "group_norm" in name or "conv_norm_out" in name
            if is_norm and name.endswith("weight"):
                p.copy_(1 + 0.3 * r)
            elif is_norm:
                p.copy_(0.2 * r)
            elif name.endswith("bias"):
                p.copy_(0.1 * r)
            else:
                p.copy_(r / p[0].numel() ** 0.5)


def encoder_tensors(gen, channels):
    """A few encoder-side tensors, as real VAE files carry them (the converter drops them)."""
    return OrderedDict([
        ("encoder.conv_in.weight", torch.randn(channels, 3, 3, 3, generator=gen)),
        ("encoder.conv_in.bias", torch.randn(channels, generator=gen)),
        ("encoder.conv_out.weight", torch.randn(8, channels, 3, 3, generator=gen)),
        ("quant_conv.weight", torch.randn(8, 8, 1, 1, generator=gen)),
        ("quant_conv.bias", torch.randn(8, generator=gen)),
    ])


def reference_images(model, latents):
    with torch.no_grad():
        return model.double().decode(latents.double()).float()


def write_checkpoints(cfg, out_dir, state, gen):
    decoder = OrderedDict((k, v.clone()) for k, v in state.items())
    if cfg["layout"] == "diffusers":
        full = OrderedDict(list(encoder_tensors(gen, cfg["block_out_channels"][0]).items()) + list(decoder.items()))
        write_safetensors(os.path.join(out_dir, cfg["checkpoints"][0]), {k: v.numpy() for k, v in full.items()})
        torch.save(OrderedDict(legacy_diffusers_keys(full)), os.path.join(out_dir, cfg["checkpoints"][1]))
        return
    vae = OrderedDict(list(encoder_tensors(gen, cfg["block_out_channels"][0]).items()) +
                      list(ldm_keys(decoder, len(cfg["block_out_channels"])).items()))
    state_dict = OrderedDict(("first_stage_model." + k, v) for k, v in vae.items())
    state_dict["model.diffusion_model.input_blocks.0.0.weight"] = torch.randn(8, 4, 3, 3, generator=gen)
    state_dict["cond_stage_model.transformer.text_model.final_layer_norm.weight"] = torch.randn(8, generator=gen)
    state_dict["alphas_cumprod"] = torch.rand(10, generator=gen)
    state_dict["model_ema.num_updates"] = torch.tensor(10, dtype=torch.int32)
    torch.save({"state_dict": state_dict, "global_step": 10, "epoch": 1}, os.path.join(out_dir, cfg["checkpoints"][0]))


def make(cfg):
    gen = torch.Generator().manual_seed(cfg["seed"])
    model = build(cfg)
    randomize(model, gen)
    latents = torch.randn(*cfg["latents"], generator=gen)
    out_dir = os.path.join(OUT_DIR, cfg["name"])
    os.makedirs(out_dir, exist_ok=True)
    write_checkpoints(cfg, out_dir, model.state_dict(), gen)
    images = reference_images(model, latents)
    config = {k: (list(v) if isinstance(v, tuple) else v) for k, v in cfg.items() if k != "seed"}
    config.update(latent_channels=4, out_channels=3, reference_dtype="float64", seed=cfg["seed"])
    write_safetensors(os.path.join(out_dir, "io.safetensors"),
                      {"latents": latents.numpy(), "images": images.numpy()},
                      metadata={"kind": "vae", "config": json.dumps(config)})


def load_decoder_state(cfg, path):
    """The decoder's state_dict back from a written checkpoint, in vae.py's key names."""
    if path.endswith(".safetensors"):
        tensors, _ = read_safetensors(path)
        state = {k: torch.from_numpy(v) for k, v in tensors.items()}
    else:
        state = torch.load(path, map_location="cpu")
    canonical = build(cfg).state_dict()
    if cfg["layout"] == "ldm":
        prefix = "first_stage_model."
        vae = {k[len(prefix):]: v for k, v in state["state_dict"].items() if k.startswith(prefix)}
        # ldm_keys keeps the order of the keys it renames.
        names = ldm_keys(canonical, len(cfg["block_out_channels"]))
        return {k: vae[old].reshape(canonical[k].shape) for k, old in zip(canonical, names)}
    legacy_to_current = legacy_diffusers_keys({k: k for k in canonical})
    return {legacy_to_current.get(k, k): v for k, v in state.items() if not k.startswith(("encoder.", "quant_conv."))}


def check(cfg):
    out_dir = os.path.join(OUT_DIR, cfg["name"])
    io, meta = read_safetensors(os.path.join(out_dir, "io.safetensors"))
    latents, want = torch.from_numpy(io["latents"]), torch.from_numpy(io["images"])
    scale = want.abs().max().item()
    for name in cfg["checkpoints"]:
        model = build(cfg)
        model.load_state_dict(load_decoder_state(cfg, os.path.join(out_dir, name)), strict=True)
        got64 = reference_images(model, latents)
        assert torch.equal(got64, want), f"{cfg['name']}/{name}: reference output changed"
        model32 = build(cfg)
        model32.load_state_dict(load_decoder_state(cfg, os.path.join(out_dir, name)), strict=True)
        with torch.no_grad():
            got32 = model32.decode(latents)
        err = (got32 - want).abs().max().item() / scale
        print(f"{cfg['name']}/{name}: images {list(want.shape)}, max|x| {scale:.3f}, "
              f"std {want.std().item():.3f}; float32 torch vs float64: {err:.2e} of max|x|")
    size = sum(os.path.getsize(os.path.join(out_dir, f)) for f in os.listdir(out_dir))
    print(f"  {cfg['name']}: {size / 1024:.0f} KiB")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--check-only", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    for cfg in CONFIGS:
        if not args.check_only:
            make(cfg)
        check(cfg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
