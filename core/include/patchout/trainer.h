// Training and fine-tuning of PaSST models on a Dataset: train() reads batches through the feature
// cache, augments them (mixup, roll, gain, SpecAugment; patchout in the model), optimises with
// AdamW under warm-up + decay, and keeps a run folder (config.json, metrics.jsonl, checkpoints/)
// from which `resume` continues exactly. With world_size > 1 it is one rank of a data-parallel job
// (Gloo over TCP): every rank reads its shard, gradients are averaged each step, rank 0 writes.
// Thread-safety: train() uses the LibTorch thread pools of the process; run one at a time.
#pragma once

#include "patchout/dataset.h"
#include "patchout/job.h"
#include "patchout/passt.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace patchout {

class FeatureCache;

// Augmentations while training (never at validation). Each is off at 0.
struct AugmentOptions {
    double mixup_alpha = 0.3;      // lambda ~ Beta(a, a), lambda = max(lambda, 1 - lambda)
    double mixup_prob = 1.0;       // fraction of steps that mix (the whole batch with a permutation)
    int roll_frames = 10;          // circular shift along time by up to +- this many frames
    double gain_db = 6.0;          // level change by up to +- this many dB (per example)
    int time_masks = 1;            // SpecAugment: masks per example ...
    int time_mask_frames = 10;     // ... each up to this wide
    int freq_masks = 1;
    int freq_mask_bins = 16;
    // Shift along the frequency axis by up to +- this many bins (edge bins repeated): a change of
    // vocal-tract length or pitch, what tells one voice from another.
    int freq_shift_bins = 0;
    // Mixup on the waveforms, before the features are computed (PaSST mixes audio): the batch
    // loader mixes an item with a random clip of the epoch, lambda ~ Beta(a, a), lambda =
    // max(lambda, 1 - lambda). Off at 0; independent of the feature mixup above.
    double waveform_mixup_alpha = 0;
    double waveform_mixup_prob = 1.0;

    void validate() const;  // Error(InvalidArgument) naming the bad field
};

// The augmentation measured for training from scratch on a few thousand clips (docs/training.md):
// roll 10 frames, gain 6 dB, frequency shift 4 bins; no mixup, no masks. The defaults above are
// PaSST's fine-tuning recipe.
AugmentOptions fromScratchAugment();

struct TrainOptions {
    // Model: a preset (passtPreset) trained from scratch, or init_checkpoint fine-tuned (a file of
    // saveModel, or an official PyTorch checkpoint imported with num_heads) with a new head when its
    // classes differ from the dataset's.
    std::string preset = "passt-mini";
    std::filesystem::path init_checkpoint{};
    int num_heads = 0;              // for importing an official checkpoint (0: embed_dim / 64)
    int freeze_blocks = 0;          // patch embedding, positions and the first k blocks stay fixed
    bool override_patchout = false; // use `patchout` below instead of the preset's / checkpoint's
    PatchoutOptions patchout{};
    double drop_path_rate = 0.0;
    std::string feature_preset = "passt-32k";  // featurePreset(); n_mels must match the model

    // Optimisation. A step is one optimiser update (batch_size * accumulate_steps examples per
    // rank).
    int epochs = 10;
    int batch_size = 32;
    int accumulate_steps = 1;
    double lr = 5e-4;                // peak learning rate
    double weight_decay = 0.05;      // AdamW, not applied to biases, norms, tokens, positions
    double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
    int warmup_steps = -1;           // linear warm-up from 0; -1: one epoch
    std::string schedule = "cosine"; // after warm-up: "cosine", "linear" (to min_lr) or "constant"
    double min_lr = 1e-6;
    double clip_grad_norm = 5.0;     // 0: no clipping
    std::string loss = "auto";       // "ce" (single-label), "bce" (multi-label) or "auto"
    bool balanced = false;           // class-balanced sampling
    int frames = 0;                  // crop / pad length; 0: the model's input_frames
    // More training data: every clip of these dataset folders (any layout readDataset detects)
    // joins the training split, classes matched by name (appendTrainingClips); validation and
    // test stay the dataset's own. E.g. synthetic voices beside a few real speakers.
    std::vector<std::filesystem::path> extra_train{};
    AugmentOptions augment{};
    std::uint64_t seed = 0;

    // Run folder and bookkeeping.
    std::filesystem::path cache_dir{};  // feature cache; "" = <run>/cache
    int log_every_steps = 10;           // a metrics.jsonl line every N steps (0: epochs only)
    int checkpoint_every_steps = 0;     // also save the resumable state every N steps (0: epochs)
    bool resume = false;                // continue the run folder's saved state
    int max_steps = 0;                  // stop (cleanly, with a checkpoint) after N steps; 0: no
    int eval_batch_size = 64;

    // Data parallel: rank in [0, world_size); rank 0 also hosts the rendezvous store.
    int world_size = 1;
    int rank = 0;
    std::string master_addr = "127.0.0.1";
    int master_port = 29500;
    int timeout_s = 60;  // a collective waiting longer than this fails (a peer died)

    void validate() const;  // Error(InvalidArgument) naming the bad field
};

// Options as JSON (field names as above; "augment" and "patchout" nested) and back. Fields absent
// from the JSON keep their current value in `base`; unknown fields are Error(BadFormat).
std::string trainOptionsToJson(const TrainOptions& options);
TrainOptions trainOptionsFromJson(const std::string& json, const TrainOptions& base = {});

// The split train() uses when none is given: the dataset's own split (train/validation/test or
// folds), else a speaker/group split (20% test, 10% validation), else Error(Dataset).
DatasetSplit defaultTrainSplit(const Dataset& dataset, std::uint64_t seed = 0);

// The split named `kind`: "auto" (defaultTrainSplit), "own" (splitByDataset) or "group" (by
// speaker: 20% test, 10% validation); anything else is Error(InvalidArgument). The split's name
// ("own", "group") is what config.json records, so the same call finds a run's split again.
DatasetSplit trainSplit(const Dataset& dataset, const std::string& kind, std::uint64_t seed = 0);

// The learning rate at optimiser step `step` (0-based) of `total_steps`.
double learningRateAt(const TrainOptions& options, std::int64_t step, std::int64_t total_steps,
                      std::int64_t warmup_steps);

struct ClassificationScore {
    std::size_t examples = 0;
    double loss = 0;      // mean cross-entropy (single-label) or binary cross-entropy
    double accuracy = 0;  // top-1 class is (one of) the clip's label(s)
};

// Scores `model` (eval mode) on clips `indices`, each cropped / padded from its start to `frames`
// (0: the model's input_frames). Features come from `cache`, whose options must match the model.
ClassificationScore scoreModel(const PaSSTModel& model, const Dataset& dataset,
                               const std::vector<std::size_t>& indices, FeatureCache& cache,
                               int frames = 0, int batch_size = 64, const JobControl* job = nullptr);

struct EpochRecord {
    int epoch = 0;  // 1-based
    std::int64_t step = 0;
    double train_loss = 0;
    double lr = 0;
    ClassificationScore validation;
    double seconds = 0;  // wall time of the epoch
};

struct TrainResult {
    std::filesystem::path run_dir;
    std::int64_t steps = 0;        // optimiser steps done in total (including before a resume)
    int epochs_done = 0;           // completed epochs
    bool finished = false;         // all epochs done (false when stopped by max_steps)
    std::vector<EpochRecord> epochs;  // the epochs this call ran
    int best_epoch = 0;
    double best_validation_accuracy = 0;
    ClassificationScore test;      // the last model on the split's test clips (empty split: 0)
    double seconds = 0;            // wall time of this call
    // FNV-1a 64 of the final float32 weights (state_dict order): equal on every rank of a
    // data-parallel run, and equal between runs that computed the same thing.
    std::uint64_t weights_digest = 0;
    std::filesystem::path last_checkpoint;  // checkpoints/last.safetensors
    std::filesystem::path best_checkpoint;  // checkpoints/best.safetensors
};

// Trains on `split` (train clips; validation clips, or test clips when there are none, scored each
// epoch; test scored at the end) and writes the run folder `run_dir`:
//   config.json                 the options, classes, split sizes and model options;
//   metrics.jsonl               one JSON object per log_every_steps steps and per epoch;
//   checkpoints/last.safetensors, best.safetensors   saveModel files (labels, epoch, step);
//   checkpoints/state.pt        everything resume needs: weights, AdamW moments, epoch, position
//                               in the epoch, step (all randomness is derived from seed + step).
// Every file is written atomically. An existing state without `resume` is Error(InvalidArgument);
// `resume` without one starts fresh. Progress after every step (loss, lr, examples_per_s, eta_s);
// on cancel it saves the state at the current step and throws Error(Cancelled). Errors of a peer
// rank (death, timeout) are Error(Io) saying so.
TrainResult train(const Dataset& dataset, const DatasetSplit& split, const TrainOptions& options,
                  const std::filesystem::path& run_dir, const JobControl* job = nullptr);

// The last state saved in `run_dir` (epoch, step), or {0, 0} when there is none.
struct RunState {
    int epoch = 0;              // completed epochs
    std::int64_t batch = 0;     // batches of the next epoch already done
    std::int64_t step = 0;
};
RunState readRunState(const std::filesystem::path& run_dir);

}  // namespace patchout
