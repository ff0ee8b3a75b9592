#!/bin/sh
# Data-parallel training where one process dies (issue #20): `train --nproc 2`, rank 1 killed with
# SIGKILL after the first epoch was saved. The launcher must name the dead rank, stop the other
# within a minute (no hang), and `--resume` must finish the run. Run by the test e2e.rank_dies.
# Usage: rank_dies.sh PATCHOUT DATASET SCRATCH_DIR PORT
set -u
patchout=$1 dataset=$2 dir=$3 port=$4
fail() { echo "FAIL: $*"; [ -f "$dir/log" ] && tail -n 5 "$dir/log"; exit 1; }
rm -rf "$dir" && mkdir -p "$dir" || fail "cannot make $dir"
"$patchout" train --nproc 2 --master_port "$port" --dataset "$dataset" --recipe from-scratch --epochs 4 \
  --batch_size 8 --no_baseline --quiet --out "$dir/run" --cache_dir "$dir/cache" > "$dir/log" 2>&1 &
launcher=$!
for _ in $(seq 1 900); do
  grep -q '"type":"epoch"' "$dir/run/metrics.jsonl" 2>/dev/null && break
  sleep 0.2
done
grep -q '"type":"epoch"' "$dir/run/metrics.jsonl" 2>/dev/null || { kill $launcher; fail "no epoch finished"; }
ranks=$(pgrep -P $launcher | tr '\n' ' ')
rank1=$(echo "$ranks" | cut -d' ' -f2)
[ -n "$rank1" ] || fail "no second process under the launcher ($ranks)"
kill -9 "$rank1"
start=$(date +%s)
wait $launcher
rc=$? elapsed=$(( $(date +%s) - start ))
[ $rc -ne 0 ] || fail "the launcher exited 0 after a rank died"
[ $elapsed -lt 60 ] || fail "the others took ${elapsed} s to stop"
grep -q "training process 1 of 2 .* was killed by signal 9" "$dir/log" || fail "no message naming the dead rank"
[ -z "$(pgrep -P $launcher)" ] || fail "processes left running"
echo "rank 1 killed: the run stopped after ${elapsed} s with exit code $rc"
"$patchout" train --out "$dir/run" --resume --nproc 2 --master_port "$((port + 1))" --no_baseline --quiet > "$dir/resume.log" 2>&1 ||
  { cat "$dir/resume.log"; fail "--resume failed"; }
grep -q "Trained [0-9]* steps (4 epochs)" "$dir/resume.log" || fail "the resumed run did not finish: $(tail -n 2 "$dir/resume.log")"
echo "resumed to the end: $(grep -m1 Trained "$dir/resume.log")"
