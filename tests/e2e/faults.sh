#!/bin/sh
# Faults (issue #20), each on a small tmpfs this script mounts (root only: without it the test
# says SKIP and passes). A full disk while writing a model file (a checkpoint), an evaluation
# report and the feature cache; a read-only output folder; the run folder deleted while training
# writes. Each must end in a clear error naming the file (or, for the cache, a warning and a
# finished job), leave the previous files byte for byte and no temporary file behind. Run by the
# test e2e.faults.
# Usage: faults.sh PATCHOUT PREDICTIONS_CSV DATASET SCRATCH_DIR
set -u
patchout=$1 predictions=$2 dataset=$3 dir=$4
mnt=$dir/disk
cleanup() { umount "$mnt" 2>/dev/null; }
fail() { echo "FAIL: $*"; cleanup; exit 1; }
cleanup
rm -rf "$dir" && mkdir -p "$mnt" || fail "cannot make $dir"
if [ "$(id -u)" -ne 0 ] || ! mount -t tmpfs -o size=3m tmpfs "$mnt" 2>/dev/null; then
  echo "SKIP: mounting a tmpfs needs root (CI runs as root)"
  exit 0
fi
trap cleanup EXIT
fill() { dd if=/dev/zero of="$mnt/filler" bs=4k 2>/dev/null; sync; }  # until ENOSPC
unfill() { rm -f "$mnt/filler"; }
# Everything on the disk but the filler and the files named: no temporary file left behind.
only() {
  extra=$(cd "$mnt" && find . -type f ! -name filler | sort | tr '\n' ' ')
  [ "$extra" = "$1" ] || fail "files on the disk: '$extra', expected '$1'"
}
# A failed command: not a crash (exit < 128), and its message names $2.
refused() {
  rc=$1 text=$2 name=$3
  [ "$rc" -ne 0 ] || fail "$name succeeded on a full disk"
  [ "$rc" -lt 128 ] || fail "$name died with signal $((rc - 128))"
  echo "$text" | grep -q "$4" || fail "$name's error does not name $4: $text"
  echo "$name: $(echo "$text" | tail -n 1)"
}

# 1. A model file (what every checkpoint is).
"$patchout" model create --preset passt-micro --labels a,b --out "$mnt/model.safetensors" > /dev/null ||
  fail "model create on an empty disk"
cp "$mnt/model.safetensors" "$dir/model.before"
fill
text=$("$patchout" model create --preset passt-micro --labels a,b,c --out "$mnt/model.safetensors" 2>&1)
refused $? "$text" "model create" "model.safetensors"
cmp -s "$mnt/model.safetensors" "$dir/model.before" || fail "the previous model file changed"
only "./model.safetensors "
unfill

# 2. An evaluation report (report.json, report.md, confusion.csv, ...).
rm -f "$mnt/model.safetensors"
"$patchout" metrics --predictions "$predictions" --out "$mnt/report" > /dev/null || fail "metrics on an empty disk"
(cd "$mnt/report" && md5sum *) > "$dir/report.before"
fill
text=$("$patchout" metrics --predictions "$predictions" --top_k 2 --out "$mnt/report" 2>&1)
refused $? "$text" "metrics" "report"
(cd "$mnt/report" && md5sum *) | cmp -s - "$dir/report.before" || fail "a previous report file changed"
only "$(cd "$mnt" && find . -type f ! -name filler | sort | tr '\n' ' ')"
[ -z "$(find "$mnt/report" -name '.tmp-*')" ] || fail "temporary files left in the report folder"
unfill
rm -rf "$mnt/report"

# 3. The feature cache on a full disk: the job finishes, with a warning, and writes its run.
fill
"$patchout" train --dataset "$dataset" --recipe from-scratch --epochs 1 --batch_size 8 \
  --no_baseline --quiet --out "$dir/run" --cache_dir "$mnt/cache" > "$dir/train.log" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "train with its cache on a full disk: exit $rc: $(tail -n 3 "$dir/train.log")"
grep -q "feature-cache entries could not be written" "$dir/train.log" || fail "no warning about the cache"
[ -s "$dir/run/checkpoints/last.safetensors" ] || fail "no checkpoint"
echo "train, cache on a full disk: $(grep -m1 'feature-cache' "$dir/train.log")"
unfill
rm -rf "$mnt/cache"

# 4. A read-only output folder (root ignores permission bits: the file system is read-only).
"$patchout" metrics --predictions "$predictions" --out "$mnt/report" > /dev/null || fail "metrics before remount"
mount -o remount,ro "$mnt" || fail "cannot remount read-only"
text=$("$patchout" metrics --predictions "$predictions" --out "$mnt/report" 2>&1)
refused $? "$text" "metrics into a read-only folder" "report"
text=$("$patchout" model create --preset passt-micro --labels a,b --out "$mnt/model.safetensors" 2>&1)
refused $? "$text" "model create into a read-only folder" "model.safetensors"
mount -o remount,rw "$mnt" || fail "cannot remount read-write"

# 5. The run folder deleted while training writes into it: an error naming what could not be
# written, not a crash or a hang.
"$patchout" train --dataset "$dataset" --recipe from-scratch --epochs 30 --batch_size 8 --no_baseline \
  --quiet --out "$mnt/run" --cache_dir "$dir/cache" > "$dir/deleted.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  [ -s "$mnt/run/metrics.jsonl" ] && break
  sleep 0.2
done
[ -s "$mnt/run/metrics.jsonl" ] || { kill $pid; fail "training never wrote metrics.jsonl"; }
rm -rf "$mnt/run"
wait $pid
rc=$?
refused $rc "$(cat "$dir/deleted.log")" "train whose run folder was deleted" "run"
echo "all faults: clear errors, previous files intact"
