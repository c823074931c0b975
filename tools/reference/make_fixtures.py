"""Regenerates every SiT / SideNet fixture under test/fixtures/{sit,sidenet}/, then checks them.

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 tools/reference/make_fixtures.py [--check-only]

Deterministic (fixed seeds). Weights are small and random everywhere (no zero-initialised
adaLN or output layers) so every path contributes to the outputs. Reference outputs are
computed in float64 from the float32 weights and inputs, then stored as float32.
"""
import argparse
import copy
import json
import os
import shutil
import sys
from collections import OrderedDict

import numpy as np
import torch

from safetensors_io import read_safetensors, write_safetensors
from sidenet import RMS_EPS, SideNet
from sit import LN_EPS, QK_NORM_EPS, SiT, cfg_velocity

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SIT_DIR = os.path.join(ROOT, "test", "fixtures", "sit")
SIDE_DIR = os.path.join(ROOT, "test", "fixtures", "sidenet")

# ---------------------------------------------------------------------------------------
# Configurations. t values are in each model's own convention.

SIT_CONFIGS = [
    # REPA layout, head_dim 72 (not a power of two), bare released state_dict,
    # one sample with the null label.
    dict(name="repa_d2_h144_p2_8x8", seed=101, convention="repa", depth=2, hidden=144, heads=2,
         patch=2, input_size=8, classes=10, learn_sigma=False, qk_norm=False,
         checkpoint="model.pt", layout="state_dict", prefix="", projectors=None, views=False,
         cfg=None, t=[0.0, 1.0, 0.43], y=[3, 10, 9]),
    # Original SiT: learn_sigma (C_out 8), training dict with EMA != model, DDP `module.`
    # prefixes, args as an argparse.Namespace; CFG on the first 3 channels.
    dict(name="sit_sigma_d3_h64_p4_16x16", seed=202, convention="sit", depth=3, hidden=64,
         heads=4, patch=4, input_size=16, classes=10, learn_sigma=True, qk_norm=False,
         checkpoint="checkpoint.pt", layout="training", prefix="module.", projectors=None,
         views=False, opt_steps=0, cfg=dict(scale=4.0, interval=None, channels=3),
         t=[0.0, 1.0, 0.37], y=[0, 7, 5]),
    # REPA with qk_norm, T = 256, `projectors.*` keys to drop, tensors saved as views of
    # larger / shared storages (one transposed, non-contiguous), CFG inside t <= 0.7.
    dict(name="repa_qknorm_d2_h96_p2_32x32", seed=303, convention="repa", depth=2, hidden=96,
         heads=3, patch=2, input_size=32, classes=10, learn_sigma=False, qk_norm=True,
         checkpoint="checkpoint.pt", layout="training", prefix="", projectors=(64, 32),
         views=True, opt_steps=0, cfg=dict(scale=1.8, interval=[0.0, 0.7], channels=4),
         t=[1.0, 0.85, 0.3, 0.0], y=[1, 2, 8, 4]),
    # Patch 8 (T = 4), original SiT layout, bare state_dict saved under a .pth name.
    dict(name="sit_sigma_d2_h64_p8_16x16", seed=404, convention="sit", depth=2, hidden=64,
         heads=2, patch=8, input_size=16, classes=10, learn_sigma=True, qk_norm=False,
         checkpoint="model.pth", layout="state_dict", prefix="", projectors=None, views=False,
         cfg=None, t=[1.0, 0.62], y=[6, 2]),
]

SIDE_CONFIGS = [
    dict(name="side_c32_e32_l4_8x8", seed=505, C=32, E=32, L=4, heads=4, input_size=8,
         classes=10, checkpoint="sidenet.pt", opt_steps=2,
         t=[1.0, 0.6, 0.25, 0.0], h=[0.25, 0.0, -0.15, -0.125], y=[4, 10, 0, 9]),
    # E != C so swapped dimensions fail loudly; attention block at index 1.
    dict(name="side_c24_e40_l3_16x16", seed=606, C=24, E=40, L=3, heads=4, input_size=16,
         classes=10, checkpoint="sidenet.pt", opt_steps=0,
         t=[0.8, 0.5, 0.1, 0.3], h=[-0.2, 0.1, 0.05, 0.0], y=[2, 5, 10, 7]),
]

EMA_NOISE = 0.1  # relative perturbation that makes `ema` differ from `model`

# ---------------------------------------------------------------------------------------
# Weights


def randomize(model, gen):
    """Random weights scaled so activations stay O(1): weights ~ N(0, 1/fan_in),
    biases ~ N(0, 0.1^2), label tables ~ N(0, 1), norm affine weights ~ 1 + N(0, 0.2^2).
    The fixed pos_embed keeps its sin-cos values."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name == "pos_embed":
                continue
            r = torch.randn(p.shape, generator=gen)
            if name.endswith("_norm.weight"):
                p.copy_(1 + 0.2 * r)
            elif name.endswith("bias"):
                p.copy_(0.1 * r)
            elif "embedding_table" in name:
                p.copy_(r)
            else:
                p.copy_(r / p[0].numel() ** 0.5)


def perturbed_copy(model, gen):
    ema = copy.deepcopy(model)
    with torch.no_grad():
        for name, p in ema.named_parameters():
            if name == "pos_embed":
                continue
            rms = p.pow(2).mean().sqrt()
            p.add_(EMA_NOISE * rms * torch.randn(p.shape, generator=gen))
    return ema


def adamw_state(model, gen, steps):
    """A real AdamW state_dict (exp_avg, exp_avg_sq, step tensors) after a few fake steps;
    the steps also move the weights a little, as training would. steps = 0 gives a fresh
    optimizer (param_groups only, empty state), which keeps the fixture small."""
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.0)
    for _ in range(steps):
        for p in params:
            p.grad = torch.randn(p.shape, generator=gen)
        opt.step()
    opt.zero_grad(set_to_none=True)
    return opt.state_dict()


def prefixed(sd, prefix):
    """Copy of a state_dict with keys prefixed, keeping the OrderedDict `_metadata` that
    torch.save pickles along with it (as DDP's state_dict has)."""
    out = OrderedDict((prefix + k, v) for k, v in sd.items())
    meta = getattr(sd, "_metadata", None)
    if meta is not None:
        out._metadata = OrderedDict(((prefix + k) if k else prefix.rstrip("."), v) for k, v in meta.items())
    return out


def with_views(sd, hidden):
    """Same values, stored the awkward ways torch.save allows:
    - blocks.0.attn.qkv.{weight,bias}: two views of one storage (bias at a non-zero offset);
    - blocks.0.mlp.fc1.weight: a column slice of a wider matrix (row stride > row length);
    - blocks.1.attn.proj.weight: a transposed, non-contiguous view (strides (1, D))."""
    D = hidden
    w, b = sd["blocks.0.attn.qkv.weight"], sd["blocks.0.attn.qkv.bias"]
    big = torch.full((7 + w.numel() + b.numel(),), -99.0)  # junk around the used ranges
    big[7:7 + w.numel()] = w.reshape(-1)
    big[7 + w.numel():] = b
    sd["blocks.0.attn.qkv.weight"] = big[7:7 + w.numel()].view(3 * D, D)
    sd["blocks.0.attn.qkv.bias"] = big[7 + w.numel():]

    f = sd["blocks.0.mlp.fc1.weight"]
    wide = torch.full((f.shape[0], f.shape[1] + 5), -99.0)
    wide[:, 3:3 + f.shape[1]] = f
    sd["blocks.0.mlp.fc1.weight"] = wide[:, 3:3 + f.shape[1]]

    p = sd["blocks.1.attn.proj.weight"]
    sd["blocks.1.attn.proj.weight"] = p.t().contiguous().t()
    assert not sd["blocks.1.attn.proj.weight"].is_contiguous()
    assert not sd["blocks.0.mlp.fc1.weight"].is_contiguous()
    return sd


def clean_state_dict(sd):
    """What a converter must do: strip `module.`, drop training-only `projectors.*`."""
    out = OrderedDict()
    for k, v in sd.items():
        if k.startswith("module."):
            k = k[len("module."):]
        if k.startswith("projectors."):
            continue
        out[k] = v
    return out


def sit_model(cfg):
    return SiT(input_size=cfg["input_size"], patch=cfg["patch"], in_channels=4,
               hidden=cfg["hidden"], depth=cfg["depth"], heads=cfg["heads"], mlp_ratio=4.0,
               classes=cfg["classes"], learn_sigma=cfg["learn_sigma"], qk_norm=cfg["qk_norm"],
               projector_dims=cfg["projectors"])


def side_model(cfg):
    return SideNet(C=cfg["C"], E=cfg["E"], L=cfg["L"], heads=cfg["heads"], classes=cfg["classes"])


# ---------------------------------------------------------------------------------------
# SiT


def sit_config_json(cfg, out_channels):
    cfg_guid = cfg["cfg"]
    return {
        "name": cfg["name"],
        "depth": cfg["depth"], "hidden": cfg["hidden"], "heads": cfg["heads"],
        "patch": cfg["patch"], "in_channels": 4, "out_channels": out_channels,
        "learn_sigma": cfg["learn_sigma"], "qk_norm": cfg["qk_norm"],
        "classes": cfg["classes"], "input_size": cfg["input_size"], "mlp_ratio": 4,
        "convention": cfg["convention"],
        "cfg_scale": cfg_guid["scale"] if cfg_guid else None,
        "cfg_interval": cfg_guid["interval"] if cfg_guid else None,
        "cfg_channels": cfg_guid["channels"] if cfg_guid else None,
        "checkpoint": cfg["checkpoint"],
        "checkpoint_layout": cfg["layout"],
        "use_ema": cfg["layout"] == "training",
        "key_prefix": cfg["prefix"],
        "has_projectors": cfg["projectors"] is not None,
        "has_views": cfg["views"],
        "ln_eps": LN_EPS, "qk_norm_eps": QK_NORM_EPS if cfg["qk_norm"] else None,
        "reference_dtype": "float64",
        "seed": cfg["seed"],
    }


def make_sit(cfg):
    gen = torch.Generator().manual_seed(cfg["seed"])
    out_dir = os.path.join(SIT_DIR, cfg["name"])
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)

    model = sit_model(cfg)
    randomize(model, gen)
    if cfg["layout"] == "training":
        opt = adamw_state(model, gen, cfg["opt_steps"])
        ema = perturbed_copy(model, gen)
        model_sd, ema_sd = model.state_dict(), ema.state_dict()
        if cfg["views"]:
            model_sd, ema_sd = with_views(model_sd, cfg["hidden"]), with_views(ema_sd, cfg["hidden"])
        train_args = argparse.Namespace(  # the reference trainers save their argparse args
            model=cfg["name"], image_size=cfg["input_size"] * 8, num_classes=cfg["classes"],
            global_batch_size=256, epochs=1400, ckpt_every=50000, qk_norm=cfg["qk_norm"])
        ckpt = {"model": prefixed(model_sd, cfg["prefix"]), "ema": prefixed(ema_sd, cfg["prefix"]),
                "opt": opt, "args": train_args}
        if cfg["convention"] == "repa":
            ckpt["steps"] = 400000
        used = ema
    else:
        sd = model.state_dict()
        if cfg["views"]:
            sd = with_views(sd, cfg["hidden"])
        ckpt = prefixed(sd, cfg["prefix"])
        used = model
    torch.save(ckpt, os.path.join(out_dir, cfg["checkpoint"]))

    B, S = len(cfg["t"]), cfg["input_size"]
    x = torch.randn((B, 4, S, S), generator=gen)
    t = torch.tensor(cfg["t"], dtype=torch.float32)
    y = torch.tensor(cfg["y"], dtype=torch.int32)
    ref = copy.deepcopy(used).double().eval()
    tensors = OrderedDict(x=x.numpy(), t=t.numpy(), y=y.numpy())
    with torch.no_grad():
        v = ref(x.double(), t.double(), y)
        tensors["v"] = v.float().numpy()
        if cfg["cfg"]:
            g = cfg["cfg"]
            v_cfg, _, v_u = cfg_velocity(ref, x.double(), t.double(), y, g["scale"],
                                         cfg["convention"], tuple(g["interval"] or (0.0, 1.0)))
            tensors["v_cfg"] = v_cfg.float().numpy()
            tensors["v_uncond"] = v_u.float().numpy()
    config = sit_config_json(cfg, used.out_channels)
    write_safetensors(os.path.join(out_dir, "io.safetensors"), tensors,
                      {"config": json.dumps(config), "kind": "sit"})
    print(f"sit/{cfg['name']}: params {sum(p.numel() for p in used.parameters()):,}, "
          f"|v| rms {v.pow(2).mean().sqrt().item():.3f}")


def load_checkpoint(path, use_ema, key):
    ckpt = torch.load(path, map_location="cpu")
    return ckpt[key] if use_ema else ckpt


def check_sit(cfg):
    out_dir = os.path.join(SIT_DIR, cfg["name"])
    io, meta = read_safetensors(os.path.join(out_dir, "io.safetensors"))
    conf = json.loads(meta["config"])
    sd = load_checkpoint(os.path.join(out_dir, conf["checkpoint"]), conf["use_ema"], "ema")
    sd = clean_state_dict(sd)
    model = sit_model({**cfg, "projectors": None})
    model.load_state_dict(sd, strict=True)
    # C_out from the weight shape, as the spec requires of converters.
    c_out = sd["final_layer.linear.weight"].shape[0] // conf["patch"] ** 2
    assert c_out == conf["out_channels"], (c_out, conf["out_channels"])
    x, t, y = (torch.from_numpy(io[k]) for k in ("x", "t", "y"))
    assert io["y"].dtype == np.int32
    worst = {}
    with torch.no_grad():
        for dtype in (torch.float64, torch.float32):
            m = copy.deepcopy(model).to(dtype)
            v = m(x.to(dtype), t.to(dtype), y)
            worst[f"v/{dtype}"] = max_rel(v, io["v"])
            if "v_cfg" in io:
                interval = tuple(conf["cfg_interval"] or (0.0, 1.0))
                v_cfg, _, v_u = cfg_velocity(m, x.to(dtype), t.to(dtype), y, conf["cfg_scale"],
                                             conf["convention"], interval)
                worst[f"v_cfg/{dtype}"] = max_rel(v_cfg, io["v_cfg"])
                worst[f"v_uncond/{dtype}"] = max_rel(v_u, io["v_uncond"])
    report(f"sit/{cfg['name']}", worst)
    if "v_cfg" in io:  # guidance must actually change something
        assert np.abs(io["v_cfg"] - io["v"][:, :4]).max() > 1e-2


# ---------------------------------------------------------------------------------------
# SideNet


def make_side(cfg):
    gen = torch.Generator().manual_seed(cfg["seed"])
    out_dir = os.path.join(SIDE_DIR, cfg["name"])
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)

    model = side_model(cfg)
    randomize(model, gen)  # including the (normally zero-initialised) output conv
    opt = adamw_state(model, gen, cfg["opt_steps"])
    ema = perturbed_copy(model, gen)
    ckpt = {"side_model": model.state_dict(), "ema_side_model": ema.state_dict(),
            "optimizer": opt, "step": 250}
    torch.save(ckpt, os.path.join(out_dir, cfg["checkpoint"]))

    B, S = len(cfg["t"]), cfg["input_size"]
    x_t = torch.randn((B, 4, S, S), generator=gen)
    v_t = torch.randn((B, 4, S, S), generator=gen)
    t = torch.tensor(cfg["t"], dtype=torch.float32)
    h = torch.tensor(cfg["h"], dtype=torch.float32)
    y = torch.tensor(cfg["y"], dtype=torch.int32)
    ref = copy.deepcopy(ema).double().eval()
    with torch.no_grad():
        delta = ref(x_t.double(), v_t.double(), t.double(), h.double(), y)
    tensors = OrderedDict(x_t=x_t.numpy(), v_t=v_t.numpy(), t=t.numpy(), h=h.numpy(),
                          y=y.numpy(), delta=delta.float().numpy())
    config = {"name": cfg["name"], "C": cfg["C"], "E": cfg["E"], "L": cfg["L"],
              "heads": cfg["heads"], "attn_index": cfg["L"] // 2, "classes": cfg["classes"],
              "input_size": cfg["input_size"], "rms_eps": RMS_EPS, "convention": "repa",
              "checkpoint": cfg["checkpoint"], "checkpoint_layout": "training",
              "use_ema": True, "reference_dtype": "float64", "seed": cfg["seed"]}
    write_safetensors(os.path.join(out_dir, "io.safetensors"), tensors,
                      {"config": json.dumps(config), "kind": "sidenet"})
    rms = (delta / h.double().abs().clamp_min(1e-9)[:, None, None, None]).pow(2).mean().sqrt()
    print(f"sidenet/{cfg['name']}: params {sum(p.numel() for p in ema.parameters()):,}, "
          f"|delta/h| rms {rms.item():.3f}")


def check_side(cfg):
    out_dir = os.path.join(SIDE_DIR, cfg["name"])
    io, meta = read_safetensors(os.path.join(out_dir, "io.safetensors"))
    conf = json.loads(meta["config"])
    sd = load_checkpoint(os.path.join(out_dir, conf["checkpoint"]), True, "ema_side_model")
    model = side_model(cfg)
    model.load_state_dict(sd, strict=True)
    args = [torch.from_numpy(io[k]) for k in ("x_t", "v_t", "t", "h")]
    y = torch.from_numpy(io["y"])
    worst = {}
    with torch.no_grad():
        for dtype in (torch.float64, torch.float32):
            m = copy.deepcopy(model).to(dtype)
            worst[f"delta/{dtype}"] = max_rel(m(*(a.to(dtype) for a in args), y), io["delta"])
    report(f"sidenet/{cfg['name']}", worst)
    zero = io["h"] == 0
    assert zero.any() and (io["h"] < 0).any() and np.all(io["delta"][zero] == 0)


# ---------------------------------------------------------------------------------------


def max_rel(got, want):
    """Max abs error relative to the reference's max magnitude."""
    got = got.double().numpy()
    return float(np.abs(got - want).max() / max(np.abs(want).max(), 1e-12))


def report(name, worst):
    print(f"check {name}: " + ", ".join(f"{k} {v:.1e}" for k, v in worst.items()))
    # float64 must reproduce the stored (float32-rounded) outputs; float32 within 1e-4.
    for k, v in worst.items():
        limit = 1e-6 if "float64" in k else 1e-4
        assert v < limit, f"{name}: {k} relative error {v:.2e} > {limit}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check-only", action="store_true", help="only verify existing fixtures")
    opts = parser.parse_args()
    torch.set_grad_enabled(False)
    if not opts.check_only:
        with torch.enable_grad():
            for cfg in SIT_CONFIGS:
                make_sit(cfg)
            for cfg in SIDE_CONFIGS:
                make_side(cfg)
    for cfg in SIT_CONFIGS:
        check_sit(cfg)
    for cfg in SIDE_CONFIGS:
        check_side(cfg)
    print("all fixtures reproduce")


if __name__ == "__main__":
    sys.exit(main())
