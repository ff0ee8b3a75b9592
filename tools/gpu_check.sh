#!/usr/bin/env bash
# The GPU check (docs/benchmarks.md, "A GPU when there is one"): on a machine with an NVIDIA GPU,
# builds the core, the CLI and the core tests (no Qt) against the LibTorch of the PyTorch installed
# there (or TORCH_PREFIX), then runs on CUDA: the parity fixtures and the device tests (a training
# run on the GPU resumed on the CPU included), `patchout classify` of the same clips with --device
# cuda and --device cpu, timed side by side with their largest score difference, and with FSDD
# given, three epochs of `patchout train` on each device in fp32 and bf16. On a machine without a
# GPU it says so and exits 0: the CPU paths are tested in CI.
#
#   tools/gpu_check.sh [--help]        environment: TORCH_PREFIX (LibTorch's CMake prefix),
#                                      BUILD (build folder, default build/gpu), PYTHON (python3),
#                                      FSDD (the Free Spoken Digit Dataset folder, optional)
set -euo pipefail

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
fi

cd "$(dirname "$0")/.."
if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
    echo "gpu_check: no NVIDIA GPU on this machine (nvidia-smi finds none); nothing to check here."
    exit 0
fi
nvidia-smi -L

PYTHON=${PYTHON:-python3}
BUILD=${BUILD:-build/gpu}
if [[ -z "${TORCH_PREFIX:-}" ]]; then
    TORCH_PREFIX=$("$PYTHON" -c 'import torch; print(torch.utils.cmake_prefix_path)') || {
        echo "gpu_check: set TORCH_PREFIX to a LibTorch with CUDA (its share/cmake), or install PyTorch" >&2
        exit 1
    }
fi
echo "LibTorch from $TORCH_PREFIX"

generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
cmake -S . -B "$BUILD" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DPATCHOUT_BUILD_GUI=OFF \
    -DPATCHOUT_BUILD_BENCHMARKS=OFF -DCMAKE_PREFIX_PATH="$TORCH_PREFIX"
cmake --build "$BUILD" --target patchout core_tests -j "$(nproc)"

cli="$BUILD/bin/patchout"
"$cli" info | grep -E "^(LibTorch|CUDA|CPU):"
"$cli" info | grep -q "^CUDA: [0-9]* GPU" || {
    echo "gpu_check: this LibTorch does not see the GPU (see the CUDA line above)" >&2
    exit 1
}

echo "== parity fixtures and device tests on CUDA"
filter='PaSSTReference.*:PaSST.ForwardRunsOnTheModelsDevice*:Classifier.RunsWhereItsDeviceSays*'
filter+=':SystemInfo.ResolvesTheDevicePreference:Trainer.TrainsWhereTheDeviceSays*'
(cd "$BUILD" && ./bin/core_tests --gtest_filter="$filter")

echo "== classify on CUDA against the CPU (passt-s, random weights: speed and agreement, not accuracy)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$cli" model create --preset passt-s --out "$work/passt-s.safetensors"
for i in 1 2 3 4 5 6 7 8; do
    "$cli" synth --signal chirp --duration 10 --frequency $((100 * i)) --out "$work/clip$i.wav"
done
for device in cuda cpu; do
    start=$(date +%s.%N)
    "$cli" classify "$work"/clip*.wav --checkpoint "$work/passt-s.safetensors" --device "$device" \
        --out "$work/$device.csv"
    end=$(date +%s.%N)
    echo "$device: 8 clips of 10 s in $(echo "$end - $start" | bc) s (wall, loading included)"
done
"$PYTHON" - "$work/cuda.csv" "$work/cpu.csv" <<'EOF'
import csv, sys
rows = [list(csv.reader(open(p))) for p in sys.argv[1:]]
diff = 0.0
for a, b in zip(rows[0][1:], rows[1][1:]):
    for x, y in zip(a, b):
        try:
            diff = max(diff, abs(float(x) - float(y)))
        except ValueError:
            pass
print(f"largest score difference cuda - cpu: {diff:.2e}")
EOF
if [[ -n "${FSDD:-}" ]]; then
    echo "== three epochs of passt-micro on FSDD, each device and precision"
    for run in cuda:fp32 cuda:bf16 cpu:fp32; do
        device=${run%%:*} precision=${run##*:}
        start=$(date +%s.%N)
        "$cli" train --dataset "$FSDD" --out "$work/fsdd-$device-$precision" --epochs 3 --device "$device" \
            --precision "$precision" --quiet --no_baseline | tail -n 2
        end=$(date +%s.%N)
        echo "$device $precision: $(echo "$end - $start" | bc) s for 3 epochs (wall)"
    done
fi
echo "gpu_check: done. Record the figures above in docs/benchmarks.md with this machine's GPU."
