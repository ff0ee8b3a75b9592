// A run folder, the unit users keep (docs/architecture.md): RunPaths is the one place that knows
// its layout (train() writes config.json, metrics.jsonl and checkpoints/; evaluateRun adds eval/,
// embedRun embeddings/), readRunFolder what the workbench shows when one is opened. Reading never
// changes the folder and works while a training is still writing it: a torn last line of
// metrics.jsonl (the writer was killed or is mid-write) is skipped.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace patchout {

struct Dataset;
struct TrainOptions;

// Where each file of a run folder lives. Cheap: names only, nothing is read or created.
struct RunPaths {
    std::filesystem::path dir;

    RunPaths() = default;
    explicit RunPaths(std::filesystem::path run) : dir(std::move(run)) {}

    std::filesystem::path config() const { return dir / "config.json"; }     // options, dataset, split
    std::filesystem::path metrics() const { return dir / "metrics.jsonl"; }  // one JSON line per event
    std::filesystem::path checkpoints() const { return dir / "checkpoints"; }
    std::filesystem::path state() const { return checkpoints() / "state.pt"; }  // what resume reads
    std::filesystem::path bestModel() const { return checkpoints() / "best.safetensors"; }
    std::filesystem::path lastModel() const { return checkpoints() / "last.safetensors"; }
    std::filesystem::path cache() const { return dir / "cache"; }            // default feature cache
    std::filesystem::path thresholds() const { return dir / "thresholds.json"; }  // decision thresholds (thresholds.h)
    std::filesystem::path eval() const { return dir / "eval"; }              // report of evaluateRun
    std::filesystem::path embeddings() const { return dir / "embeddings"; }  // folder of embedRun
    std::filesystem::path baseline() const { return dir / "baseline"; }      // the floor (baselineRun)
    // Self-supervised pretraining done for this run before training (pretrain.h), when any.
    std::filesystem::path pretrain() const { return dir / "pretrain"; }

    // The run folder a model file was saved in (RUN/checkpoints/NAME.safetensors beside
    // RUN/config.json); empty when the file lives elsewhere.
    static RunPaths ofCheckpoint(const std::filesystem::path& checkpoint);
    bool empty() const { return dir.empty(); }
};

struct TrainingCurves {
    struct Step {  // a "step" line, every log_every_steps optimiser steps
        int epoch = 0;
        std::int64_t step = 0;
        double loss = 0, lr = 0, examples_per_s = 0;
    };
    struct Epoch {  // an "epoch" line; validation values are NaN when the run had none
        int epoch = 0;
        std::int64_t step = 0;
        double train_loss = 0, lr = 0, seconds = 0;
        double validation_loss = 0, validation_accuracy = 0;
    };
    std::vector<Step> steps;
    std::vector<Epoch> epochs;
    // The first epoch with the highest validation accuracy; nullptr when no epoch was validated.
    const Epoch* bestEpoch() const;
};

// Reads metrics.jsonl. Error(FileNotFound) when it is missing; Error(BadFormat) naming the line
// for a malformed line other than the last one.
TrainingCurves readTrainingCurves(const std::filesystem::path& metrics_jsonl);
TrainingCurves parseTrainingCurves(const std::string& text, const std::string& source = "metrics.jsonl");

struct RunFolder {
    std::filesystem::path dir;
    std::string preset;                 // model preset the run trained ("" when imported)
    std::string dataset;                // the dataset's root as training saw it
    std::vector<std::string> classes;   // the model's output order
    bool multi_label = false;
    int planned_epochs = 0;
    std::string split;                  // the split kind training used ("own", "group"; "" unknown)
    std::uint64_t seed = 0;             // the run's seed (its split and its augmentation)
    double validation_fraction = 0;     // validation carved from train (0: none, or an older run)
    std::string validation_note;        // how its validation clips were chosen ("" when given)
    std::size_t train_clips = 0, validation_clips = 0, test_clips = 0;  // the split's sizes
    std::filesystem::path best_checkpoint, last_checkpoint;  // empty when not (yet) written
    std::filesystem::path eval_dir;        // RUN/eval when it holds predictions.csv
    std::filesystem::path embeddings_dir;  // RUN/embeddings when it holds tensors.tsv
    TrainingCurves curves;                 // empty when metrics.jsonl is missing
};

// A folder with config.json and metrics.jsonl or checkpoints/ (cheap: looks at names only).
bool isRunFolder(const std::filesystem::path& dir);
// The TrainOptions a run was started with (config.json's "options"), with resume set: what
// `train --resume` and the training dialog continue with. Error(FileNotFound) without config.json,
// Error(BadFormat) for a config.json that does not parse.
TrainOptions readRunOptions(const std::filesystem::path& dir);
// Error(FileNotFound) for a missing folder, Error(Dataset) for a folder that is not a run
// (saying what is missing), Error(BadFormat) for an unreadable config.json or metrics.jsonl.
RunFolder readRunFolder(const std::filesystem::path& dir);
// The run's dataset read as its training read it (TrainOptions::skip_bad_rows from config.json):
// what the run's jobs (evaluateRun, embedRun, head importance, prune) score and embed.
// Error(Dataset) when config.json names none, Error(FileNotFound) when it is gone.
Dataset readRunDataset(const RunFolder& run);

}  // namespace patchout
