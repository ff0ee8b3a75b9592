// `patchout prune CKPT --dataset DIR --out RUN [--keep_blocks N] [--keep_heads 0.5] [--rounds 2]`:
// structured pruning as a job (core prune.h): the top blocks dropped, then head importance on the
// training clips, prune, fine-tune, repeat; before and after side by side (parameters, multiply-accumulates, measured latency of one window, test accuracy).
#include "commands.h"
#include "output.h"
#include "progress_bar.h"

#include "patchout/checkpoint.h"
#include "patchout/error.h"
#include "patchout/profiler.h"
#include "patchout/prune.h"
#include "patchout/recipes.h"
#include "patchout/run_folder.h"
#include "patchout/text.h"

#include <cstdio>
#include <filesystem>
#include <iostream>

namespace fs = std::filesystem;

namespace patchout::cli {
namespace {

struct PruneArgs {
    std::string checkpoint, dataset, out, recipe = "from-scratch", split = "auto";
    int epochs = 10;
    double lr = 5e-4;
    bool quiet = false;
    bool skipBadRows = false;
    PruneOptions options;
};

double windowMs(const PaSSTModel& model) {
    ProfileOptions p;
    p.backward = false;
    p.repeats = 15;
    return profileModel(model, p).inference_ms;
}

void runPrune(PruneArgs& a) {
    Dataset ds;
    bool skipBadRows = a.skipBadRows;
    if (a.dataset.empty()) {  // the model's run's, read as that run read it
        const RunPaths run = RunPaths::ofCheckpoint(a.checkpoint);
        if (run.empty())
            throw Error(ErrorCode::InvalidArgument, "--dataset is required for a model outside a run folder");
        ds = readRunDataset(readRunFolder(run.dir));
        skipBadRows = readRunOptions(run.dir).skip_bad_rows;
    } else {
        ds = readDataset(a.dataset, {.skip_bad_rows = skipBadRows});
    }
    const int rowsCode = reportLeftOutRows(ds);
    TrainOptions t = trainRecipe(a.recipe);
    t.skip_bad_rows = skipBadRows;
    t.epochs = a.epochs;
    t.lr = a.lr;
    t.seed = a.options.fine_tune.seed;
    t.cache_dir = a.options.fine_tune.cache_dir;
    a.options.fine_tune = t;
    const DatasetSplit split = trainSplit(ds, a.split, t.seed);
    const PaSSTModel before = loadModel(a.checkpoint).model;
    ProgressBar bar("prune", !a.quiet);
    JobControl job([&](const Progress& p) { bar.update(p); });
    const PruneResult r = pruneAndFineTune(a.checkpoint, ds, split, a.options, a.out, &job);
    bar.finish();
    const PaSSTModel after = loadModel(r.model).model;
    // The starting model on the same test clips, scored as train() scores them.
    const ClassificationScore start = scoreModel(before, ds, split.test, t.feature_preset,
                                                 t.cache_dir.empty() ? RunPaths(a.out).cache() : t.cache_dir);
    const TrainResult& last = r.rounds.back().trained;
    const double msBefore = windowMs(before), msAfter = windowMs(after);
    for (const PruneRound& round : r.rounds)
        std::printf("round %d: %d heads, %lld parameters; fine-tuned %d epochs, test accuracy %.2f%% (%s)\n", round.round,
                    round.heads, static_cast<long long>(round.parameters), round.trained.epochs_done,
                    100 * round.trained.test.accuracy, round.run_dir.c_str());
    const double macsBefore = forwardCost(before.options(), before.options().input_frames).macs();
    const double macsAfter = forwardCost(after.options(), after.options().input_frames).macs();
    std::printf("%-22s %14s %14s %10s\n", "", "before", "after", "change");
    std::printf("%-22s %14d %14d %+9.1f%%\n", "blocks", r.blocks_before, r.blocks_after,
                100.0 * (r.blocks_after - r.blocks_before) / r.blocks_before);
    std::printf("%-22s %14d %14d %+9.1f%%\n", "heads", r.heads_before, r.heads_after,
                100.0 * (r.heads_after - r.heads_before) / r.heads_before);
    std::printf("%-22s %14lld %14lld %+9.1f%%\n", "parameters", static_cast<long long>(r.parameters_before),
                static_cast<long long>(r.parameters_after),
                100.0 * static_cast<double>(r.parameters_after - r.parameters_before) / static_cast<double>(r.parameters_before));
    std::printf("%-22s %14.4g %14.4g %+9.1f%%\n", "MACs per window", macsBefore, macsAfter,
                100.0 * (macsAfter - macsBefore) / macsBefore);
    std::printf("%-22s %14.3f %14.3f %+9.1f%%\n", "ms per window", msBefore, msAfter,
                100.0 * (msAfter - msBefore) / msBefore);
    std::printf("%-22s %13.2f%% %13.2f%% %+9.2f points (on %zu test clips)\n", "test accuracy", 100 * start.accuracy,
                100 * last.test.accuracy, 100 * (last.test.accuracy - start.accuracy), last.test.examples);
    printFloor(last);
    std::printf("Pruned model: %s (rounds in %s)\n", fs::absolute(r.model).c_str(), (fs::absolute(a.out) / "prune.json").c_str());
    if (rowsCode != 0)
        throw CLI::RuntimeError(rowsCode);
}

}  // namespace

void addPruneCommand(CLI::App& app) {
    static PruneArgs a;
    auto* cmd = app.add_subcommand(
        "prune", "Prune blocks and attention heads: drop the top blocks (--keep_blocks), then head importance on the "
                 "training clips (Michel et al. 2019), prune the least important, fine-tune, repeat; before and after "
                 "side by side");
    cmd->add_option("checkpoint", a.checkpoint, "Model file trained on the dataset (.safetensors)")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--dataset,-d", a.dataset, "Dataset folder (default: the model's run's)");
    cmd->add_flag("--skip_bad_rows", a.skipBadRows, std::string(kSkipBadRowsHelp) + " (default: as the model's run)");
    cmd->add_option("--out,-o", a.out, "New run folder (the last round's training; prune.json; rounds/)")->required();
    cmd->add_option("--keep_blocks", a.options.keep_blocks,
                    "Blocks kept, the first ones (0: all); the top ones are dropped before any head")
        ->capture_default_str();
    cmd->add_option("--keep_heads", a.options.keep_heads, "Share of the kept blocks' heads left at the end (1: none pruned)")
        ->capture_default_str();
    cmd->add_option("--target_params", a.options.target_parameters,
                    "Instead of --keep_heads: prune until the parameters are this share of the model's (e.g. 0.9)");
    cmd->add_option("--target_latency", a.options.target_latency,
                    "Instead of --keep_heads: prune until one window's predicted time is this share (profiled here)");
    cmd->add_option("--rounds", a.options.rounds, "Prune and fine-tune this many times")->capture_default_str();
    cmd->add_option("--importance_batches", a.options.importance_batches,
                    "Batches of training clips for the importance (0: all)")
        ->capture_default_str();
    cmd->add_option("--recipe", a.recipe, "Fine-tuning recipe (from-scratch, fine-tune)")->capture_default_str();
    cmd->add_option("--epochs", a.epochs, "Fine-tuning epochs per round")->capture_default_str();
    cmd->add_option("--lr", a.lr, "Fine-tuning peak learning rate")->capture_default_str();
    cmd->add_option("--split", a.split, "auto | own | group (as train)")->capture_default_str();
    cmd->add_option("--seed", a.options.fine_tune.seed, "Seed (split, fine-tuning)")->capture_default_str();
    cmd->add_option("--cache_dir", a.options.fine_tune.cache_dir, "Feature cache (default RUN/cache)");
    cmd->add_flag("--quiet", a.quiet, "No progress bar");
    cmd->callback([] { runPrune(a); });
}

}  // namespace patchout::cli
