// Batch classification of audio of any length with a PaSST model: files are streamed (decoded,
// resampled and turned into log-mel frames block by block), cut into windows of the model's length
// with a configurable hop, and the windows of many files are grouped into batches (a shorter last
// window is padded and its padding masked out of attention, so it scores as if run alone). Results
// are per-window scores with timestamps plus clip-level scores (mean or max over windows), written
// as CSV or JSON. Thread-safety: one Classifier per thread; classify calls do not overlap.
#pragma once

#include "patchout/audio_source.h"
#include "patchout/file_errors.h"
#include "patchout/job.h"
#include "patchout/passt.h"
#include "patchout/waveform.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace patchout {


// How logits become scores: a sigmoid per class (multi-label, AudioSet-style PaSST) or a softmax
// over classes (single-label). Stored in the checkpoint metadata under "task".
enum class ScoreActivation { Sigmoid, Softmax };
enum class Aggregation { Mean, Max };

// Metadata key and values that name the task of a checkpoint.
inline constexpr const char* kTaskMetadataKey = "task";
inline constexpr const char* kTaskMultiLabel = "multi-label";
inline constexpr const char* kTaskSingleLabel = "single-label";

// "task" = "single-label" gives Softmax, "multi-label" or absent gives Sigmoid; any other value is
// an Error(Model).
ScoreActivation activationFromMetadata(const std::map<std::string, std::string>& metadata);
const char* activationName(ScoreActivation activation);  // "sigmoid" | "softmax"
const char* aggregationName(Aggregation aggregation);    // "mean" | "max"
Aggregation aggregationFromName(const std::string& name);  // Error(InvalidArgument) otherwise

struct InferOptions {
    double window_s = 0;  // 0: the model's input length (input_frames); longer is an error
    double hop_s = 0;     // 0: equal to the window (no overlap)
    // Windows per forward pass, across files; 0: 32, or 1 for windows of 512 tokens or more
    // (PaSST-S's 10 s): such a window is already a large matrix product, and batching it with
    // others only adds padding to quadratic attention (passt-s: 7.4 s at 1 vs 12.3 s at 32,
    // docs/benchmarks.md).
    int batch_size = 0;
    // Forward passes run at once, each on one core (torch and OpenBLAS at one thread each while
    // they run; the process's thread settings are restored after): 0 = one per core, 1 = one at
    // a time with the configured threads. Several single-threaded passes beat one pass on all
    // cores because LayerNorm, softmax and GELU run on one thread (docs/benchmarks.md).
    int workers = 0;
    bool bf16 = false;    // bfloat16 autocast (fast on CPUs with AVX-512 BF16)
    // Where the forward passes run: "cpu", "cuda" or "auto" (resolveComputeDevice: CUDA when this
    // LibTorch has it and sees a GPU); the model (and every handle on its weights) moves there.
    // On a GPU the passes run one at a time (workers is ignored). The CLI's --device defaults to
    // auto; code that shares weights with a model elsewhere passes that model's device.
    std::string device = "cpu";
    Aggregation aggregation = Aggregation::Mean;
    int top_k = 5;
    // Inference-time structured patchout: drops this many evenly spaced time columns / frequency
    // rows of the patch grid in every window. Faster, less accurate; 0 keeps everything.
    int patchout_t = 0;
    int patchout_f = 0;
    // Feature cache folder (empty: none). Files up to cache_max_s seconds are served from it;
    // longer ones are always streamed.
    std::filesystem::path cache_dir{};
    double cache_max_s = 120.0;
    std::size_t read_block = 32000;  // samples decoded per step while streaming
    // A window shorter than the model's input: false (default) masks the missing frames, so it
    // scores as if run alone at its length; true fills them with the features of silence and runs
    // a full window, as `train` pads short clips (use it for models trained here: FSDD test
    // accuracy 74% masked vs 82-88% padded for passt-micro, docs/evaluation.md).
    bool pad_with_silence = false;
    // The front end, a featurePreset() name: the one the model was trained with (a run's
    // TrainOptions::feature_preset; `train` and `eval` on a run's checkpoint set it).
    std::string feature_preset = "passt-32k";
};

// How a clip is scored for evaluation -- `patchout eval`, the Evaluate view, and validation and test
// inside `train` -- so that all of them give one number for one question: windows of the model's
// input length over the whole clip, short clips padded with silence as training pads them, window
// scores averaged.
InferOptions evaluationInferOptions();

// Window of `frames` feature frames starting at frame `start`, and how many of them are real
// audio (the rest is padding).
struct WindowSpan {
    std::int64_t start = 0;
    int valid = 0;
};

// The windows the classifier cuts from `n_frames` frames: full windows every `hop` frames, then
// one shorter last window when frames remain uncovered and at least `min_frames` of them are left
// after its start; a clip shorter than one window gives one (padded) window.
std::vector<WindowSpan> windowSpans(std::int64_t n_frames, int window, int hop, int min_frames);
// How many windowSpans() gives, counted without making them: a header may claim 2^40 frames (the
// job's progress total is counted from headers before anything is decoded).
std::int64_t windowCount(std::int64_t n_frames, int window, int hop, int min_frames);

struct WindowResult {
    double start_s = 0;
    double end_s = 0;
    std::vector<float> scores;  // one per class, after the activation
};

struct ClipResult {
    std::string name;  // the file path, or the name given to classify()
    double duration_s = 0;
    std::vector<WindowResult> windows;
    std::vector<float> scores;  // clip level: mean or max of the window scores
    std::vector<std::pair<int, float>> top;  // top-k (class, score) of the clip, best first
};

// Indices and scores of the k largest entries, best first (ties: lower index first).
std::vector<std::pair<int, float>> topK(const std::vector<float>& scores, int k);
// Mean or max over the windows' scores, per class.
std::vector<float> aggregateScores(const std::vector<WindowResult>& windows, Aggregation aggregation);

// How far bf16 results are from fp32 ones on the same input (same clips, same windows).
struct PrecisionReport {
    std::int64_t windows = 0;
    double top1_agreement = 0;   // fraction of windows whose best class is the same
    double max_score_diff = 0;   // largest |score_bf16 - score_fp32| over windows and classes
};
PrecisionReport comparePrecision(const std::vector<ClipResult>& reference,
                                 const std::vector<ClipResult>& other);

struct ClassifierStats {
    std::int64_t windows = 0;
    std::int64_t batches = 0;
    std::int64_t padded_windows = 0;  // windows run with a mask
    std::int64_t cache_hits = 0;
    double model_seconds = 0;     // wall time in forward passes
    int workers = 1;              // forward passes the last flush ran at once
    double feature_seconds = 0;   // decoding and features
};

class Classifier {
public:
    // Takes the model (eval mode) and its labels; `activation` from the checkpoint's metadata.
    Classifier(PaSSTModel model, std::vector<std::string> labels, ScoreActivation activation,
               const InferOptions& options = {});
    // Loads a checkpoint written by saveModel().
    static Classifier fromCheckpoint(const std::filesystem::path& path, const InferOptions& options = {});
    ~Classifier();
    Classifier(Classifier&&) noexcept;
    Classifier& operator=(Classifier&&) noexcept;

    const InferOptions& options() const noexcept;
    const std::vector<std::string>& labels() const noexcept;  // empty or one per class
    std::string label(int cls) const;  // the label, or "class N"
    ScoreActivation activation() const noexcept;
    int numClasses() const noexcept;
    int windowFrames() const noexcept;
    int hopFrames() const noexcept;
    int batchSize() const noexcept;  // the batch size in use (InferOptions::batch_size resolved)
    double frameRate() const noexcept;
    int sampleRate() const noexcept;
    bool bf16Native() const noexcept;  // this CPU has AVX-512 BF16
    ComputeDevice device() const;      // where the model runs (options().device resolved)
    ClassifierStats stats() const;

    // Classifies files, grouping the windows of all of them into batches. Reports progress in
    // windows (total estimated from the headers) and stops between batches when cancelled. With
    // `skipped`, a file that cannot be opened or decoded (any Error but Cancelled) is left out of
    // the results and listed there, and the job goes on; without it, the first such file throws.
    std::vector<ClipResult> classifyFiles(const std::vector<std::filesystem::path>& files,
                                          const JobControl* job = nullptr, std::vector<FileError>* skipped = nullptr);
    // Classifies whatever a source delivers until it finishes (not for live sources).
    ClipResult classifySource(AudioSource& source, const std::string& name);
    ClipResult classify(const Waveform& wave, const std::string& name = "waveform");

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// Audio files under each path (a file is taken as is, a folder is searched recursively for
// known audio extensions), sorted. A missing path is an Error(FileNotFound).
std::vector<std::filesystem::path> collectAudioFiles(const std::vector<std::filesystem::path>& paths);

// Written atomically. CSV: one row per window and class of its top-k, then one per clip class of
// the top-k (kind "clip"): file,kind,start_s,end_s,rank,class,label,score. JSON: every file with
// its windows (top-k) and clip scores (all classes). With `thresholds` (one per class, a
// multi-label model's DecisionThresholds::forLabels) the classes whose clip score reaches their
// threshold follow each clip (CSV kind "present", JSON "present", best first). The format follows
// the extension (.csv, .json); anything else is an Error(InvalidArgument).
void writeResults(const std::filesystem::path& path, const std::vector<ClipResult>& results,
                  const Classifier& classifier, const std::vector<double>* thresholds = nullptr);
// The classes of `scores` at or above their threshold, best first (presentClasses of a clip).
std::vector<std::pair<int, float>> presentClasses(const std::vector<float>& scores,
                                                  const std::vector<double>& thresholds);

}  // namespace patchout
