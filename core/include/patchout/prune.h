// Structured pruning as a job: drop the top blocks (optional), then measure the heads' importance
// on the training clips, prune the least important ones, fine-tune, and repeat for a few rounds
// until the share of heads asked for is left (Michel et al. 2019 prune in steps too: a model
// recovers better from small cuts). Every round's fine-tuning is a training run (train()), so the
// Train view follows it and `eval --run` scores it; the last round trains into the run folder
// itself, earlier ones into RUN/rounds/<k>. Thread-safety: as train().
#pragma once

#include "patchout/dataset.h"
#include "patchout/heads.h"
#include "patchout/job.h"
#include "patchout/trainer.h"

#include <cstdint>
#include <filesystem>
#include <vector>

namespace patchout {

// A new model with only the first `blocks` of `model`'s blocks, every other weight copied: the
// classifier reads the last kept block through the final norm. Dropping the top blocks of a trained
// transformer and fine-tuning is the best of the layer-dropping strategies Sajjad et al. (arXiv 2020, "On
// the effect of dropping layers of pre-trained transformer models") compare; unlike head pruning,
// the blocks left keep their full width, so they keep the fused inference kernel and the time saved
// follows the MACs saved. Error(InvalidArgument) for `blocks` outside [1, depth].
PaSSTModel keepFirstBlocks(const PaSSTModel& model, int blocks);

struct PruneOptions {
    // Blocks kept, the first ones (0: all); dropped before any head is pruned.
    int keep_blocks = 0;
    double keep_heads = 0.5;  // share of the heads left at the end (of those in the kept blocks)
    // Or a target instead (0: none; at most one): the fewest heads pruned (after keep_blocks) that
    // bring the parameters, or the time of one window predicted from a profile
    // (predictedLatencyMs), to this share of the starting model's. Error(InvalidArgument) when
    // pruning heads cannot.
    double target_parameters = 0;
    double target_latency = 0;
    int rounds = 2;           // prune, fine-tune; the share left after round r is keep_heads^(r/rounds)
    // Fine-tuning of each round (epochs per round, learning rate, augmentation...); its
    // init_checkpoint, resume and baseline are set by the job (the floor is scored after the last).
    TrainOptions fine_tune{};
    int importance_batches = 0;  // batches of training clips for the importance (0: all)

    void validate() const;  // Error(InvalidArgument) naming the bad field
};

struct PruneRound {
    int round = 0;                   // 1-based
    HeadScores importance;           // of the model entering the round, on the training clips
    HeadSelection keep;              // what the round kept of it
    std::int64_t parameters = 0;     // after pruning
    int heads = 0;                   // after pruning
    std::filesystem::path run_dir;   // where its fine-tuning ran
    TrainResult trained;
};

struct PruneResult {
    std::int64_t parameters_before = 0, parameters_after = 0;
    int heads_before = 0, heads_after = 0;
    int blocks_before = 0, blocks_after = 0;
    std::vector<PruneRound> rounds;
    std::filesystem::path model;  // the last round's best checkpoint (RUN/checkpoints/best.safetensors)
};

// Prunes the model in `checkpoint` (a saveModel file whose classes are the dataset's) on `split`
// of `dataset` (validation carved as train() carves it; the test clips are only scored at the end
// of each fine-tuning, never used to choose) into `run_dir`, writing RUN/prune.json (the rounds:
// importance, kept heads, parameters) as it goes. Error(InvalidArgument) when the folder holds a
// run already; Error(Model) when the model's classes are not the dataset's.
PruneResult pruneAndFineTune(const std::filesystem::path& checkpoint, const Dataset& dataset,
                             const DatasetSplit& split, const PruneOptions& options,
                             const std::filesystem::path& run_dir, const JobControl* job = nullptr);

}  // namespace patchout
