#!/usr/bin/env bash
# Packs the GPU bench (bench/gpu.ts) and its PyTorch peer into DIR for a bare x86-64 Linux
# machine with an NVIDIA GPU, its Vulkan driver and PyTorch, but no Node and no network
# (issue 18; /work/shared/spec/environment.md, "A GPU machine as a deployment target"):
#   node.xz                      this machine's node, xz-compressed (run.sh unpacks it)
#   gpu.mjs                      the bundled bench; imports 'webgpu' from node_modules/ beside it
#   node_modules/webgpu/         the package's index.js + package.json + dist/linux-x64/dawn.node
#   lib/libvulkan.so.1           the Vulkan loader, used when the machine has none
#   reference/                   bench_torch_gpu.py + sit.py (the peer)
#   run.sh                       runs both and writes DIR/report.json
# At most 60 MiB in all. The compressed node is cached under .cache/device-bundle/ (keyed by
# its version and checksum): xz -6 of a 99 MB binary takes about a minute on two cores.
set -euo pipefail

usage() { echo "usage: scripts/device-bundle.sh DIR   (DIR must be empty or absent)" >&2; exit 2; }
[[ $# -eq 1 && $1 != -* ]] || usage
out=$1
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
max_bytes=$((60 * 1024 * 1024))

die() { echo "device-bundle: $*" >&2; exit 1; }
[[ $(uname -m) == x86_64 && $(uname -s) == Linux ]] || die "builds the x86-64 Linux bundle only (this is $(uname -s) $(uname -m))"
node_bin=$(command -v node) || die "no node on PATH"
node_bin=$(readlink -f "$node_bin")
dawn=$root/node_modules/webgpu/dist/linux-x64/dawn.node
[[ -f $dawn ]] || die "no $dawn: run npm ci"
# awk reads to the end: exiting early would SIGPIPE ldconfig and fail the pipeline.
vulkan=$( (ldconfig -p 2>/dev/null || /sbin/ldconfig -p) | awk '/libvulkan\.so\.1 .*x86-64/ && !found { print $NF; found = 1 }')
[[ -n $vulkan && -f $vulkan ]] || die "no libvulkan.so.1 here (Debian: apt-get install libvulkan1)"
command -v xz >/dev/null || die "no xz (apt-get install xz-utils)"
if [[ -e $out ]] && [[ -n $(ls -A "$out") ]]; then die "$out is not empty"; fi
mkdir -p "$out"

# The bench: one ESM file; only 'webgpu' (Dawn) stays external, resolved from DIR/node_modules.
(cd "$root" && node_modules/.bin/esbuild bench/gpu.ts --bundle --platform=node --target=node20 --format=esm \
  --loader:.wgsl=text --main-fields=module,main --alias:wgsl_reflect=wgsl_reflect/wgsl_reflect.module.js \
  --external:webgpu --log-level=warning --outfile="$out/gpu.mjs")

shim=$out/node_modules/webgpu
mkdir -p "$shim/dist/linux-x64"
cp "$root/node_modules/webgpu/index.js" "$root/node_modules/webgpu/package.json" "$shim/"
cp "$dawn" "$shim/dist/linux-x64/dawn.node"

mkdir -p "$out/lib" "$out/reference"
cp "$vulkan" "$out/lib/libvulkan.so.1"
cp "$root/tools/reference/bench_torch_gpu.py" "$root/tools/reference/sit.py" "$out/reference/"
cp "$root/scripts/device-bundle/run.sh" "$out/run.sh"
chmod +x "$out/run.sh"

cache=$root/.cache/device-bundle
node_key="$("$node_bin" --version)-$(sha256sum "$node_bin" | cut -c1-16)"
cached=$cache/node-$node_key.xz
if [[ ! -f $cached ]]; then
  mkdir -p "$cache"
  echo "device-bundle: compressing $node_bin ($(du -h "$node_bin" | cut -f1)) with xz -6 (about a minute)" >&2
  xz -6 -T2 -c "$node_bin" > "$cached.tmp"
  mv "$cached.tmp" "$cached"
fi
cp "$cached" "$out/node.xz"
"$node_bin" --version > "$out/node.version"

total=$(du -sb "$out" | cut -f1)
(( total <= max_bytes )) || die "bundle is $total bytes, over the 60 MiB cap"
echo "device-bundle: $out, $((total / 1024 / 1024)) MiB ($total bytes)"
(cd "$out" && find . -type f -printf '%s\t%p\n' | sort -k2)
