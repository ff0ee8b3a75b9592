#!/bin/sh
# Writes the fuzz targets' seed corpora (fuzz/corpus/<target>/seed-*) from real files: ones the
# programs write (a WAV from `patchout synth`, a run's metrics.jsonl and eval/report.json, a model
# file's header), the committed test references, the official-format fixture in ../shared, and sox.
# Run it after the ci preset's build and tests (they make the run folders it reads); the seeds are
# committed, so the fuzz preset needs none of this. Inputs that once crashed a target are kept
# beside the seeds as crash-* (docs/robustness.md).
# Usage: fuzz/make_corpus.sh [BUILD_DIR=build/ci] [SHARED_DIR=../shared]
set -eu
cd "$(dirname "$0")/.."
build=${1:-build/ci}
shared=${2:-../shared}
patchout=$build/bin/patchout
scratch=$build/tests/e2e/scratch
out=fuzz/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for t in audio dataset metrics_jsonl pickle predictions report safetensors torch_archive; do
  mkdir -p "$out/$t"
  rm -f "$out/$t"/seed-*
done

# audio: what saveWav writes, and the containers and encodings libsndfile reads.
"$patchout" synth --signal chirp --duration 0.05 --sample_rate 16000 --out "$out/audio/seed-patchout.wav" >/dev/null
sox -n -r 8000 -c 1 -b 16 "$out/audio/seed-pcm16-8k.wav" synth 0.05 sine 440
sox -n -r 44100 -c 2 -e floating-point -b 32 "$out/audio/seed-float-stereo.wav" synth 0.02 sine 440
sox -n -r 48000 -c 1 -b 24 "$out/audio/seed-24bit.flac" synth 0.05 sine 440
sox -n -r 22050 -c 1 "$out/audio/seed.ogg" synth 0.2 sine 440
sox -n -r 11025 -c 1 -b 8 "$out/audio/seed.aiff" synth 0.05 sine 440

# metrics.jsonl: the head of a real run's log, with its epoch line.
{ head -n 20 "$scratch/train-run/metrics.jsonl"; grep -m 2 '"type":"epoch"' "$scratch/train-run/metrics.jsonl" || true; } \
  > "$out/metrics_jsonl/seed-train-run.jsonl"

# predictions.csv: the first byte picks single (0) or multi-label (1).
{ printf '\000'; cat tests/reference/predictions_baseline.csv; } > "$out/predictions/seed-single.csv"
{ printf '\001'; printf 'file,labels,a,b,c\nx.wav,a;b,0.9,0.8,0.1\ny.wav,c,0.2,0.1,0.7\nz.wav,,0.1,0.2,0.3\n'; } \
  > "$out/predictions/seed-multi.csv"

# report.json: an evaluation with a baseline comparison (e2e.cli_metrics) and a run's own.
cp "$scratch/metrics/report.json" "$out/report/seed-comparison.json"
cp "$scratch/train-run/eval/report.json" "$out/report/seed-run.json" 2>/dev/null ||
  cp "$(find "$scratch" -path '*run/eval/report.json' | head -n 1)" "$out/report/seed-run.json"

# safetensors: a real model file's header with its data cut to a few tensors' worth is not a valid
# file, so the seed is a small file in the same layout, written by the same rules.
/usr/bin/python3 - "$out/safetensors/seed-model.safetensors" "$patchout" "$tmp" <<'PY'
import json, struct, subprocess, sys
out, patchout, tmp = sys.argv[1:]
subprocess.run([patchout, "model", "create", "--preset", "passt-micro", "--labels", "a,b",
                "--out", tmp + "/micro.safetensors"], check=True, stdout=subprocess.DEVNULL)
with open(tmp + "/micro.safetensors", "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    header = json.loads(f.read(n))
meta = header["__metadata__"]
tensors, offset = {}, 0
for name, shape in [("head.1.bias", [2]), ("head.0.weight", [4]), ("cls_token", [1, 1, 2])]:
    size = 4
    for d in shape: size *= d
    tensors[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + size]}
    offset += size
text = json.dumps({"__metadata__": meta, **tensors}).encode()
with open(out, "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + bytes(offset))
PY

# pickle and torch_archive: the official-format fixture (tiny_passt.pt), its data.pkl as is, and
# the archive with every storage cut to 4 bytes (the reader checks their presence, not size).
fixture=$shared/fixtures/passt/tiny_passt.pt
if [ -f "$fixture" ]; then
  /usr/bin/python3 - "$fixture" "$out" <<'PY'
import sys, zipfile
fixture, out = sys.argv[1:]
src = zipfile.ZipFile(fixture)
pkl = next(i for i in src.infolist() if i.filename.endswith("/data.pkl"))
open(out + "/pickle/seed-tiny-passt.pkl", "wb").write(src.read(pkl))
with zipfile.ZipFile(out + "/torch_archive/seed-tiny-passt.pt", "w", zipfile.ZIP_STORED) as dst:
    for info in src.infolist():
        data = src.read(info)
        dst.writestr(info.filename, data[:4] if "/data/" in info.filename else data)
PY
else
  echo "make_corpus: $fixture absent; pickle and torch_archive seeds left as they are" >&2
fi

# datasets: the first byte picks the layout (fuzz_dataset.cpp: 0 csv, 1 esc50, 2 fsd50k,
# 3 audioset, 4 speech-commands, 5 fsdd, 6 folder with its groups rule), files split at "@@" lines.
{ printf '\000'; head -n 8 "$scratch/words/labels.csv"; } > "$out/dataset/seed-csv"
{ printf '\001'; printf 'filename,fold,target,category,esc10,src_file,take\n1-1-A-0.wav,1,0,dog,True,1,A\n1-2-A-0.wav,2,1,rooster,False,2,A\n'; } > "$out/dataset/seed-esc50"
{ printf '\002'; printf '0,Bark,/m/05tny_\n1,Speech,/m/09x0r\n@@\nfname,labels,mids,split\n1,Bark,/m/05tny_,train\n3,"Bark,Speech","/m/05tny_,/m/09x0r",val\n@@\nfname,labels,mids\n2,Speech,/m/09x0r\n'; } > "$out/dataset/seed-fsd50k"
{ printf '\003'; printf 'index,mid,display_name\n0,/m/09x0r,"Speech"\n1,/m/05tny_,"Bark"\n@@\n# Segments csv\n# num_ytids=1\n# YTID, start_seconds, end_seconds, positive_labels\nY1, 0.000, 10.000, "/m/09x0r,/m/05tny_"\n'; } > "$out/dataset/seed-audioset"
{ printf '\004'; printf 'yes/x_nohash_0.wav\n@@\nyes/y_nohash_0.wav\n'; } > "$out/dataset/seed-speech-commands"
{ printf '\005'; head -n 8 "$shared/data/fsdd/labels.csv" 2>/dev/null || printf 'filename,label,speaker,take,split\nrecordings/0_george_0.wav,0,george,0,test\n'; } > "$out/dataset/seed-fsdd"
{ printf '\006'; printf '# speaker: the letters before the first underscore\n^([a-z]+)_\n'; } > "$out/dataset/seed-folder-groups"
ls -l "$out"/*/seed-* | awk '{s += $5} END {print "make_corpus: " NR " seeds, " s " bytes"}'
