"""Writes the tiny torch.save checkpoints that test/convert/*.test.ts convert.

Run with Debian's torch (see shared/spec/environment.md):
    /usr/bin/python3 tools/convert-weights/make_test_checkpoints.py
Outputs go to test/fixtures/convert/: *.pt files plus expected.json, which holds every
tensor's logical values (after views are resolved) so the tests can check exact numbers.
Reruns give identical files except legacy.pt (the old format keys storages by address).
"""
import argparse
import base64
import collections
import json
import os
import struct
import zipfile

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "convert")
D, HEADS, P, C, INPUT, CLASSES, DEPTH = 8, 2, 2, 4, 8, 10, 2
T = (INPUT // P) ** 2

expected = {}


def sit_state_dict(gen, c_out, qk_norm=False, projectors=False):
    def r(*shape):
        return torch.randn(*shape, generator=gen)

    sd = collections.OrderedDict()
    sd["pos_embed"] = r(1, T, D)
    sd["x_embedder.proj.weight"] = r(D, C, P, P)
    sd["x_embedder.proj.bias"] = r(D)
    sd["t_embedder.mlp.0.weight"] = r(D, 256)
    sd["t_embedder.mlp.0.bias"] = r(D)
    sd["t_embedder.mlp.2.weight"] = r(D, D)
    sd["t_embedder.mlp.2.bias"] = r(D)
    sd["y_embedder.embedding_table.weight"] = r(CLASSES + 1, D)
    for i in range(DEPTH):
        b = f"blocks.{i}."
        sd[b + "attn.qkv.weight"] = r(3 * D, D)
        sd[b + "attn.qkv.bias"] = r(3 * D)
        if qk_norm:
            for n in ("q_norm", "k_norm"):
                sd[b + f"attn.{n}.weight"] = r(D // HEADS)
                sd[b + f"attn.{n}.bias"] = r(D // HEADS)
        sd[b + "attn.proj.weight"] = r(D, D)
        sd[b + "attn.proj.bias"] = r(D)
        sd[b + "mlp.fc1.weight"] = r(4 * D, D)
        sd[b + "mlp.fc1.bias"] = r(4 * D)
        sd[b + "mlp.fc2.weight"] = r(D, 4 * D)
        sd[b + "mlp.fc2.bias"] = r(D)
        sd[b + "adaLN_modulation.1.weight"] = r(6 * D, D)
        sd[b + "adaLN_modulation.1.bias"] = r(6 * D)
    sd["final_layer.linear.weight"] = r(P * P * c_out, D)
    sd["final_layer.linear.bias"] = r(P * P * c_out)
    sd["final_layer.adaLN_modulation.1.weight"] = r(2 * D, D)
    sd["final_layer.adaLN_modulation.1.bias"] = r(2 * D)
    if projectors:
        sd["projectors.0.0.weight"] = r(16, D)
        sd["projectors.0.0.bias"] = r(16)
    # nn.Module.state_dict() attaches _metadata, which pickles as a BUILD on the OrderedDict.
    sd._metadata = collections.OrderedDict([("", {"version": 1})])
    return sd


def sidenet_state_dict(gen, ch=8, emb=8, blocks=4):
    def r(*shape):
        return torch.randn(*shape, generator=gen)

    sd = collections.OrderedDict()
    for e in ("t_embedder", "h_embedder"):
        sd[f"{e}.mlp.0.weight"] = r(emb, 256)
        sd[f"{e}.mlp.0.bias"] = r(emb)
        sd[f"{e}.mlp.2.weight"] = r(emb, emb)
        sd[f"{e}.mlp.2.bias"] = r(emb)
    sd["y_embedder.embedding_table.weight"] = r(CLASSES + 1, emb)
    sd["emb_fusion.0.weight"] = r(emb, 3 * emb)
    sd["emb_fusion.0.bias"] = r(emb)
    sd["emb_fusion.2.weight"] = r(emb, emb)
    sd["emb_fusion.2.bias"] = r(emb)
    sd["input_conv.weight"] = r(ch, 8, 3, 3)
    for i in range(blocks):
        b = f"blocks.{i}."
        sd[b + "emb_proj.weight"] = r(2 * ch, emb)
        sd[b + "emb_proj.bias"] = r(2 * ch)
        if i == blocks // 2:
            sd[b + "qkv.weight"] = r(3 * ch, ch, 1, 1)
            sd[b + "proj.weight"] = r(ch, ch, 1, 1)
        else:
            sd[b + "conv1_dw.weight"] = r(ch, 1, 3, 3)
            sd[b + "conv1_pw.weight"] = r(ch, ch, 1, 1)
            sd[b + "conv2_dw.weight"] = r(ch, 1, 3, 3)
            sd[b + "conv2_pw.weight"] = r(ch, ch, 1, 1)
            sd[b + "conv2_pw.bias"] = r(ch)
    sd["output_conv.weight"] = r(4, ch, 3, 3)
    sd["output_conv.bias"] = r(4)
    return sd


def record(name, sd, **extra):
    """Stores logical values as f32 and torch's own f16 rounding of them (base64, little-endian)."""
    tensors = {}
    for k, v in sd.items():
        entry = {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape)}
        if v.is_floating_point():
            entry["f32"] = b64(v.float())
            entry["f16"] = b64(v.half())
        else:
            entry["values"] = v.flatten().tolist()
        tensors[k] = entry
    expected[name] = {"tensors": tensors, **extra}


def b64(t):
    return base64.b64encode(t.contiguous().numpy().tobytes()).decode()


def save(name, obj):
    torch.save(obj, os.path.join(OUT, name))


def prefixed(sd, prefix):
    out = collections.OrderedDict((prefix + k, v) for k, v in sd.items())
    out._metadata = getattr(sd, "_metadata", None)
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    gen = torch.Generator().manual_seed(0)

    # Original SiT release: bare state_dict, learn_sigma (8 output channels).
    sd = sit_state_dict(gen, c_out=2 * C)
    save("sit_bare.pt", sd)
    record("sit_bare.pt", sd)

    # REPA training checkpoint: model/ema/opt/args, DDP prefixes, qk_norm, projectors.
    model = sit_state_dict(gen, c_out=C, qk_norm=True, projectors=True)
    ema = collections.OrderedDict((k, v * 0.5) for k, v in model.items())
    opt = {"state": {0: {"step": torch.tensor(3.0), "exp_avg": torch.zeros(3)}}, "param_groups": [{"lr": 1e-4, "params": [0]}]}
    args = argparse.Namespace(model="SiT-XL/2", qk_norm=True, lr=1e-4, encoder_depth=8)
    save("repa_train.pt", {"model": prefixed(model, "module."), "ema": prefixed(ema, "module."),
                           "opt": opt, "args": args, "steps": 400000})
    record("repa_train.pt#model", model)
    record("repa_train.pt#ema", ema)

    # Views: storage offsets, transposes, strided slices, a stride-0 expand, shared storages.
    sd = sit_state_dict(gen, c_out=C)
    big = torch.randn(4 * D * D + 7, generator=gen)
    sd["blocks.0.attn.qkv.weight"] = big[7:7 + 3 * D * D].view(3 * D, D)   # offset view
    sd["blocks.0.attn.proj.weight"] = big[:D * D].view(D, D).t()          # transpose (non-contiguous)
    sd["blocks.0.mlp.fc1.bias"] = big[1:1 + 8 * D:2]                      # strided slice
    sd["blocks.1.attn.qkv.weight"] = torch.randn(D, 3 * D, generator=gen).t()
    sd["x_embedder.proj.weight"] = torch.randn(D, P, P, C, generator=gen).permute(0, 3, 1, 2)
    sd["x_embedder.proj.bias"] = torch.tensor([1.5]).expand(D)            # stride 0
    save("sit_views.pt", sd)
    record("sit_views.pt", sd)

    # Half and bfloat16 sources.
    for dtype, name in ((torch.float16, "sit_f16.pt"), (torch.bfloat16, "sit_bf16.pt")):
        sd = collections.OrderedDict((k, v.to(dtype)) for k, v in sit_state_dict(gen, c_out=C).items())
        save(name, sd)
        record(name, sd)

    # SideNet training checkpoint.
    side = sidenet_state_dict(gen)
    ema_side = collections.OrderedDict((k, v * 2.0) for k, v in side.items())
    save("sidenet_train.pt", {"side_model": side, "ema_side_model": ema_side,
                              "optimizer": {"state": {}, "param_groups": []}, "step": 250})
    record("sidenet_train.pt#side_model", side)
    record("sidenet_train.pt#ema_side_model", ema_side)

    # Bad checkpoints.
    sd = sit_state_dict(gen, c_out=C)
    sd["x_embedder.proj.bias"] = torch.arange(D, dtype=torch.int64)
    save("bad_int64.pt", sd)
    sd = sit_state_dict(gen, c_out=C)
    sd["blocks.1.attn.qkv.weight"] = torch.randn(2 * D, D, generator=gen)
    save("bad_qkv_shape.pt", sd)
    sd = sit_state_dict(gen, c_out=C)
    del sd["blocks.1.mlp.fc2.bias"]
    sd["blocks.0.attn.extra.weight"] = torch.zeros(2)
    save("bad_keys.pt", sd)
    sd = sit_state_dict(gen, c_out=C)
    torch.save(sd, os.path.join(OUT, "legacy.pt"), _use_new_zipfile_serialization=False)
    # The same zip re-packed with deflate (torch never writes this; other zip tools might).
    with zipfile.ZipFile(os.path.join(OUT, "sit_bare.pt")) as src, \
            zipfile.ZipFile(os.path.join(OUT, "compressed.pt"), "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed_time = zipfile.ZipInfo(info.filename, date_time=(2020, 1, 1, 0, 0, 0))
            dst.writestr(fixed_time, src.read(info.filename), zipfile.ZIP_DEFLATED)

    # f32 -> f16 rounding edge cases, with torch's answers.
    specials = [0.0, -0.0, 1.0, 1 + 2**-11, 1 + 3 * 2**-11, 65504.0, 65519.0, 65520.0, 70000.0,
                -65520.0, 2**-14, 2**-24, 2**-25, 3 * 2**-25, 2**-26, 2**-14 - 2**-25, 5.960464477539063e-08,
                0.1, -0.3, 1e-8, 1e30, float("inf"), float("-inf"), 0.33325195, 2049.0, 2051.0, 4097.0]
    x = torch.tensor(specials, dtype=torch.float32)
    expected["f16_rounding"] = {
        "f32_bits": [struct.unpack("<I", struct.pack("<f", v))[0] for v in x.tolist()],
        "f16_bits": [b & 0xFFFF for b in x.half().view(torch.int16).tolist()],
    }
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, allow_nan=True)


if __name__ == "__main__":
    main()
