#!/usr/bin/env bash
# Installs every build, test and run dependency of Patchout Workbench from Debian 12 packages.
# Idempotent: run it as root as often as you like; it only installs what is missing.
# Usage: sudo packaging/install-deps.sh
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  # core: LibTorch on OpenBLAS (without OpenBLAS LibTorch runs on reference BLAS, ~40x slower)
  libtorch-dev libopenblas-dev libopenblas0-pthread libgloo-dev
  # audio and DSP
  libsndfile1-dev libsoxr-dev portaudio19-dev libfftw3-dev
  # search, config, command line, pictures (PNG without Qt)
  libfaiss-dev nlohmann-json3-dev libcli11-dev libpng-dev
  # built-in demo data: speech synthesis (synth-words), General MIDI notes (synth-instruments)
  espeak-ng fluidsynth fluid-soundfont-gm musescore-general-soundfont-small timgm6mb-soundfont
  # GUI
  qt6-base-dev qt6-charts-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools linguist-qt6
  libqt6opengl6-dev libgl-dev libxkbcommon-dev
  # tests: GoogleTest, a virtual display for GUI tests, sound tools, peak memory (/usr/bin/time)
  libgtest-dev libgmock-dev xvfb xauth sox imagemagick time
  # packaging checks: the .desktop file and the AppStream metainfo validators
  desktop-file-utils appstream
  # the fuzz preset: Clang 14 with libFuzzer and the sanitizer runtimes
  clang-14 libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    exec sudo "$0" "$@"
  fi
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run this script as root" >&2
  exit 1
fi

echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"

# LibTorch must run on OpenBLAS, not on the reference BLAS it falls back to.
if update-alternatives --list libblas.so.3-x86_64-linux-gnu >/dev/null 2>&1; then
  blas=$(update-alternatives --list libblas.so.3-x86_64-linux-gnu | grep -m1 openblas-pthread || true)
  [[ -n $blas ]] && update-alternatives --set libblas.so.3-x86_64-linux-gnu "$blas"
  lapack=$(update-alternatives --list liblapack.so.3-x86_64-linux-gnu | grep -m1 openblas-pthread || true)
  [[ -n $lapack ]] && update-alternatives --set liblapack.so.3-x86_64-linux-gnu "$lapack"
fi
echo "install-deps: done"
