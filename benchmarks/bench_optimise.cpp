// The evidence for a smaller, faster transformer at equal accuracy (docs/optimise.md): on one
// split, a preset (passt-micro) trained from scratch against its variants, each with parameters,
// multiply-accumulates per window, measured latency of one window (inference path, batch 1, the
// same threads for all, the fastest of three rounds' medians) and test accuracy with its 95% Wilson interval:
//   baseline            the from-scratch recipe as it is
//   share-all           blocks 0+1 share every weight (ALBERT), trained from scratch
//   share-mlp           blocks 0+1 share the MLP only
//   prune-heads         the baseline with --keep_heads of its heads left (importance on the
//                       training clips, rounds of pruning and fine-tuning)
//   share-mlp+prune     share-mlp, then its heads pruned the same way
//   sinusoidal          fixed sin/cos positions instead of learned ones (nothing to learn there)
//   drop-blocks         the baseline with its top half of blocks dropped (prune --keep_blocks),
//                       fine-tuned
//   drop-blocks+prune   the same, then --keep_heads of the kept blocks' heads pruned
//   shallow             the preset with half its blocks, trained from scratch: is the deep model
//                       worth pruning, or is a shallow one as good?
//   prune-heads@S       like prune-heads with the share S of heads kept (a sweep: prune-heads@0.75)
// --plot FILE.png draws test accuracy (with its interval) against parameters for every variant.
// --passt_s instead measures the full PaSST-S size (random weights, nothing trained): parameters,
// MACs and the time of one 10 s window with all heads and with half of each block's heads pruned.
// Target (issue #17): >= 40% fewer parameters and >= 30% lower latency at <= 1 point accuracy
// loss. Validation is carved from the training clips; nothing is chosen on the test clips.
#include "bench_args.h"
#include "bench_plot.h"
#include "patchout_source_paths.h"

#include "patchout/checkpoint.h"
#include "patchout/dataset.h"
#include "patchout/error.h"
#include "patchout/heads.h"
#include "patchout/metrics.h"
#include "patchout/profiler.h"
#include "patchout/prune.h"
#include "patchout/recipes.h"
#include "patchout/run_folder.h"
#include "patchout/synth_words.h"
#include "patchout/system_info.h"
#include "patchout/text.h"
#include "patchout/trainer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <filesystem>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace patchout;

namespace {

constexpr const char* kUsage =
    "bench_optimise [--benchmark synth-words|fsdd-standard] [--work DIR] [--fsdd DIR] [--preset passt-micro]\n"
    "               [--epochs 0] [--prune_epochs 10] [--drop_epochs 0] [--rounds 2] [--keep_heads 0.5]\n"
    "               [--seeds 0] [--reuse] [--plot FILE.png]\n"
    "               [--variants baseline,share-all,share-mlp,prune-heads,share-mlp+prune,sinusoidal,\n"
    "                           drop-blocks,drop-blocks+prune,shallow,prune-heads@0.75,...]\n"
    "Trains a preset from scratch and its smaller variants on one split and prints parameters, MACs,\n"
    "measured latency of one window (batch 1, inference path) and test accuracy [95% Wilson interval].\n"
    "--epochs 0: the from-scratch recipe's (50). --drop_epochs: fine-tuning after dropping blocks (0: --epochs).\n"
    "--seeds 0,1,2: every variant once per seed; accuracy is the mean, the interval pooled over the seeds' clips.\n"
    "--reuse: a run that exists under --work is scored again instead of trained (latencies measured afresh).\n"
    "Runs go under --work (default build/optimise).\n"
    "--plot: test accuracy against parameters as a PNG (needs the build with Qt).\n"
    "bench_optimise --passt_s [--repeats 5]: PaSST-S with all heads and with half of them pruned (no training).\n";

struct Args {
    std::string benchmark = "synth-words";
    fs::path work = "build/optimise";
    fs::path fsdd = fs::path(PATCHOUT_SHARED_DIR) / "data" / "fsdd";
    std::string preset = "passt-micro";
    fs::path plot;
    int epochs = 0, pruneEpochs = 10, dropEpochs = 0, rounds = 2;
    double keepHeads = 0.5;
    std::vector<std::uint64_t> seeds = {0};
    bool reuse = false;
    bool passtS = false;
    int repeats = 5;
    std::set<std::string> variants = {"baseline", "share-all", "share-mlp", "prune-heads", "share-mlp+prune", "sinusoidal"};
};

// One variant, trained once per seed.
struct Variant {
    std::string name;
    std::vector<fs::path> models;            // best checkpoint per seed
    std::vector<ClassificationScore> tests;  // per seed
    double accuracy() const {
        double sum = 0;
        for (const ClassificationScore& t : tests)
            sum += t.accuracy;
        return tests.empty() ? 0.0 : sum / static_cast<double>(tests.size());
    }
    // Correct and scored clips over all seeds (the pooled interval).
    std::pair<double, std::size_t> pooled() const {
        double correct = 0;
        std::size_t n = 0;
        for (const ClassificationScore& t : tests) {
            correct += t.accuracy * static_cast<double>(t.examples);
            n += t.examples;
        }
        return {correct, n};
    }
};

// What a pruning variant does to the model it starts from.
struct PruneSpec {
    int keepBlocks = 0;  // 0: all
    double keepHeads = 1;
    int rounds = 1;
    int epochs = 0;  // per round
    double lr = 5e-4;
};

TrainOptions recipe(const Args& a, const fs::path& cache) {
    TrainOptions o = trainRecipe("from-scratch");
    o.preset = a.preset;
    if (a.epochs > 0)
        o.epochs = a.epochs;
    o.cache_dir = cache;
    o.baseline = false;
    return o;
}

fs::path runFolder(const Args& a, const std::string& name, std::size_t k) {
    const fs::path dir = a.work / a.benchmark / name;
    return a.seeds.size() > 1 ? dir / ("seed" + std::to_string(a.seeds[k])) : dir;
}

// A variant is its best checkpoint (chosen on validation clips), scored on the test clips as
// train() scores them. (train()'s own test score is the last epoch's model's.)
ClassificationScore testScore(const fs::path& best, const Dataset& ds, const DatasetSplit& split, const TrainOptions& o) {
    return scoreModel(loadModel(best).model, ds, split.test, o.feature_preset, o.cache_dir);
}

// The run's best model and its score when --reuse finds one.
std::optional<std::pair<fs::path, ClassificationScore>> reused(const Args& a, const Dataset& ds, const DatasetSplit& split,
                                                               const fs::path& run, const TrainOptions& o) {
    const fs::path best = RunPaths(run).bestModel();
    if (!a.reuse || !fs::exists(best))
        return std::nullopt;
    return std::make_pair(best, testScore(best, ds, split, o));
}

void report(const char* what, const std::string& name, std::size_t k, const Args& a, const ClassificationScore& test,
            const std::string& detail) {
    std::printf("  %s %-17s seed %llu: %.2f%%%s\n", what, name.c_str(), static_cast<unsigned long long>(a.seeds[k]),
                100 * test.accuracy, detail.c_str());
    std::fflush(stdout);
}

Variant trainVariant(const Args& a, const Dataset& ds, const DatasetSplit& split, const std::string& name,
                     TrainOptions o) {
    Variant v{name, {}, {}};
    for (std::size_t k = 0; k < a.seeds.size(); ++k) {
        o.seed = a.seeds[k];
        const fs::path run = runFolder(a, name, k);
        if (const auto old = reused(a, ds, split, run, o)) {
            v.models.push_back(old->first);
            v.tests.push_back(old->second);
            report("reused ", name, k, a, old->second, "");
            continue;
        }
        fs::remove_all(run);
        const TrainResult r = train(ds, split, o, run);
        v.models.push_back(r.best_checkpoint);
        v.tests.push_back(testScore(r.best_checkpoint, ds, split, o));
        report("trained", name, k, a, v.tests.back(), " in " + formatDuration(r.seconds));
    }
    return v;
}

Variant pruneVariant(const Args& a, const Dataset& ds, const DatasetSplit& split, const std::string& name,
                     const Variant& from, const fs::path& cache, const PruneSpec& spec) {
    Variant v{name, {}, {}};
    for (std::size_t k = 0; k < a.seeds.size(); ++k) {
        PruneOptions p;
        p.keep_blocks = spec.keepBlocks;
        p.keep_heads = spec.keepHeads;
        p.rounds = spec.rounds;
        p.fine_tune = recipe(a, cache);
        p.fine_tune.epochs = spec.epochs;
        p.fine_tune.lr = spec.lr;
        p.fine_tune.seed = a.seeds[k];
        const fs::path run = runFolder(a, name, k);
        if (const auto old = reused(a, ds, split, run, p.fine_tune)) {
            v.models.push_back(old->first);
            v.tests.push_back(old->second);
            report("reused ", name, k, a, old->second, "");
            continue;
        }
        fs::remove_all(run);
        const PruneResult r = pruneAndFineTune(from.models[k], ds, split, p, run);
        double seconds = 0;
        for (const PruneRound& round : r.rounds)
            seconds += round.trained.seconds;
        v.models.push_back(r.model);
        v.tests.push_back(testScore(r.model, ds, split, p.fine_tune));
        report("pruned ", name, k, a, v.tests.back(),
               " (" + std::to_string(r.blocks_after) + " of " + std::to_string(r.blocks_before) + " blocks, " +
                   std::to_string(r.heads_after) + " of " + std::to_string(r.heads_before) + " heads) in " +
                   formatDuration(seconds));
    }
    return v;
}

}  // namespace

int main(int argc, char** argv) {
    selectBlasKernels(argv);
    Args a;
    bench::readArgs(argc, argv, kUsage, [&](const std::string& arg, const std::function<std::string()>& value) {
        if (arg == "--benchmark")
            a.benchmark = value();
        else if (arg == "--work")
            a.work = value();
        else if (arg == "--fsdd")
            a.fsdd = value();
        else if (arg == "--epochs")
            a.epochs = std::stoi(value());
        else if (arg == "--prune_epochs")
            a.pruneEpochs = std::stoi(value());
        else if (arg == "--rounds")
            a.rounds = std::stoi(value());
        else if (arg == "--keep_heads")
            a.keepHeads = std::stod(value());
        else if (arg == "--seeds") {
            a.seeds.clear();
            for (const std::string& seed : bench::listOf(value()))
                a.seeds.push_back(std::stoull(seed));
        } else if (arg == "--reuse")
            a.reuse = true;
        else if (arg == "--drop_epochs")
            a.dropEpochs = std::stoi(value());
        else if (arg == "--passt_s")
            a.passtS = true;
        else if (arg == "--repeats")
            a.repeats = std::stoi(value());
        else if (arg == "--variants")
            a.variants = bench::listOf(value());
        else if (arg == "--preset")
            a.preset = value();
        else if (arg == "--plot")
            a.plot = value();
        else
            return false;
        return true;
    });
    try {
        // One thread per pool for everything: the latencies compare the models, not the scheduler.
        configureThreads({.torch_threads = 1, .blas_threads = 1});
        if (a.passtS) {
            const PaSSTModel full(passtPreset("passt-s"));
            HeadSelection keep = allHeads(full.options());
            for (auto& row : keep)
                for (std::size_t h = row.size() / 2; h < row.size(); ++h)
                    row[h] = false;
            const PaSSTModel half = pruneHeads(full, keep);
            ProfileOptions po;
            po.backward = false;
            po.repeats = a.repeats;
            std::printf("bench_optimise --passt_s: one 10 s window (998 frames, 1190 tokens), batch 1, torch 1 thread, "
                        "BLAS 1 thread, median of %d\n",
                        a.repeats);
            std::printf("%-22s %12s %12s %14s %14s\n", "", "parameters", "MACs", "forward ms", "inference ms");
            double ms0 = 0, p0 = 0;
            for (const auto& [name, model] : {std::pair<const char*, const PaSSTModel*>{"all 12 heads", &full},
                                              {"6 of 12 heads", &half}}) {
                const ModelProfile p = profileModel(*model, po);
                const auto params = static_cast<double>(model->parameterCount());
                std::printf("%-22s %12.0f %12.4g %14.1f %14.1f", name, params, p.macs(), p.forward_ms, p.inference_ms);
                if (ms0 > 0)
                    std::printf("   parameters %+.1f%%, inference time %+.1f%%", 100 * (params - p0) / p0,
                                100 * (p.inference_ms - ms0) / ms0);
                std::printf("\n");
                std::fflush(stdout);
                ms0 = ms0 > 0 ? ms0 : p.inference_ms;
                p0 = p0 > 0 ? p0 : params;
            }
            return 0;
        }
        fs::path data;
        if (a.benchmark == "synth-words") {
            data = a.work / "synth-words-data";
            if (!fs::exists(data / "classes.txt") && !fs::exists(data / "labels.csv"))
                makeSynthWords(data);
        } else if (a.benchmark == "fsdd-standard") {
            if (!fs::exists(a.fsdd / "labels.csv")) {
                std::printf("bench_optimise: FSDD not found at %s; nothing to measure\n", a.fsdd.c_str());
                return 0;
            }
            data = a.fsdd;
        } else {
            std::fprintf(stderr, "unknown benchmark %s\n%s", a.benchmark.c_str(), kUsage);
            return 2;
        }
        const Dataset ds = readDataset(data);
        const DatasetSplit split = splitByDataset(ds);
        const fs::path cache = a.work / a.benchmark / "cache";
        const TrainOptions base = recipe(a, cache);
        const int dropEpochs = a.dropEpochs > 0 ? a.dropEpochs : base.epochs;
        std::string seeds;
        for (std::uint64_t seed : a.seeds)
            seeds += (seeds.empty() ? "" : ",") + std::to_string(seed);
        std::printf("bench_optimise: %s, %s from scratch (%d epochs), pruning to %.0f%% of the heads in %d "
                    "rounds of %d epochs, blocks dropped then fine-tuned %d epochs; torch 1 thread, BLAS 1 thread; "
                    "seeds %s\n",
                    a.benchmark.c_str(), a.preset.c_str(), base.epochs, 100 * a.keepHeads, a.rounds, a.pruneEpochs,
                    dropEpochs, seeds.c_str());
        std::fflush(stdout);
        std::vector<Variant> done;
        std::optional<Variant> baseline, shareMlp;
        const int depth = passtPreset(a.preset).depth;
        auto wanted = [&](const std::string& prefix) {
            for (const std::string& v : a.variants)
                if (v.rfind(prefix, 0) == 0)
                    return true;
            return false;
        };
        if (wanted("baseline") || wanted("prune-heads") || wanted("drop-blocks")) {
            baseline = trainVariant(a, ds, split, "baseline", base);
            done.push_back(*baseline);
        }
        if (a.variants.count("share-all")) {
            TrainOptions o = base;
            o.sharing = "all";
            done.push_back(trainVariant(a, ds, split, "share-all", o));
        }
        if (a.variants.count("share-mlp") || a.variants.count("share-mlp+prune")) {
            TrainOptions o = base;
            o.sharing = "mlp";
            shareMlp = trainVariant(a, ds, split, "share-mlp", o);
            done.push_back(*shareMlp);
        }
        if (a.variants.count("sinusoidal")) {
            TrainOptions o = base;
            o.positional_encoding = "sinusoidal";
            done.push_back(trainVariant(a, ds, split, "sinusoidal", o));
        }
        if (a.variants.count("shallow")) {
            TrainOptions o = base;
            o.depth = std::max(1, depth / 2);
            done.push_back(trainVariant(a, ds, split, "shallow", o));
        }
        const PruneSpec heads{0, a.keepHeads, a.rounds, a.pruneEpochs};
        if (a.variants.count("prune-heads"))
            done.push_back(pruneVariant(a, ds, split, "prune-heads", *baseline, cache, heads));
        for (const std::string& v : a.variants)
            if (v.rfind("prune-heads@", 0) == 0)
                done.push_back(pruneVariant(a, ds, split, v, *baseline, cache,
                                            {0, std::stod(v.substr(std::string("prune-heads@").size())), a.rounds,
                                             a.pruneEpochs}));
        if (a.variants.count("share-mlp+prune"))
            done.push_back(pruneVariant(a, ds, split, "share-mlp+prune", *shareMlp, cache, heads));
        if (a.variants.count("drop-blocks"))
            // As long as the shallow model trains, at its learning rate: does starting from the deep
            // model's first blocks beat starting from scratch?
            done.push_back(pruneVariant(a, ds, split, "drop-blocks", *baseline, cache,
                                        {std::max(1, depth / 2), 1.0, 1, dropEpochs, base.lr}));
        if (a.variants.count("drop-blocks+prune"))
            done.push_back(pruneVariant(a, ds, split, "drop-blocks+prune", *baseline, cache,
                                        {std::max(1, depth / 2), a.keepHeads, a.rounds, a.pruneEpochs}));

        std::printf("\n%-17s %11s %8s %11s %8s %12s %8s  %-24s %9s\n", "variant", "parameters", "change", "MACs", "change",
                    "ms/window", "change", "test accuracy [95%]", "points");
        double params0 = 0, macs0 = 0, ms0 = 0, acc0 = 0;
        std::vector<bench::SweepPoint> points;
        ProfileOptions po;
        po.backward = false;
        po.repeats = 41;
        // Three rounds over the models, the fastest median of each kept: timed once, the model
        // measured first came out up to 45% slower than in a later round.
        std::vector<double> fastest(done.size(), 1e300);
        for (int round = 0; round < 3; ++round)
            for (std::size_t i = 0; i < done.size(); ++i)
                fastest[i] = std::min(fastest[i], profileModel(loadModel(done[i].models.front()).model, po).inference_ms);
        for (std::size_t i = 0; i < done.size(); ++i) {
            const Variant& v = done[i];
            const PaSSTModel model = loadModel(v.models.front()).model;
            const double ms = fastest[i];
            const auto params = static_cast<double>(model.parameterCount());
            const double macs = forwardCost(model.options(), model.options().input_frames).macs();
            const auto [correct, n] = v.pooled();
            const auto [lo, hi] = wilsonInterval(correct, n);
            if (v.name == "baseline") {
                params0 = params;
                macs0 = macs;
                ms0 = ms;
                acc0 = v.accuracy();
            }
            auto change = [](double x, double x0) { return x0 > 0 ? 100 * (x - x0) / x0 : 0.0; };
            char accuracy[64];
            std::snprintf(accuracy, sizeof accuracy, "%.2f%% [%.1f, %.1f]", 100 * v.accuracy(), 100 * lo, 100 * hi);
            std::printf("%-17s %11.0f %+7.1f%% %11.4g %+7.1f%% %12.3f %+7.1f%%  %-24s %+9.2f\n", v.name.c_str(), params,
                        change(params, params0), macs, change(macs, macs0), ms, change(ms, ms0), accuracy,
                        100 * (v.accuracy() - acc0));
            if (v.tests.size() > 1) {
                std::string each;
                for (const ClassificationScore& t : v.tests) {
                    char one[16];
                    std::snprintf(one, sizeof one, "%.2f%%", 100 * t.accuracy);
                    each += (each.empty() ? "" : " / ") + std::string(one);
                }
                std::printf("%17s per seed: %s\n", "", each.c_str());
            }
            points.push_back({v.name, params, ms, v.accuracy(), lo, hi});
        }
        // The target of issue #17, judged against the baseline of this run.
        std::string met;
        for (const bench::SweepPoint& p : points)
            if (params0 > 0 && p.parameters <= 0.6 * params0 && p.ms <= 0.7 * ms0 && p.accuracy >= acc0 - 0.01)
                met += (met.empty() ? "" : ", ") + p.name;
        std::printf("\ntarget (>= 40%% fewer parameters, >= 30%% less time, <= 1 point lost): %s\n",
                    met.empty() ? "not met by any variant" : ("met by " + met).c_str());
        if (!a.plot.empty()) {
            bench::plotSweep(a.plot, points, a.benchmark + ", " + a.preset + ": test accuracy against parameters");
            std::printf("plot: %s\n", a.plot.c_str());
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_optimise: %s\n", exceptionMessage(e).c_str());
        return 1;
    }
    return 0;
}
