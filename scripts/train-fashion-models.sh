#!/usr/bin/env bash
# Reproduces the three models under models/ (see README, "The shipped model"):
#   1. the class-conditional SiT, trained in PyTorch on the CPU (tools/reference), converted;
#   2. the feature classifier of `ba-webgpu eval`, trained in PyTorch;
#   3. the SideNet, trained next to the frozen SiT on the engine's GPU (src/train).
# Needs Debian's dataset-fashion-mnist and python3-torch (tools/reference/install.sh).
# On 2 CPU cores: about 35 min, 3 min and 2 h 15 min. Intermediate files go to work/.
set -euo pipefail
cd "$(dirname "$0")/.."
data=/usr/share/datasets/fashion-mnist
py() { OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 "$@"; }

step=${1:-all}
if [[ $step == all || $step == sit ]]; then
  py tools/reference/train_fashion_sit.py --out work/fashion-sit.pt
  npm run --silent convert -- work/fashion-sit.pt -o models/fashion-sit.safetensors --heads 4 \
    --latent-codec pixel-unshuffle:2:2:1 --quiet
fi
if [[ $step == all || $step == classifier ]]; then
  py tools/reference/train_fashion_classifier.py --out models/fashion-classifier.safetensors
fi
if [[ $step == all || $step == sidenet ]]; then
  npm run --silent train-sidenet -- --backbone models/fashion-sit.safetensors \
    --images $data/train-images-idx3-ubyte.gz --labels $data/train-labels-idx1-ubyte.gz \
    --out work/fashion-sidenet-v2 --channels 32 --embed 64 --blocks 4 --heads 4 \
    --steps 3600 --lr-decay-steps 1200 --batch 16 --lr 3e-3 --ema 0.995 --h-rate 10 --checkpoint-every 50 --log-every 10 --resume
  cp work/fashion-sidenet-v2/sidenet-ema.safetensors models/fashion-sidenet.safetensors
fi
