// `patchout probe --checkpoint CKPT --train DIR --test DIR`: transfer without fine-tuning. Both
// folders hold one sub-folder per class; the frozen encoder embeds every clip, then a linear probe
// (logistic regression) and k-NN are trained on the train embeddings and scored on the test ones.
#include "commands.h"

#include "patchout/classifier.h"
#include "patchout/embedder.h"
#include "patchout/error.h"
#include "patchout/probe.h"

#include <iomanip>
#include <iostream>
#include <map>

namespace patchout::cli {
namespace {

struct ProbeArgs {
    std::string checkpoint, train, test, pooling = "head";
    int k = 5;
    int block = -1;
    ProbeOptions options;
};

void embedFolder(Embedder& e, const std::string& dir, std::map<std::string, int>& classes, bool grow,
                 EmbeddingMatrix& m, std::vector<int>& labels) {
    m.dim = e.dim();
    for (const auto& file : collectAudioFiles({dir})) {
        const std::string name = file.parent_path().filename().string();
        auto it = classes.find(name);
        if (it == classes.end()) {
            if (!grow)
                throw Error(ErrorCode::Dataset, "class \"" + name + "\" is not in the training folder",
                            file.string());
            it = classes.emplace(name, static_cast<int>(classes.size())).first;
        }
        const auto v = e.embedFile(file);
        m.data.insert(m.data.end(), v.begin(), v.end());
        ++m.rows;
        labels.push_back(it->second);
    }
    if (m.rows == 0)
        throw Error(ErrorCode::Dataset, "no audio files", dir);
}

void runProbe(const ProbeArgs& a) {
    Embedder e = Embedder::fromCheckpoint(a.checkpoint, {.pooling = poolingFromName(a.pooling), .block = a.block});
    std::map<std::string, int> classes;
    EmbeddingMatrix train, test;
    std::vector<int> trainLabels, testLabels;
    embedFolder(e, a.train, classes, true, train, trainLabels);
    embedFolder(e, a.test, classes, false, test, testLabels);
    const auto probe = LinearProbe::train(train, trainLabels, static_cast<int>(classes.size()), a.options);
    const double probeAcc = accuracy(probe.predict(test), testLabels);
    const double knnAcc = accuracy(knnClassify(train, trainLabels, test, a.k), testLabels);
    std::cout << std::fixed << std::setprecision(4) << classes.size() << " classes, " << train.rows
              << " train / " << test.rows << " test embeddings (" << e.dim() << "-d, " << a.pooling
              << ")\nlinear probe accuracy: " << probeAcc << " (train loss " << probe.trainLoss()
              << ")\nk-NN (k " << a.k << ") accuracy: " << knnAcc << "\n";
}

}  // namespace

void addProbeCommand(CLI::App& app) {
    static ProbeArgs a;
    auto* cmd = app.add_subcommand("probe", "Linear probe and k-NN on frozen embeddings");
    cmd->add_option("--checkpoint", a.checkpoint, "Model file (.safetensors)")->required();
    cmd->add_option("--train", a.train, "Training folder, one sub-folder per class")->required();
    cmd->add_option("--test", a.test, "Test folder, same classes")->required();
    cmd->add_option("-k", a.k, "Neighbours for k-NN")->capture_default_str();
    cmd->add_option("--pooling", a.pooling, "head (what the classifier reads), cls, dist, cls-dist or patch-mean")->capture_default_str();
    cmd->add_option("--block", a.block, "Block whose output is pooled (-1: final norm)");
    cmd->add_option("--epochs", a.options.epochs, "Probe training epochs")->capture_default_str();
    cmd->callback([] { runProbe(a); });
}

}  // namespace patchout::cli
