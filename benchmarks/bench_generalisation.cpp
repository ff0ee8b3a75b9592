// The evidence behind "from-scratch training beats the classical floor" (docs/benchmarks.md): per
// benchmark, the floor (log-mel statistics + logistic regression), passt-micro trained from
// scratch, and the same training started from self-supervised pretraining (pretrain.h) on the
// split's own training audio, each as test accuracy with its 95% Wilson interval and wall time.
// Every number comes from test clips that nothing chose on: validation is carved from the
// training clips (TrainOptions::validation_fraction), pretraining never hears a test clip.
// Benchmarks (all test material unheard in training):
//   synth-instruments   GM notes, test soundfont held out (built under --work on first use)
//   synth-words         espeak-ng digits, test voices held out (built under --work on first use)
//   fsdd-standard       FSDD's own split (takes 0-4 of every speaker are test)
//   fsdd-loso           FSDD leave-one-speaker-out: mean over the held-out speakers, interval
//                       over all their clips pooled
// Recipe: trainRecipe("from-scratch") (the CLI's --recipe from-scratch), its 50 epochs unless
// --epochs; pretraining --pretrain_epochs with PretrainOptions' defaults.
#include "bench_args.h"
#include "patchout_source_paths.h"

#include "patchout/dataset.h"
#include "patchout/error.h"
#include "patchout/metrics.h"
#include "patchout/pretrain.h"
#include "patchout/recipes.h"
#include "patchout/synth_instruments.h"
#include "patchout/synth_words.h"
#include "patchout/system_info.h"
#include "patchout/text.h"
#include "patchout/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <cstring>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace patchout;

namespace {

constexpr const char* kUsage =
    "bench_generalisation [--benchmarks synth-instruments,synth-words,fsdd-standard,fsdd-loso]\n"
    "                     [--work DIR] [--fsdd DIR] [--epochs 0] [--pretrain_epochs 60] [--seed 0]\n"
    "                     [--speakers a,b] [--methods floor,scratch,pretrained] [--threads 1] [--blas_threads 0]\n"
    "Per benchmark: the classical floor, passt-micro from scratch and from self-supervised pretraining,\n"
    "as test accuracy [95% Wilson interval] and wall time. --epochs 0: the from-scratch recipe's (50).\n"
    "Data and runs go under --work (default build/generalisation); the synthetic sets are built there\n"
    "once. FSDD is read from --fsdd (default ../shared/data/fsdd) and skipped with a message when absent.\n"
    "--speakers limits fsdd-loso to those held-out speakers (the mean is then over them only).\n";

struct Args {
    std::set<std::string> benchmarks = {"synth-instruments", "synth-words", "fsdd-standard", "fsdd-loso"};
    std::set<std::string> methods = {"floor", "scratch", "pretrained"};
    fs::path work = "build/generalisation";
    fs::path fsdd = fs::path(PATCHOUT_SHARED_DIR) / "data" / "fsdd";
    int epochs = 0;
    int pretrainEpochs = 60;
    std::uint64_t seed = 0;
    std::set<std::string> speakers;
    int threads = 1, blasThreads = 0;
};

double secondsSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Correct answers out of n, with time: what one method scored on one benchmark (LOSO: summed).
struct Tally {
    double correct = 0;
    std::size_t n = 0;
    double seconds = 0;
    double accuracySum = 0;  // LOSO: sum of per-fold accuracies (their mean is the headline)
    int folds = 0;
    void add(const ClassificationScore& s, double wall) {
        correct += s.accuracy * static_cast<double>(s.examples);
        n += s.examples;
        seconds += wall;
        accuracySum += s.accuracy;
        ++folds;
    }
    double accuracy() const { return folds > 0 ? accuracySum / folds : 0; }
};

std::string summary(const Tally& t) {
    if (t.n == 0)
        return "not measured";
    const auto [lo, hi] = wilsonInterval(t.correct, t.n);
    char line[160];
    std::snprintf(line, sizeof line, "%6.2f%% [%5.1f, %5.1f]  %s", 100 * t.accuracy(), 100 * lo, 100 * hi,
                  formatDuration(t.seconds).c_str());
    return line;
}

TrainOptions recipe(const Args& a, const fs::path& cache) {
    TrainOptions o = trainRecipe("from-scratch");
    if (a.epochs > 0)
        o.epochs = a.epochs;
    o.seed = a.seed;
    o.cache_dir = cache;
    return o;
}

struct Row {
    Tally floor, scratch, pretrained;
};

// One split of one benchmark: the scratch run scores the floor too (train() fits it at the end on
// the same carved split), then pretraining on the split's training audio and the same training.
void runSplit(const Args& a, const Dataset& ds, const DatasetSplit& split, const fs::path& dir, Row& row) {
    const fs::path cache = dir.parent_path() / "cache";
    const TrainOptions o = recipe(a, cache);
    if (a.methods.count("scratch") || a.methods.count("floor")) {
        fs::remove_all(dir / "scratch");
        TrainOptions scratch = o;
        scratch.baseline = a.methods.count("floor") > 0;
        const TrainResult r = train(ds, split, scratch, dir / "scratch");
        if (a.methods.count("scratch"))
            row.scratch.add(r.test, r.seconds);
        if (r.floor.examples > 0)
            row.floor.add(r.floor, 0);
        std::printf("    %-26s scratch %.2f%%, floor %.2f%% (%s)\n", split.name.c_str(), 100 * r.test.accuracy,
                    100 * r.floor.accuracy, formatDuration(r.seconds).c_str());
        std::fflush(stdout);
    }
    if (a.methods.count("pretrained")) {
        fs::remove_all(dir / "pretrain");
        fs::remove_all(dir / "pretrained");
        const auto t0 = std::chrono::steady_clock::now();
        const PretrainResult p = pretrainBeforeTraining(ds, split, o, a.pretrainEpochs, {}, dir / "pretrain");
        TrainOptions tuned = o;
        tuned.init_checkpoint = p.checkpoint;
        tuned.baseline = false;
        const TrainResult r = train(ds, split, tuned, dir / "pretrained");
        row.pretrained.add(r.test, secondsSince(t0));
        std::printf("    %-26s pretrained %.2f%% (pretraining %s on %zu clips, loss %.3f -> %.3f; total %s)\n",
                    split.name.c_str(), 100 * r.test.accuracy, formatDuration(p.seconds).c_str(), p.clips,
                    p.epochs.front().loss, p.epochs.back().loss, formatDuration(secondsSince(t0)).c_str());
    }
    std::fflush(stdout);
}

fs::path synthInstruments(const Args& a) {
    const fs::path dir = a.work / "synth-instruments" / "data";
    if (!fs::exists(dir / "labels.csv")) {
        std::printf("  building synth-instruments in %s\n", dir.c_str());
        std::fflush(stdout);
        makeSynthInstruments(dir);
    }
    return dir;
}

fs::path synthWords(const Args& a) {
    const fs::path dir = a.work / "synth-words" / "data";
    if (!fs::exists(dir / "classes.txt") && !fs::exists(dir / "labels.csv")) {
        std::printf("  building synth-words in %s\n", dir.c_str());
        std::fflush(stdout);
        makeSynthWords(dir);
    }
    return dir;
}

void printRow(const std::string& name, const Row& row, const std::string& note) {
    std::printf("%-18s floor %s | scratch %s | pretrained %s%s\n", name.c_str(), summary(row.floor).c_str(),
                summary(row.scratch).c_str(), summary(row.pretrained).c_str(), note.c_str());
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    selectBlasKernels(argv);
    Args a;
    bench::readArgs(argc, argv, kUsage, [&](const std::string& arg, const std::function<std::string()>& value) {
        if (arg == "--benchmarks")
            a.benchmarks = bench::listOf(value());
        else if (arg == "--methods")
            a.methods = bench::listOf(value());
        else if (arg == "--work")
            a.work = value();
        else if (arg == "--fsdd")
            a.fsdd = value();
        else if (arg == "--epochs")
            a.epochs = std::stoi(value());
        else if (arg == "--pretrain_epochs")
            a.pretrainEpochs = std::stoi(value());
        else if (arg == "--seed")
            a.seed = std::stoull(value());
        else if (arg == "--speakers")
            a.speakers = bench::listOf(value());
        else if (arg == "--threads")
            a.threads = std::stoi(value());
        else if (arg == "--blas_threads")
            a.blasThreads = std::stoi(value());
        else
            return false;
        return true;
    });
    for (const std::string& b : a.benchmarks)
        if (b != "synth-instruments" && b != "synth-words" && b != "fsdd-standard" && b != "fsdd-loso") {
            std::fprintf(stderr, "unknown benchmark %s\n%s", b.c_str(), kUsage);
            return 2;
        }
    try {
        configureThreads({.torch_threads = a.threads, .blas_threads = a.blasThreads});
        const SystemInfo info = systemInfo();
        const TrainOptions o = recipe(a, {});
        std::printf("bench_generalisation: %s from scratch (%d epochs, batch %d, lr %g), pretraining %d epochs; "
                    "threads: torch %d, %s %d; seed %llu\n",
                    o.preset.c_str(), o.epochs, o.batch_size, o.lr, a.pretrainEpochs, info.torch_threads,
                    info.blas.name.c_str(), info.blas.threads, static_cast<unsigned long long>(a.seed));
        std::printf("accuracy on the test clips [95%% Wilson interval], wall time (pretrained: pretraining + training)\n");
        std::fflush(stdout);
        const std::vector<std::string> order = {"synth-instruments", "synth-words", "fsdd-standard", "fsdd-loso"};
        for (const std::string& name : order) {
            if (!a.benchmarks.count(name))
                continue;
            std::printf("%s\n", name.c_str());
            const bool fsdd = name.rfind("fsdd", 0) == 0;
            if (fsdd && !fs::exists(a.fsdd / "labels.csv")) {
                std::printf("%-18s skipped: FSDD not found at %s\n", name.c_str(), a.fsdd.c_str());
                continue;
            }
            const fs::path data = fsdd ? a.fsdd : name == "synth-words" ? synthWords(a) : synthInstruments(a);
            const Dataset ds = readDataset(data);
            Row row;
            std::string note;
            if (name == "fsdd-loso") {
                for (const DatasetSplit& split : leaveOneGroupOut(ds)) {
                    const std::string speaker = split.name.substr(split.name.rfind(' ') + 1);
                    if (!a.speakers.empty() && !a.speakers.count(speaker))
                        continue;
                    runSplit(a, ds, split, a.work / name / speaker, row);
                }
                note = "  (mean over " + std::to_string(row.scratch.folds > 0 ? row.scratch.folds : row.pretrained.folds) +
                       " held-out speakers; interval over their clips pooled)";
            } else {
                runSplit(a, ds, splitByDataset(ds), a.work / name / "run", row);
            }
            printRow(name, row, note);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_generalisation: %s\n", exceptionMessage(e).c_str());
        return 1;
    }
    return 0;
}
