#!/bin/sh
# The install as a user makes it: `cmake --install BUILD --prefix P` into a fresh folder, then the
# installed programs run from there with no build tree: `patchout info`, `patchout-workbench
# --version` and a window drawn offscreen, and the desktop pieces, man pages and completion sit
# where desktops, man and bash look for them (issue #21).
# Usage: install_prefix.sh BUILD_DIR PREFIX [gui]
set -u
build=$1 prefix=$2 gui=${3:-}
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$prefix"
cmake --install "$build" --prefix "$prefix" > "$prefix.log" 2>&1 || { cat "$prefix.log"; fail "cmake --install"; }
"$prefix/bin/patchout" info | grep -q "^BLAS: " || fail "the installed patchout does not run"
"$prefix/bin/patchout" --version | grep -q "^patchout " || fail "patchout --version"
if [ "$gui" = gui ]; then
  env -u DISPLAY -u WAYLAND_DISPLAY QT_QPA_PLATFORM=offscreen "$prefix/bin/patchout-workbench" --version \
    | grep -q "Workbench" || fail "the installed patchout-workbench --version"
  # The installed workbench runs, offscreen, and draws its window.
  env -u DISPLAY -u WAYLAND_DISPLAY QT_QPA_PLATFORM=offscreen "$prefix/bin/patchout-workbench" --synthetic chirp \
    --screenshot-delay 0.5 --screenshot "$prefix.png" > "$prefix.gui.log" 2>&1 || { tail -5 "$prefix.gui.log"; fail "the installed workbench"; }
  [ -s "$prefix.png" ] || fail "the installed workbench drew no window"
  for f in share/applications/org.patchout.Workbench.desktop share/metainfo/org.patchout.Workbench.metainfo.xml \
           share/icons/hicolor/scalable/apps/org.patchout.Workbench.svg \
           share/icons/hicolor/256x256/apps/org.patchout.Workbench.png; do
    [ -s "$prefix/$f" ] || fail "$f not installed"
  done
fi
[ -s "$prefix/share/man/man1/patchout.1" ] || fail "the man page is not installed"
grep -q "^.SS patchout classify" "$prefix/share/man/man1/patchout.1" || fail "the man page lacks classify"
[ -s "$prefix/share/bash-completion/completions/patchout" ] || fail "the bash completion is not installed"
words=$(bash -c ". '$prefix/share/bash-completion/completions/patchout'; COMP_WORDS=(patchout classify --str); COMP_CWORD=2; _patchout; echo \${COMPREPLY[*]}")
[ "$words" = "--strict" ] || fail "completion of 'patchout classify --str' gave '$words'"
echo "installed and ran from $prefix"
