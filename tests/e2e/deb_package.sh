#!/bin/sh
# The Debian package as a user gets it (issue #21): cpack -G DEB in the build tree, its dependencies
# read (shlibdeps), `apt-get install ./patchout-workbench_*.deb`, the installed programs run from
# /usr (`patchout info`, `patchout demo --quick --no-gui`, `patchout-workbench --version`
# offscreen), then the package is removed. Installing system-wide needs root: skipped (77) otherwise.
# Usage: deb_package.sh BUILD_DIR SCRATCH_DIR
set -u
build=$1 scratch=$2
fail() { echo "FAIL: $*"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "SKIP: installing a package needs root"; exit 77; }
command -v apt-get > /dev/null || { echo "SKIP: no apt-get"; exit 77; }
dpkg -s patchout-workbench > /dev/null 2>&1 && fail "patchout-workbench is installed already; remove it first"
rm -rf "$scratch" && mkdir -p "$scratch" || fail "cannot make $scratch"
(cd "$build" && cpack -G DEB -B "$scratch/package") > "$scratch/cpack.log" 2>&1 || { cat "$scratch/cpack.log"; fail "cpack"; }
deb=$(ls "$scratch"/package/patchout-workbench_*.deb 2> /dev/null | head -n 1)
[ -n "$deb" ] || fail "no patchout-workbench_*.deb in $scratch/package"
echo "package: $deb"
dpkg-deb --field "$deb" Depends | tr ',' '\n' | grep -q "libtorch" || fail "Depends has no libtorch (shlibdeps?)"
cleanup() { apt-get remove -y -qq patchout-workbench > /dev/null 2>&1; }
trap cleanup EXIT
apt-get install -y -qq "$deb" > "$scratch/apt.log" 2>&1 || { cat "$scratch/apt.log"; fail "apt-get install"; }
[ -x /usr/bin/patchout ] && [ -x /usr/bin/patchout-workbench ] || fail "the programs are not in /usr/bin"
/usr/bin/patchout info | grep -q "^BLAS: " || fail "patchout info"
/usr/bin/patchout demo --quick --no-gui --out "$scratch/demo" > "$scratch/demo.log" 2>&1 || { tail -20 "$scratch/demo.log"; fail "patchout demo"; }
grep -q "Held-out voices accuracy" "$scratch/demo.log" || { tail -20 "$scratch/demo.log"; fail "the demo did not finish"; }
env -u DISPLAY -u WAYLAND_DISPLAY QT_QPA_PLATFORM=offscreen /usr/bin/patchout-workbench --version | grep -q Workbench \
  || fail "patchout-workbench --version"
[ -s /usr/share/applications/org.patchout.Workbench.desktop ] || fail "no desktop file"
[ -s /usr/share/man/man1/patchout.1.gz ] || [ -s /usr/share/man/man1/patchout.1 ] || fail "no man page"
echo "package installed, ran and removed"
