// Training and fine-tuning of PaSST models on a Dataset: train() reads batches through the feature
// cache, augments them (mixup, roll, gain, SpecAugment; patchout in the model), optimises with
// AdamW under warm-up + decay, and keeps a run folder (config.json, metrics.jsonl, checkpoints/)
// from which `resume` continues exactly. With world_size > 1 it is one rank of a data-parallel job
// (Gloo over TCP): every rank reads its shard, gradients are averaged each step, rank 0 writes.
// Thread-safety: train() uses the LibTorch thread pools of the process; run one at a time.
#pragma once

#include "patchout/dataset.h"
#include "patchout/file_errors.h"
#include "patchout/job.h"
#include "patchout/passt.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace patchout {

class FeatureCache;
struct Predictions;

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

// SpecAugment's masks on one example's bins x frames block: time masks, then frequency masks, each
// as wide as a uniform draw from 0 to its maximum (cut to the block) and placed uniformly. The
// masked cells are set to 0 in training; unlike patchout's, every patch still becomes a token.
struct SpecAugmentMasks {
    struct Band {
        int start = 0;
        int width = 0;  // cells [start, start + width)
    };
    std::vector<Band> time;  // frames
    std::vector<Band> freq;  // bins
    bool hides(int bin, int frame) const noexcept;          // some mask covers the cell
    double hiddenShare(int bins, int frames) const noexcept; // share of the block's cells covered
    // Which of cells 0..n-1 (frames or bins) some band of `bands` covers.
    static std::vector<bool> covered(const std::vector<Band>& bands, int n);
};

// The masks training's augment() draws for an example with these options, from a generator
// seeded with `seed` (the same draws in the same order; gain, roll and shift draw before them).
SpecAugmentMasks drawSpecAugmentMasks(const AugmentOptions& a, int bins, int frames, std::uint64_t seed);

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
    // Cross-layer parameter sharing (PaSSTOptions::sharing): "" keeps the preset's / model's,
    // "none", "all", "attention" or "mlp" in groups of sharing_group consecutive blocks; a model
    // that shares otherwise is converted, each shared tensor the mean of its group.
    std::string sharing{};
    int sharing_group = 2;
    // Positions of a model trained from a preset: "" (the preset's), "learned", "sinusoidal" or
    // "none"; a model file keeps its own (asking for another is an error).
    std::string positional_encoding{};
    // Blocks of a model trained from a preset (0: the preset's): a shallower model to set beside a
    // deep one whose top blocks were dropped (prune.h, keep_blocks).
    int depth = 0;
    std::string feature_preset = "passt-32k";  // featurePreset(); n_mels must match the model

    // Arithmetic of the training steps: "fp32", or "bf16" (mixed precision: the forward pass's
    // products in bfloat16 under autocast, as is their backward; weights, gradients, optimiser
    // state and loss stay fp32), or "auto" (bf16 where the CPU has AVX-512 BF16). bf16 products
    // run in torch's pool, so a bf16 run moves the BLAS pool's threads to torch's for its length.
    std::string precision = "fp32";
    // Where the steps run: "cpu", "cuda" or "auto" (resolveComputeDevice: a CUDA GPU when this
    // LibTorch has one and sees it). The batches are read and augmented on the CPU and moved
    // there; data-parallel runs (world_size > 1) stay on the CPU (auto) or are refused (cuda).
    // Chosen per call, not resumed.
    std::string device = "auto";

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
    // Training clips that cannot be decoded are skipped and listed (RUN/errors.csv, the epoch
    // lines' skipped_clips) until more than this share fail: then training stops with the error.
    double max_bad_clips = 0.05;
    // Dataset rows with problems (a missing or unreadable file, an unknown label, a malformed
    // line) are left out instead of refusing the dataset (readDataset's skip_bad_rows). Kept in
    // config.json, so that resuming and the run's jobs (eval, embed, prune) read the same clips.
    bool skip_bad_rows = false;
    int frames = 0;                  // crop / pad length; 0: the model's input_frames
    // More training data: every clip of these dataset folders (any layout readDataset detects)
    // joins the training split, classes matched by name (appendTrainingClips); validation and
    // test stay the dataset's own. E.g. synthetic voices beside a few real speakers.
    std::vector<std::filesystem::path> extra_train{};
    AugmentOptions augment{};
    std::uint64_t seed = 0;
    // A split without validation clips gets this share of each class's training clips as its
    // validation split (carveValidation: stratified, groups whole, seeded); the test clips never
    // choose the best checkpoint. 0: no validation split, the best checkpoint is the last epoch's.
    double validation_fraction = 0.1;

    // Run folder and bookkeeping.
    std::filesystem::path cache_dir{};  // feature cache; "" = <run>/cache
    int log_every_steps = 10;           // a metrics.jsonl line every N steps (0: epochs only)
    int checkpoint_every_steps = 0;     // also save the resumable state every N steps (0: epochs)
    bool resume = false;                // continue the run folder's saved state
    int max_steps = 0;                  // stop (cleanly, with a checkpoint) after N steps; 0: no
    int eval_batch_size = 0;  // windows per forward pass when scoring (0: as `eval` chooses)
    // At the end, the classical floor (baseline.h) on the same split and features, into
    // RUN/baseline: what the model has to beat (TrainResult::floor; `eval --run` compares).
    bool baseline = true;

    // Data parallel: rank in [0, world_size); rank 0 also hosts the rendezvous store.
    int world_size = 1;
    int rank = 0;
    std::string master_addr = "127.0.0.1";
    int master_port = 29500;
    int timeout_s = 60;  // a collective waiting longer than this fails (a peer died)

    void validate() const;  // Error(InvalidArgument) naming the bad field
};

// How a field of TrainOptions behaves when a run is resumed (train() with resume, `train
// --resume`, the training dialog): Fixed fields must equal the run's config.json (a contradiction
// is an Error naming both values); Bookkeeping fields come from config.json but may be changed;
// PerCall fields belong to one invocation and are not taken from config.json at all.
enum class ResumeRule { Fixed, Bookkeeping, PerCall };

// "fp32" or "bf16": what TrainOptions::precision means on this CPU ("auto": bf16 when it has
// AVX-512 BF16). Error(InvalidArgument) for any other name.
std::string resolvePrecision(const std::string& precision);

// The field table of TrainOptions: one line per field, the only list of them. It generates the
// JSON write and read below, the CLI's flags (`patchout train --NAME`, app/cli/cmd_train.cpp)
// and resume's checks. `visit(group, name, member, help, rule)` is called for every field in
// order; `group` is "" for top-level fields and "augment" or "patchout" for the nested structs
// (nested in JSON, flat on the command line). Works on a const or non-const TrainOptions.
template <class Options, class Visitor>
void visitTrainOptions(Options& o, Visitor&& v) {
    using R = ResumeRule;
    v("", "preset", o.preset, "Model preset (passt-micro, passt-mini, passt-s, ...)", R::Fixed);
    v("", "init_checkpoint", o.init_checkpoint,
      "Fine-tune from a model file or an official PaSST checkpoint (new head if needed)", R::Fixed);
    v("", "num_heads", o.num_heads, "Heads of an imported checkpoint (0: width/64)", R::Fixed);
    v("", "freeze_blocks", o.freeze_blocks, "Keep the patch embedding and the first k blocks fixed",
      R::Fixed);
    v("", "override_patchout", o.override_patchout,
      "Use the patchout counts given here instead of the model's (set by any of them)", R::Fixed);
    v("patchout", "s_patchout_t", o.patchout.s_patchout_t, "Patchout: time columns dropped", R::Fixed);
    v("patchout", "s_patchout_f", o.patchout.s_patchout_f, "Patchout: frequency rows dropped",
      R::Fixed);
    v("patchout", "u_patchout", o.patchout.u_patchout, "Patchout: single patches dropped", R::Fixed);
    v("", "drop_path_rate", o.drop_path_rate, "Stochastic depth", R::Fixed);
    v("", "sharing", o.sharing,
      "Blocks share parameters in groups (ALBERT): none | all | attention | mlp (empty: the model's)", R::Fixed);
    v("", "sharing_group", o.sharing_group, "Consecutive blocks per sharing group", R::Fixed);
    v("", "positional_encoding", o.positional_encoding,
      "Positions of a model from a preset: learned | sinusoidal | none (empty: the preset's)", R::Fixed);
    v("", "depth", o.depth, "Blocks of a model from a preset (0: the preset's)", R::Fixed);
    v("", "feature_preset", o.feature_preset, "Feature preset (passt-32k, ...)", R::Fixed);
    // May change on resume (train longer or shorter): the schedule follows the new length.
    v("", "epochs", o.epochs, "Epochs", R::Bookkeeping);
    v("", "precision", o.precision, "Training arithmetic: fp32 | bf16 (mixed precision) | auto (bf16 with AVX-512 BF16)",
      R::Bookkeeping);
    v("", "device", o.device,
      "Where training runs: cpu | cuda | auto (a CUDA GPU when this LibTorch has one; `patchout info` says)",
      R::PerCall);
    v("", "batch_size", o.batch_size, "Examples per batch (per process)", R::Fixed);
    v("", "accumulate_steps", o.accumulate_steps, "Batches per optimiser step", R::Fixed);
    v("", "lr", o.lr, "Peak learning rate (AdamW)", R::Fixed);
    v("", "weight_decay", o.weight_decay, "AdamW weight decay", R::Fixed);
    v("", "beta1", o.beta1, "AdamW beta1", R::Fixed);
    v("", "beta2", o.beta2, "AdamW beta2", R::Fixed);
    v("", "eps", o.eps, "AdamW epsilon", R::Fixed);
    v("", "warmup_steps", o.warmup_steps, "Warm-up steps (-1: one epoch)", R::Fixed);
    v("", "schedule", o.schedule, "cosine | linear | constant", R::Fixed);
    v("", "min_lr", o.min_lr, "Learning rate at the end of the decay", R::Fixed);
    v("", "clip_grad_norm", o.clip_grad_norm, "Gradient clipping (0: off)", R::Fixed);
    v("", "loss", o.loss, "auto | ce | bce", R::Fixed);
    v("", "balanced", o.balanced, "Class-balanced sampling", R::Fixed);
    v("", "max_bad_clips", o.max_bad_clips,
      "Share of training clips that may fail to decode (skipped, listed in RUN/errors.csv, exit code 3) before training stops",
      R::Bookkeeping);
    v("", "skip_bad_rows", o.skip_bad_rows,
      "Leave out dataset rows with problems (missing or unreadable files, unknown labels, malformed lines) "
      "instead of refusing the dataset; each is a warning, exit code 3",
      R::Fixed);
    v("", "frames", o.frames, "Crop/pad length (0: the model's)", R::Fixed);
    v("", "extra_train", o.extra_train,
      "More training data: dataset folders whose every clip joins the training split (classes "
      "matched by name; repeat for several)",
      R::Fixed);
    v("augment", "mixup_alpha", o.augment.mixup_alpha, "Mixup Beta(a, a); 0: off", R::Fixed);
    v("augment", "mixup_prob", o.augment.mixup_prob, "Fraction of steps mixed", R::Fixed);
    v("augment", "roll_frames", o.augment.roll_frames, "Random roll (frames)", R::Fixed);
    v("augment", "gain_db", o.augment.gain_db, "Random gain (+- dB)", R::Fixed);
    v("augment", "time_masks", o.augment.time_masks, "SpecAugment time masks", R::Fixed);
    v("augment", "time_mask_frames", o.augment.time_mask_frames, "Width of each time mask", R::Fixed);
    v("augment", "freq_masks", o.augment.freq_masks, "SpecAugment frequency masks", R::Fixed);
    v("augment", "freq_mask_bins", o.augment.freq_mask_bins, "Width of each frequency mask", R::Fixed);
    v("augment", "freq_shift_bins", o.augment.freq_shift_bins, "Random shift along frequency (+- bins)",
      R::Fixed);
    v("augment", "waveform_mixup_alpha", o.augment.waveform_mixup_alpha,
      "Mixup of the audio before its features, Beta(a, a); 0: off", R::Fixed);
    v("augment", "waveform_mixup_prob", o.augment.waveform_mixup_prob,
      "Fraction of clips mixed on the waveform", R::Fixed);
    v("", "seed", o.seed, "Seed of everything random (split, initialisation, augmentation)", R::Fixed);
    v("", "validation_fraction", o.validation_fraction,
      "Share of each class's training clips held out for validation when the split has none "
      "(stratified, groups whole); 0: none, the best checkpoint is the last epoch's",
      R::Fixed);
    v("", "cache_dir", o.cache_dir, "Feature cache (default <run>/cache)", R::Bookkeeping);
    v("", "log_every_steps", o.log_every_steps, "metrics.jsonl line every N steps (0: epochs only)",
      R::Bookkeeping);
    v("", "checkpoint_every_steps", o.checkpoint_every_steps,
      "Also save the resumable state every N steps", R::Bookkeeping);
    v("", "resume", o.resume, "Continue the run folder's saved state (its options from config.json)",
      R::PerCall);
    v("", "max_steps", o.max_steps, "Stop after N steps (resumable)", R::PerCall);
    v("", "eval_batch_size", o.eval_batch_size,
      "Windows per forward pass when scoring validation and test clips (0: as eval chooses)", R::Bookkeeping);
    v("", "baseline", o.baseline,
      "At the end, score the classical floor (log-mel statistics + logistic regression) on the test "
      "clips into RUN/baseline",
      R::Bookkeeping);
    v("", "world_size", o.world_size, "Data-parallel processes (normally from --nproc or WORLD_SIZE)",
      R::Fixed);
    v("", "rank", o.rank, "This process's rank (normally from --nproc or RANK)", R::PerCall);
    v("", "master_addr", o.master_addr, "Rendezvous address (distributed)", R::Bookkeeping);
    v("", "master_port", o.master_port, "Rendezvous port (distributed)", R::Bookkeeping);
    v("", "timeout_s", o.timeout_s, "Seconds to wait for a peer process", R::Bookkeeping);
}

// Options as JSON (field names as above; "augment" and "patchout" nested) and back. Fields absent
// from the JSON keep their current value in `base`; unknown fields are Error(BadFormat).
std::string trainOptionsToJson(const TrainOptions& options);
TrainOptions trainOptionsFromJson(const std::string& json, const TrainOptions& base = {});

// The options to continue the run saved with `saved` when this call asks for `given`: `saved`'s
// Fixed and Bookkeeping fields, `given`'s PerCall ones. Only the fields named in `explicitly`
// (as "group.name" or "name") are taken from `given`; a Fixed one that differs from `saved` is an
// Error(InvalidArgument) naming the field and both values.
TrainOptions resumeTrainOptions(const TrainOptions& saved, const TrainOptions& given,
                                const std::vector<std::string>& explicitly);
// The Fixed fields in which `given` differs from `saved`, as "name: the run has X, this call Y"
// (empty when none): train() refuses to resume a run with any.
std::vector<std::string> resumeContradictions(const TrainOptions& saved, const TrainOptions& given);

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

// Scores `model` on clips `indices` of `dataset` exactly as `patchout eval` scores a clip: a
// Classifier with evaluationInferOptions() (windows of the model's input length over the whole
// clip, short clips padded with silence, window scores averaged) through predictDataset, features
// of `feature_preset` from the cache folder `cache_dir` (computed into it when missing;
// "": no cache). `batch_size` windows per forward pass (0: the Classifier's choice). The model's
// training mode is left as it was. Cancellable through `job` between batches. With `skipped`, a
// clip that cannot be decoded is left out of the score and appended there; without, it throws.
ClassificationScore scoreModel(const PaSSTModel& model, const Dataset& dataset,
                               const std::vector<std::size_t>& indices, const std::string& feature_preset,
                               const std::filesystem::path& cache_dir, int batch_size = 0,
                               const JobControl* job = nullptr, std::vector<FileError>* skipped = nullptr);
// Accuracy and loss of clip scores (after the activation): top-1 class among the clip's labels;
// mean -ln p(label) (single-label) or mean binary cross-entropy over clips and classes
// (multi-label), scores clamped to [1e-7, 1 - 1e-7]. Clips without labels are not counted.
ClassificationScore scorePredictions(const Predictions& predictions);

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
    std::size_t validation_clips = 0;  // 0: no validation split, best = the last epoch
    std::string validation_note;       // how the validation clips were chosen (carveValidation)
    ClassificationScore test;      // the last model on the split's test clips (empty split: 0)
    // The classical floor on the same test clips (options.baseline; examples 0 when not scored,
    // floor_note says why).
    ClassificationScore floor;
    std::string floor_note;
    double seconds = 0;            // wall time of this call
    // FNV-1a 64 of the final float32 weights (state_dict order): equal on every rank of a
    // data-parallel run, and equal between runs that computed the same thing.
    std::uint64_t weights_digest = 0;
    // Training clips left out because they could not be decoded (also in RUN/errors.csv; on
    // several processes, this one's shard), and feature-cache entries that could not be written.
    std::vector<FileError> skipped_clips;
    std::size_t cache_unwritten = 0;
    std::string cache_unwritten_error;
    std::filesystem::path last_checkpoint;  // checkpoints/last.safetensors
    std::filesystem::path best_checkpoint;  // checkpoints/best.safetensors
};

// Trains on `split` (train clips; validation clips scored each epoch and choosing the best
// checkpoint -- carved from the training clips when the split has none, see validation_fraction;
// the test clips only scored at the end) and writes the run folder `run_dir`:
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
