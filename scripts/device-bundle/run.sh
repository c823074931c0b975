#!/usr/bin/env bash
# Runs the GPU bench bundle (built by scripts/device-bundle.sh) on a bare x86-64 Linux machine
# with an NVIDIA GPU, its Vulkan driver and PyTorch: no Node, no network needed.
#   1. unpacks node.xz into a temp dir;
#   2. finds the NVIDIA Vulkan ICD (unless VK_ICD_FILENAMES / VK_DRIVER_FILES is set) and uses
#      the bundled Vulkan loader only when the system has none;
#   3. runs our bench (gpu.mjs, Dawn) and the PyTorch peer (reference/bench_torch_gpu.py), each
#      under a timeout, so that the whole run stays under 8 minutes;
#   4. merges both into DIR/report.json (ours + peer + per-shape ratios + issue 18's targets)
#      and prints the table. Logs: DIR/logs/.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: run.sh [--quick] [--dry-run] [--help]
  --quick    a small subset (SiT-XL/2 f32 batch 1, N = 1; peer batch 1): a few minutes on a CPU adapter
  --dry-run  unpack node, find the Vulkan ICD, loader and Python, print the plan; run no bench
environment:
  VK_ICD_FILENAMES   the Vulkan ICD JSON to use (default: nvidia_icd.json from the standard folders)
  PYTHON             the Python with PyTorch (default: python3 on PATH)
  BENCH_TIMEOUT_S    our bench's limit in seconds (default 300)
  PEER_TIMEOUT_S     the PyTorch peer's limit in seconds (default 120)
USAGE
}

quick=() dry_run=0
for a in "$@"; do
  case $a in
    --quick) quick=(--quick) ;;
    --dry-run) dry_run=1 ;;
    --help | -h) usage; exit 0 ;;
    *) echo "run.sh: unknown option '$a'" >&2; usage >&2; exit 2 ;;
  esac
done

die() { echo "run.sh: $*" >&2; exit 1; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ $(uname -m) == x86_64 ]] || die "this bundle is for x86-64 Linux (this is $(uname -m))"
for f in node.xz gpu.mjs node_modules/webgpu/dist/linux-x64/dawn.node reference/bench_torch_gpu.py; do
  [[ -f $here/$f ]] || die "bundle incomplete: $here/$f is missing (rebuild with scripts/device-bundle.sh)"
done
command -v timeout >/dev/null || die "no 'timeout' (coreutils) on PATH"

python=${PYTHON:-$(command -v python3 || true)}
[[ -n $python ]] || die "no python3 on PATH (set PYTHON to the Python that has PyTorch)"

# 1. Node, unpacked next to nothing else: the bench imports Dawn from $here/node_modules.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ba-device-bundle.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if command -v xz >/dev/null; then
  xz -d -c "$here/node.xz" > "$tmp/node"
else
  "$python" -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$here/node.xz" "$tmp/node" \
    || die "cannot unpack node.xz: no xz, and $python's lzma failed"
fi
chmod +x "$tmp/node"
node_version=$("$tmp/node" --version) || die "the unpacked node does not run (glibc too old? need the one of Debian 12 or newer)"

# 2. Vulkan: the driver's ICD and a loader.
if [[ -z ${VK_ICD_FILENAMES:-} && -z ${VK_DRIVER_FILES:-} ]]; then
  icd=""
  for d in /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/share/vulkan/icd.d; do
    for f in "$d"/nvidia_icd.json "$d"/nvidia_icd.*.json; do
      if [[ -f $f ]]; then icd=$f; break 2; fi
    done
  done
  [[ -n $icd ]] || die "no NVIDIA Vulkan ICD (nvidia_icd.json) in /usr/share/vulkan/icd.d, /etc/vulkan/icd.d or /usr/local/share/vulkan/icd.d: install the driver's Vulkan part, or point VK_ICD_FILENAMES at an ICD JSON"
  export VK_ICD_FILENAMES=$icd
fi
icd_used=${VK_ICD_FILENAMES:-$VK_DRIVER_FILES}
system_libs=$(ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null || true)
if [[ $system_libs == *"libvulkan.so.1 "* ]]; then
  loader="system"
else
  export LD_LIBRARY_PATH=$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  loader="bundled ($here/lib/libvulkan.so.1)"
fi
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$tmp}

bench_timeout=${BENCH_TIMEOUT_S:-300}
peer_timeout=${PEER_TIMEOUT_S:-120}
echo "run.sh: node $node_version; Vulkan ICD $icd_used; loader $loader; python $python"
echo "run.sh: our bench ${quick[*]:-full} (limit ${bench_timeout} s), then the PyTorch peer (limit ${peer_timeout} s)"
if (( dry_run )); then
  # The bench resolves 'webgpu' from $here/node_modules: load Dawn the same way.
  (cd "$here" && "$tmp/node" --input-type=module -e "await import('webgpu'); console.log('run.sh: Dawn loads from', process.cwd() + '/node_modules/webgpu')") \
    || die "Dawn (node_modules/webgpu/dist/linux-x64/dawn.node) does not load"
  "$python" -c 'import torch; print("run.sh: torch", torch.__version__, "CUDA" if torch.cuda.is_available() else "no CUDA (peer on the CPU)")' \
    || echo "run.sh: $python cannot import torch: the peer would fail" >&2
  echo "run.sh: dry run, no bench run"
  exit 0
fi

# 3. Both benches; a timeout or failure leaves what they wrote so far (both save after every shape).
mkdir -p "$here/logs"
notes=()
start=$SECONDS
set +e
timeout --kill-after=10 "$bench_timeout" "$tmp/node" "$here/gpu.mjs" "${quick[@]}" --json="$tmp/gpu.json" 2>&1 | tee "$here/logs/gpu.log"
rc=${PIPESTATUS[0]}
(( rc == 0 )) || notes+=("--note=our bench exited with $rc$( ((rc == 124 || rc == 137)) && echo " (timeout ${bench_timeout} s)") after $((SECONDS - start)) s; see logs/gpu.log")
peer_start=$SECONDS
(cd "$here/reference" && timeout --kill-after=10 "$peer_timeout" "$python" bench_torch_gpu.py "${quick[@]}" --json "$tmp/torch.json") 2>&1 | tee "$here/logs/torch.log"
rc=${PIPESTATUS[0]}
(( rc == 0 )) || notes+=("--note=PyTorch peer exited with $rc$( ((rc == 124 || rc == 137)) && echo " (timeout ${peer_timeout} s)") after $((SECONDS - peer_start)) s; see logs/torch.log")
set -e

# 4. One report.
notes+=("--note=run.sh ${quick[*]:-full}: $((SECONDS - start)) s; node $node_version; ICD $icd_used; loader $loader")
"$tmp/node" "$here/gpu.mjs" --merge --ours="$tmp/gpu.json" --peer="$tmp/torch.json" --report="$here/report.json" "${notes[@]}"
