#!/bin/sh
# The CLI as a machine without Qt (a training server) builds it: a second build tree configured with
# PATCHOUT_BUILD_GUI=OFF and Qt 6 made unfindable, only the `patchout` target built; the program
# must need no Qt library itself, load no Qt 6, and run `patchout info`. (Debian's libtorch_cpu
# needs OpenCV's highgui, which loads Qt 5: that comes with LibTorch, not with us, so ldd may list
# libQt5* below libtorch.) Run by the test build.cli_without_qt (tests/e2e).
# Usage: cli_without_qt.sh SOURCE_DIR BINARY_DIR GENERATOR BUILD_TYPE WERROR C_COMPILER CXX_COMPILER
#        [C_LAUNCHER] [CXX_LAUNCHER]
set -eu
src=$1 bin=$2 generator=$3 build_type=$4 werror=$5 cc=$6 cxx=$7
c_launcher=${8:-} cxx_launcher=${9:-}

# The launcher is the main tree's (CMakePresets.json: ccache with its sloppiness and base_dir set on
# every call). With base_dir the paths ccache hashes are relative to the build tree, and this tree
# sits at the same depth as the main one (build/ci-nogui beside build/ci), so the objects the main
# tree compiled are reused rather than compiled again.

start=$(date +%s)
cmake -S "$src" -B "$bin" -G "$generator" -DCMAKE_BUILD_TYPE="$build_type" \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_C_COMPILER_LAUNCHER="$c_launcher" -DCMAKE_CXX_COMPILER_LAUNCHER="$cxx_launcher" \
  -DPATCHOUT_WERROR="$werror" -DPATCHOUT_BUILD_GUI=OFF -DPATCHOUT_BUILD_TESTS=OFF \
  -DPATCHOUT_BUILD_BENCHMARKS=OFF -DCMAKE_DISABLE_FIND_PACKAGE_Qt6=ON --no-warn-unused-cli
cmake --build "$bin" --target patchout
built=$(date +%s)

exe="$bin/bin/patchout"
if readelf -d "$exe" | grep 'NEEDED' | grep -i 'libQt'; then
  echo "cli_without_qt: $exe needs Qt (above)" >&2
  exit 1
fi
if ldd "$exe" | grep 'libQt6'; then
  echo "cli_without_qt: $exe loads Qt 6 (above)" >&2
  exit 1
fi
"$exe" info
echo "cli_without_qt: configured and built in $((built - start)) s; links no Qt; runs"
