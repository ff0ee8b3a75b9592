#!/bin/sh
# A batch job over a folder with damaged files, as issue #20 found it: one good recording, an
# empty WAV, a WAV that is only a header, and text named .wav. classify and embed must write the
# good file's results, list the three others in errors.csv and exit with 3; every file bad gives 4
# and leaves an older results file alone; --strict stops with 1; probe likewise skips an empty
# test file; an output folder that cannot be made is an error naming it; training skips clips
# damaged after the dataset was read (a training clip and a test clip), counts them in
# metrics.jsonl, lists them in RUN/errors.csv and exits 3; damaged before, the reader refuses them
# unless --skip_bad_rows leaves their rows out (train, then eval of the run and of the dataset).
# Run by the test e2e.bad_files.
# Usage: bad_files.sh PATCHOUT MODEL GOOD_WAV DATASET SCRATCH_DIR
set -u
patchout=$1 model=$2 good=$3 dataset=$4 dir=$5
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

# Training: the dataset is read while its files are good, then two are damaged.
cp -r "$dataset" "$dir/dataset"
train_clip=$(grep -m1 ',train,' "$dir/dataset/labels.csv" | cut -d, -f1)
test_clip=$(grep -m1 ',test,' "$dir/dataset/labels.csv" | cut -d, -f1)
"$patchout" train --dataset "$dir/dataset" --recipe from-scratch --epochs 2 --batch_size 8 --no_baseline --quiet \
  --out "$dir/train-run" --cache_dir "$dir/train-cache" > "$dir/train.log" 2>&1 &
pid=$!
# Damaged once the dataset has been read (the run folder is named after that); a clip the first
# epoch already read is read again in the second (its content, so its cache key, changed).
for _ in $(seq 1 300); do
  grep -q "Run folder" "$dir/train.log" && break
  sleep 0.1
done
echo "not audio" > "$dir/dataset/$train_clip"
echo "not audio" > "$dir/dataset/$test_clip"
wait $pid
rc=$?
[ $rc -eq 3 ] || fail "train with two damaged clips: exit code $rc, not 3: $(tail -n 3 "$dir/train.log")"
grep -q "$train_clip" "$dir/train-run/errors.csv" || fail "the training clip is not in errors.csv"
grep -q "$test_clip" "$dir/train-run/errors.csv" || fail "the test clip is not in errors.csv"
grep '"type":"test"' "$dir/train-run/metrics.jsonl" | grep -q '"skipped_clips":2' ||
  fail "metrics.jsonl's test line does not count 2 skipped clips"
# Damaged before the dataset is read: the reader refuses it, naming file and line (more than
# --max_bad_clips failing mid-run stops training likewise: BatchLoader's unit test).
"$patchout" train --dataset "$dir/dataset" --recipe from-scratch --epochs 1 --batch_size 8 --no_baseline --quiet \
  --out "$dir/train-again" --cache_dir "$dir/train-cache" > "$dir/again.log" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "train on a dataset with damaged files: exit code $rc, not 1"
grep -q "labels.csv:[0-9]*: unreadable file: $train_clip" "$dir/again.log" || fail "the refusal does not name the file and line"
# --skip_bad_rows: trains on the rest, warns per row, exit 3; the run keeps the choice, so its
# jobs (eval --run) read the same clips; eval of another dataset takes the flag too.
"$patchout" train --dataset "$dir/dataset" --recipe from-scratch --epochs 1 --batch_size 8 --no_baseline --quiet \
  --skip_bad_rows --out "$dir/train-skip" --cache_dir "$dir/train-cache" > "$dir/skip.log" 2>&1
rc=$?
[ $rc -eq 3 ] || fail "train --skip_bad_rows: exit code $rc, not 3: $(tail -n 3 "$dir/skip.log")"
grep -q "warning: .*labels.csv:[0-9]*: unreadable file: $test_clip" "$dir/skip.log" || fail "no warning names the left-out row"
grep -q "2 dataset rows left out" "$dir/skip.log" || fail "the rows left out are not counted"
grep -q '"skip_bad_rows": *true' "$dir/train-skip/config.json" || fail "config.json does not keep skip_bad_rows"
"$patchout" eval --run "$dir/train-skip" --quiet > "$dir/eval-skip.log" 2>&1 ||
  fail "eval --run of a run trained with --skip_bad_rows failed: $(tail -n 3 "$dir/eval-skip.log")"
"$patchout" eval --checkpoint "$dir/train-skip/checkpoints/best.safetensors" --dataset "$dir/dataset" \
  --out "$dir/eval-other" --quiet > "$dir/eval-other.log" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "eval of a dataset with bad rows: exit code $rc, not 1"
"$patchout" eval --checkpoint "$dir/train-skip/checkpoints/best.safetensors" --dataset "$dir/dataset" \
  --skip_bad_rows --out "$dir/eval-other" --quiet > "$dir/eval-other.log" 2>&1
rc=$?
[ $rc -eq 3 ] || fail "eval --skip_bad_rows: exit code $rc, not 3: $(tail -n 3 "$dir/eval-other.log")"
# The two runs side by side: the setting that differs is named, the curves written.
"$patchout" runs "$dir/train-run" "$dir/train-skip" --csv "$dir/runs.csv" --svg "$dir/runs.svg" > "$dir/runs.log" 2>&1 ||
  fail "patchout runs failed: $(tail -n 3 "$dir/runs.log")"
grep -q "skip_bad_rows: train-run=false, train-skip=true" "$dir/runs.log" || fail "runs does not name the setting that differs"
grep -q "^train-skip,epoch,1," "$dir/runs.csv" || fail "runs.csv lacks the second run's epoch"
grep -q "</svg>" "$dir/runs.svg" || fail "runs.svg is not whole"
echo "bad files skipped and listed"
