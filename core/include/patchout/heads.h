// Attention heads: how much each matters for a task, switching some off, and pruning them away.
// Importance follows Michel et al. (2019, "Are Sixteen Heads Really Better than One?"): a gate
// g = 1 multiplies each head's output, and I_h is the mean over batches of |dL/dg_h|, the loss's
// sensitivity to removing the head; each block's row is normalised to unit L2 norm so that heads
// compare across blocks. Masking switches heads off at run time (what-if, reversible); pruning
// makes a smaller model whose q, k, v and output projections lose the pruned heads' rows and
// columns (PaSSTOptions::block_heads records the counts; model files store them).
// Thread-safety: the functions change or read one model; use it from one thread meanwhile.
#pragma once

#include "patchout/dataset.h"
#include "patchout/job.h"
#include "patchout/passt.h"
#include "patchout/profiler.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace patchout {

// [block][head], a block's row as long as its heads.
using HeadScores = std::vector<std::vector<double>>;
using HeadSelection = std::vector<std::vector<bool>>;

struct HeadImportanceOptions {
    std::string feature_preset = "passt-32k";
    std::filesystem::path cache_dir{};  // feature cache ("": one in the system's temporary folder)
    int batch_size = 32;
    int max_batches = 0;  // 0: every clip once
    std::uint64_t seed = 0;

    void validate() const;  // Error(InvalidArgument) naming the bad field
};

// Head importance of `model` for clips `indices` of `dataset` (their labels; never give it test
// clips when the result chooses what to prune): cross-entropy, or binary cross-entropy for a
// multi-label dataset, on one crop of the model's length per clip, eval mode. The model's weights
// and gradients are left as they were. Progress per batch; cancellable between batches.
HeadScores headImportance(const PaSSTModel& model, const Dataset& dataset, const std::vector<std::size_t>& indices,
                          const HeadImportanceOptions& options = {}, const JobControl* job = nullptr);

// Switches the heads with keep[block][head] == false off (their outputs multiplied by 0) until the
// next call; an empty `keep` switches every head on again. Nothing of it is saved with the model.
// Error(InvalidArgument) when `keep` does not have the model's shape.
void setHeadMask(PaSSTModel& model, const HeadSelection& keep);

// The heads to keep so that round(fraction x all heads) stay, at least one in every block: the
// least important ones go first. Error(InvalidArgument) for a fraction outside (0, 1].
HeadSelection headsToKeep(const HeadScores& importance, double fraction);

// Every head kept (the model's shape).
HeadSelection allHeads(const PaSSTOptions& options);

// A new model with only the kept heads, its other weights copied; its outputs equal those of
// `model` with the same heads masked. Error(InvalidArgument) for a wrong shape of `keep` or a block
// left without heads.
PaSSTModel pruneHeads(const PaSSTModel& model, const HeadSelection& keep);

// The parameters `model`'s options would have with only the kept heads (`parameters` now), and
// the forward time of one pass `profile` (of the same model) predicts for it: the attention parts
// of each block scaled by the share of its heads kept, the parts of blocks from `blocks` on (the
// top ones dropped, prune.h keepFirstBlocks; -1: none) left out, the rest as measured, the whole
// pass scaled like the sum of its parts. What the Model view's predictions and `prune
// --target_latency` show; `keep` may cover only the kept blocks.
std::int64_t prunedParameterCount(const PaSSTOptions& options, std::int64_t parameters, const HeadSelection& keep);
double predictedLatencyMs(const ModelProfile& profile, const HeadSelection& keep, int blocks = -1);

// Head importance as JSON ({"blocks": [[...], ...]}) and back (Error(BadFormat) otherwise).
std::string headScoresToJson(const HeadScores& scores);
HeadScores headScoresFromJson(const std::string& json);

// Importance stored with a model: the model file's metadata under this key (headScoresToJson), so
// the Model view shows it when the file is opened again without measuring anew.
inline constexpr const char* kHeadImportanceKey = "head_importance";
// Writes `importance` into `model_file`'s metadata (the file is rewritten atomically; weights,
// labels and other metadata as they were). Error(InvalidArgument) when it does not have the
// model's shape.
void storeHeadImportance(const std::filesystem::path& model_file, const HeadScores& importance);
// The importance stored in `metadata`, empty when there is none; Error(BadFormat) when it is broken.
HeadScores storedHeadImportance(const std::map<std::string, std::string>& metadata);

}  // namespace patchout
