// Self-supervised pretraining without labels: masked-patch reconstruction with patchout (a masked
// autoencoder for audio). Each clip's patch grid loses most of its patches; the PaSST encoder sees
// only the kept ones (exactly as patchout feeds it), and a light decoder that is thrown away
// afterwards reconstructs the dropped patches' normalised log-mel from them. The encoder learns
// what spectrograms look like from any audio a user has; `patchout train --init_checkpoint
// RUN/checkpoints/last.safetensors` then fine-tunes it with a fresh head on a labelled task.
// Thread-safety: pretrain() uses the LibTorch thread pools of the process; run one at a time.
#pragma once

#include "patchout/dataset.h"
#include "patchout/job.h"
#include "patchout/trainer.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace patchout {

struct PretrainOptions {
    std::string preset = "passt-micro";        // the encoder to pretrain (passtPreset)
    std::string feature_preset = "passt-32k";  // featurePreset(); the same as the labelled training's
    // Share of each clip's patches hidden from the encoder (a fresh random set per clip and step);
    // the loss is the reconstruction error on those.
    double mask_ratio = 0.75;
    int decoder_dim = 64;     // width of the decoder (discarded after pretraining)
    int decoder_depth = 1;    // transformer blocks in the decoder
    int decoder_heads = 4;
    int epochs = 100;
    int batch_size = 32;
    double lr = 1e-3;          // peak learning rate (AdamW), one epoch of linear warm-up, cosine decay
    double min_lr = 1e-6;
    double weight_decay = 0.05;
    int frames = 0;            // crop length; 0: the model's input_frames
    std::uint64_t seed = 0;
    std::filesystem::path cache_dir{};  // feature cache; "" = <run>/cache
    std::string precision = "fp32";      // fp32 | bf16 | auto, as TrainOptions::precision

    void validate() const;  // Error(InvalidArgument) naming the bad field
};

// Unlabelled audio for pretraining, gathered from folders: a folder that readDataset() reads as a
// dataset gives its clips, without the ones of its test split (what a model is scored on is never
// trained on, not even without labels) unless `include_test`; any other folder gives every audio
// file under it (recursively, sorted). The result has no classes and no labels, clip paths are
// absolute. `notes` (when given) receives one line per folder saying what was taken.
// Error(FileNotFound) for a missing folder, Error(Dataset) when no audio is found at all.
Dataset unlabelledAudio(const std::vector<std::filesystem::path>& folders, bool include_test = false,
                        std::vector<std::string>* notes = nullptr);

// The audio of `split`'s training and validation clips of `dataset` (never its test clips, whatever
// split it is: a held-out speaker stays unheard), as unlabelled clips, followed by what
// unlabelledAudio() gathers from `more` folders: what a training run pretrains on (the workbench's
// training dialog, the evidence benchmark). `notes` as for unlabelledAudio().
Dataset unlabelledSplitAudio(const Dataset& dataset, const DatasetSplit& split,
                             const std::vector<std::filesystem::path>& more = {},
                             std::vector<std::string>* notes = nullptr);

struct PretrainEpoch {
    int epoch = 0;          // 1-based
    std::int64_t step = 0;  // optimiser steps after it
    double loss = 0;        // mean reconstruction error (normalised patches) on the hidden patches
    double seconds = 0;
};

struct PretrainResult {
    std::filesystem::path run_dir;
    std::filesystem::path checkpoint;  // RUN/checkpoints/last.safetensors, the encoder (saveModel)
    std::size_t clips = 0;
    std::int64_t parameters = 0;       // of the encoder (the saved model)
    std::int64_t steps = 0;
    std::vector<PretrainEpoch> epochs;
    double seconds = 0;
};

// Pretrains a fresh `options.preset` model on clips `indices` of `dataset` (labels are not read)
// and writes the run folder `run_dir`: pretrain.json (options, data, sizes), metrics.jsonl (a line
// per epoch: train_loss = reconstruction loss), checkpoints/last.safetensors after every epoch
// (atomically; metadata trainer "patchout pretrain"). Progress after every step; on cancel it
// keeps the last finished epoch's checkpoint and throws Error(Cancelled). Error(Dataset) when the
// clips do not fill one batch.
PretrainResult pretrain(const Dataset& dataset, const std::vector<std::size_t>& indices,
                        const PretrainOptions& options, const std::filesystem::path& run_dir,
                        const JobControl* job = nullptr);

// The pretraining a training run does first (the training dialog's Pretrain first, the
// generalisation benchmark): `epochs` epochs of a fresh `training.preset` encoder with the
// training's features, batch size, seed and feature cache (training.cache_dir; "" = one in
// pretrain_dir), on the training and validation audio of `split` carved as train() will carve it
// with `training` (never a test clip) plus what unlabelledAudio() finds in `more`, into
// `pretrain_dir`. Train from it by setting training.init_checkpoint to the result's checkpoint.
PretrainResult pretrainBeforeTraining(const Dataset& dataset, const DatasetSplit& split, const TrainOptions& training,
                                      int epochs, const std::vector<std::filesystem::path>& more,
                                      const std::filesystem::path& pretrain_dir, const JobControl* job = nullptr);

}  // namespace patchout
