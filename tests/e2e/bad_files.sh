#!/bin/sh
# A batch job over a folder with damaged files, as issue #20 found it: one good recording, an
# empty WAV, a WAV that is only a header, and text named .wav. classify and embed must write the
# good file's results, list the three others in errors.csv and exit with 3; every file bad gives 4
# and leaves an older results file alone; --strict stops with 1; probe likewise skips an empty
# test file; an output folder that cannot be made is an error naming it. Run by the test
# e2e.bad_files.
# Usage: bad_files.sh PATCHOUT MODEL GOOD_WAV SCRATCH_DIR
set -u
patchout=$1 model=$2 good=$3 dir=$4
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$dir" && mkdir -p "$dir/in" || fail "cannot make $dir"
cp "$good" "$dir/in/good.wav"
: > "$dir/in/empty.wav"
printf 'RIFF\044\000\000\000WAVE' > "$dir/in/header-only.wav"
echo "not audio" > "$dir/in/notes.wav"

"$patchout" classify "$dir/in" --checkpoint "$model" --out "$dir/results.csv" --quiet
rc=$?
[ $rc -eq 3 ] || fail "classify exit code $rc, not 3"
grep -q "good.wav,clip" "$dir/results.csv" || fail "no clip row for the good file"
for f in empty.wav header-only.wav notes.wav; do
  grep -q "$f" "$dir/errors.csv" || fail "$f not listed in errors.csv"
done
grep -q "good.wav" "$dir/errors.csv" && fail "the good file is listed as an error"

cp "$dir/results.csv" "$dir/before.csv"
"$patchout" classify "$dir/in/empty.wav" "$dir/in/notes.wav" --checkpoint "$model" --out "$dir/results.csv" --quiet
rc=$?
[ $rc -eq 4 ] || fail "classify of bad files only: exit code $rc, not 4"
cmp -s "$dir/results.csv" "$dir/before.csv" || fail "the older results file was overwritten"

"$patchout" classify "$dir/in" --checkpoint "$model" --strict --quiet > /dev/null 2>&1
rc=$?
[ $rc -eq 1 ] || fail "classify --strict exit code $rc, not 1"

"$patchout" embed "$dir/in" --checkpoint "$model" --out "$dir/embeddings" > /dev/null
rc=$?
[ $rc -eq 3 ] || fail "embed exit code $rc, not 3"
[ "$(grep -c . "$dir/embeddings/errors.csv")" -eq 4 ] || fail "embed's errors.csv does not list 3 files"
mkdir -p "$dir/probe/train/a" "$dir/probe/train/b" "$dir/probe/test/a" "$dir/probe/test/b"
for c in a b; do cp "$good" "$dir/probe/train/$c/x.wav"; cp "$good" "$dir/probe/test/$c/x.wav"; done
: > "$dir/probe/test/a/empty.wav"
"$patchout" probe --checkpoint "$model" --train "$dir/probe/train" --test "$dir/probe/test" --out "$dir/probe/out" \
  --epochs 2 > /dev/null 2>&1
rc=$?
[ $rc -eq 3 ] || fail "probe exit code $rc, not 3"
grep -q "empty.wav" "$dir/probe/out/errors.csv" || fail "probe's errors.csv does not list empty.wav"
# An output folder that cannot be written (even as root): a clear error naming it, exit code 1.
"$patchout" classify "$dir/in/good.wav" --checkpoint "$model" --out /proc/patchout-nowhere/results.csv --quiet \
  > "$dir/unwritable.log" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "classify into an unwritable folder: exit code $rc, not 1"
grep -q "patchout-nowhere" "$dir/unwritable.log" || fail "the error does not name the folder"
echo "bad files skipped and listed"
