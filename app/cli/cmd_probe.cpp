// `patchout probe --checkpoint CKPT (--train DIR --test DIR | --dataset DIR) [--out DIR]`: transfer
// without fine-tuning. Either two folders with one sub-folder per class, or any dataset
// `patchout dataset info` reads, split as training would split it (train + validation clips
// train the probe, test clips score it). The frozen encoder embeds every clip, then a linear probe
// (logistic regression) and k-NN are trained on the train embeddings and scored on the test ones.
// --out writes probe.json (atomically).
#include "commands.h"
#include "output.h"

#include "patchout/classifier.h"
#include "patchout/embedder.h"
#include "patchout/dataset.h"
#include "patchout/error.h"
#include "patchout/files.h"
#include "patchout/probe.h"
#include "patchout/trainer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>

namespace patchout::cli {
namespace {

namespace fs = std::filesystem;

struct ProbeArgs {
    std::string checkpoint, train, test, dataset, split = "auto", out, pooling = "head";
    int k = 5;
    int block = -1;
    bool strict = false;
    bool skipBadRows = false;
    ProbeOptions options;
};

// Embeddings of `files`; with `skipped`, the files that cannot be decoded are left out of them and
// of `labels` and listed there.
EmbeddingMatrix embedLabelled(Embedder& e, const std::vector<fs::path>& files, std::vector<int>& labels,
                              std::vector<FileError>* skipped) {
    const std::size_t before = skipped ? skipped->size() : 0;
    EmbeddingMatrix m = e.embedFiles(files, nullptr, skipped);
    if (skipped && skipped->size() > before) {
        std::set<fs::path> bad;
        for (std::size_t k = before; k < skipped->size(); ++k)
            bad.insert((*skipped)[k].path);
        std::vector<int> kept;
        for (std::size_t i = 0; i < files.size(); ++i)
            if (!bad.count(files[i]))
                kept.push_back(labels[i]);
        labels = std::move(kept);
    }
    if (m.rows == 0)
        throw Error(ErrorCode::Dataset, "none of the " + std::to_string(files.size()) + " files could be decoded");
    return m;
}

// The audio files of `dir` (one sub-folder per class) and their classes; with `grow`, new class
// names are added to `classes`, else they are an error.
void folderClips(const std::string& dir, std::map<std::string, int>& classes, bool grow,
                 std::vector<fs::path>& files, std::vector<int>& labels) {
    for (const auto& file : collectAudioFiles({dir})) {
        const std::string name = file.parent_path().filename().string();
        auto it = classes.find(name);
        if (it == classes.end()) {
            if (!grow)
                throw Error(ErrorCode::Dataset, "class \"" + name + "\" is not in the training folder",
                            file.string());
            it = classes.emplace(name, static_cast<int>(classes.size())).first;
        }
        files.push_back(file);
        labels.push_back(it->second);
    }
    if (files.empty())
        throw Error(ErrorCode::Dataset, "no audio files", dir);
}

// The clips `indices` of a single-label dataset and their class indices.
void datasetClips(const Dataset& ds, const std::vector<std::size_t>& indices, std::vector<fs::path>& files,
                  std::vector<int>& labels) {
    for (std::size_t i : indices) {
        files.push_back(ds.clipPath(i));
        labels.push_back(ds.clips[i].labels.front());
    }
}

void runProbe(const ProbeArgs& a) {
    if (a.dataset.empty() == (a.train.empty() || a.test.empty()))
        throw Error(ErrorCode::InvalidArgument, "give either --dataset or both --train and --test");
    Embedder e = Embedder::fromCheckpoint(a.checkpoint, {.pooling = poolingFromName(a.pooling), .block = a.block});
    std::size_t classCount = 0;
    std::vector<fs::path> trainFiles, testFiles;
    std::vector<int> trainLabels, testLabels;
    std::string splitName = "folders";
    int rowsCode = 0;  // dataset rows left out (--skip_bad_rows)
    if (!a.dataset.empty()) {
        const Dataset ds = readDataset(a.dataset, {.skip_bad_rows = a.skipBadRows});
        rowsCode = reportLeftOutRows(ds);
        if (ds.multi_label)
            throw Error(ErrorCode::Dataset, "the probe is single-label; this dataset is multi-label",
                        a.dataset);
        const DatasetSplit split = trainSplit(ds, a.split);
        if ((split.train.empty() && split.validation.empty()) || split.test.empty())
            throw Error(ErrorCode::Dataset, "the " + split.name + " split has no train or no test clips",
                        a.dataset);
        datasetClips(ds, split.train, trainFiles, trainLabels);
        datasetClips(ds, split.validation, trainFiles, trainLabels);
        datasetClips(ds, split.test, testFiles, testLabels);
        classCount = ds.classes.size();
        splitName = split.name;
    } else {
        std::map<std::string, int> classes;
        folderClips(a.train, classes, true, trainFiles, trainLabels);
        folderClips(a.test, classes, false, testFiles, testLabels);
        classCount = classes.size();
    }
    std::vector<FileError> skipped;
    const std::size_t fileCount = trainFiles.size() + testFiles.size();
    const EmbeddingMatrix train = embedLabelled(e, trainFiles, trainLabels, a.strict ? nullptr : &skipped);
    const EmbeddingMatrix test = embedLabelled(e, testFiles, testLabels, a.strict ? nullptr : &skipped);
    const auto probe = LinearProbe::train(train, trainLabels, static_cast<int>(classCount), a.options);
    const double probeAcc = accuracy(probe.predict(test), testLabels);
    const double knnAcc = accuracy(knnClassify(train, trainLabels, test, a.k), testLabels);
    std::cout << std::fixed << std::setprecision(4) << classCount << " classes, " << train.rows
              << " train / " << test.rows << " test embeddings (" << e.dim() << "-d, " << a.pooling
              << ", split " << splitName << ")\nlinear probe accuracy: " << probeAcc
              << " (train loss " << probe.trainLoss() << ")\nk-NN (k " << a.k
              << ") accuracy: " << knnAcc << "\n";
    if (!a.out.empty()) {
        const nlohmann::ordered_json report = {
            {"checkpoint", a.checkpoint}, {"dataset", a.dataset.empty() ? a.train : a.dataset},
            {"split", splitName}, {"classes", classCount}, {"train_clips", train.rows},
            {"test_clips", test.rows}, {"embedding_dim", e.dim()}, {"pooling", a.pooling},
            {"block", a.block}, {"linear_probe_accuracy", probeAcc},
            {"linear_probe_train_loss", probe.trainLoss()}, {"knn_k", a.k},
            {"knn_accuracy", knnAcc}};
        std::filesystem::create_directories(a.out);
        writeTextAtomically(std::filesystem::path(a.out) / "probe.json", report.dump(1) + "\n");
        writeFileErrors(std::filesystem::path(a.out) / "errors.csv", skipped);
        std::cout << "wrote " << (std::filesystem::path(a.out) / "probe.json").string() << "\n";
    }
    const int code = reportSkipped(skipped, fileCount, a.out.empty() ? fs::path() : fs::path(a.out) / "errors.csv");
    if (code != 0 || rowsCode != 0)
        throw CLI::RuntimeError(std::max(code, rowsCode));
}

}  // namespace

void addProbeCommand(CLI::App& app) {
    static ProbeArgs a;
    auto* cmd = app.add_subcommand("probe", "Linear probe and k-NN on frozen embeddings");
    cmd->add_option("--checkpoint", a.checkpoint, "Model file (.safetensors)")->required();
    cmd->add_option("--train", a.train, "Training folder, one sub-folder per class");
    cmd->add_option("--test", a.test, "Test folder, same classes");
    cmd->add_option("--dataset", a.dataset,
                    "Instead of --train/--test: a dataset in any supported format (train + "
                    "validation clips fit the probe, test clips score it)");
    cmd->add_option("--split", a.split, "Split of --dataset: auto, own or group")
        ->capture_default_str();
    cmd->add_flag("--skip_bad_rows", a.skipBadRows, kSkipBadRowsHelp);
    cmd->add_option("--out", a.out, "Folder for probe.json");
    cmd->add_option("-k", a.k, "Neighbours for k-NN")->capture_default_str();
    cmd->add_option("--pooling", a.pooling, "head (what the classifier reads), cls, dist, cls-dist or patch-mean")->capture_default_str();
    cmd->add_option("--block", a.block, "Block whose output is pooled (-1: final norm)");
    cmd->add_option("--epochs", a.options.epochs, "Probe training epochs")->capture_default_str();
    cmd->add_flag("--strict", a.strict, "Stop at the first file that cannot be decoded (exit code 1)");
    cmd->footer(kSkippedFilesHelp);
    cmd->callback([] { runProbe(a); });
}

}  // namespace patchout::cli
