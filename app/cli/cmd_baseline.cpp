// `patchout baseline (--run RUN | --dataset DIR --out DIR)`: the classical floor on a dataset split
// (core baseline.h: log-mel statistics + logistic regression, fitted on the training clips), written
// as an eval folder (predictions.csv + report). With --run it uses the run's dataset, split and
// feature cache and writes RUN/baseline, which `patchout eval --run` then compares the model with.
#include "commands.h"
#include "output.h"
#include "progress_bar.h"

#include "patchout/baseline.h"
#include "patchout/error.h"
#include "patchout/evaluate.h"
#include "patchout/run_folder.h"
#include "patchout/run_jobs.h"
#include "patchout/trainer.h"

#include <cstdio>
#include <filesystem>
#include <iostream>

namespace fs = std::filesystem;

namespace patchout::cli {
namespace {

struct BaselineArgs {
    std::string run, dataset, format = "auto", out, split = "test", splitKind = "auto";
    std::uint64_t seed = 0;
    bool unbalanced = false;
    bool quiet = false;
    bool skipBadRows = false;
    BaselineOptions options;
};

void runBaselineCommand(BaselineArgs& a) {
    a.options.balanced = !a.unbalanced;
    ProgressBar bar("baseline", !a.quiet);
    JobControl job([&](const Progress& p) { bar.update(p); });
    BaselineResult r;
    fs::path out;
    int rowsCode = 0;  // dataset rows left out (--skip_bad_rows)
    if (!a.run.empty()) {
        if (!a.dataset.empty() || !a.out.empty())
            throw Error(ErrorCode::InvalidArgument,
                        "--run takes the dataset, its split and the output folder from the run: leave "
                        "out --dataset and --out");
        r = baselineRun(a.run, a.split, a.options, &job);
        out = RunPaths(a.run).baseline();
    } else {
        if (a.dataset.empty() || a.out.empty())
            throw Error(ErrorCode::InvalidArgument, "give --run RUN, or --dataset and --out");
        DatasetReadOptions ro;
        ro.format = parseDatasetFormat(a.format);
        ro.skip_bad_rows = a.skipBadRows;
        const Dataset ds = readDataset(a.dataset, ro);
        rowsCode = reportLeftOutRows(ds);
        out = a.out;
        r = runBaseline(ds, trainSplit(ds, a.splitKind, a.seed), a.split, out, a.options, &job);
    }
    bar.finish();
    if (r.report.multi_label)
        std::printf("Baseline (log-mel statistics + logistic regression) on %zu %s clips: mAP %.4f, "
                    "micro F1 %.4f\n",
                    r.report.n_clips, a.split.c_str(), r.report.ranking.mean_average_precision,
                    r.report.classification.micro.f1);
    else
        std::printf("Baseline (log-mel statistics + logistic regression) on %zu %s clips: accuracy %.4f, "
                    "macro F1 %.4f\n",
                    r.report.n_clips, a.split.c_str(), r.report.accuracy, r.report.classification.macro.f1);
    std::printf("  fitted on %zu training clips (%d evaluations, %.1f s in all); report written to %s\n",
                r.train_clips, r.iterations, r.seconds, out.c_str());
    if (rowsCode != 0)
        throw CLI::RuntimeError(rowsCode);
}

}  // namespace

void addBaselineCommand(CLI::App& app) {
    static BaselineArgs a;
    auto* cmd = app.add_subcommand(
        "baseline", "The classical floor: log-mel statistics + logistic regression on a dataset split, "
                    "written as an eval folder (predictions.csv + report)");
    cmd->add_option("--run", a.run,
                    "A run folder: its dataset, split and feature cache, into RUN/baseline (what "
                    "`patchout eval --run` compares the model with)")
        ->check(CLI::ExistingDirectory);
    cmd->add_option("-d,--dataset", a.dataset, "Dataset folder (any layout `dataset info` reads)");
    cmd->add_option("--format", a.format, "Dataset layout")->capture_default_str();
    cmd->add_flag("--skip_bad_rows", a.skipBadRows, std::string(kSkipBadRowsHelp) + " (--run: as the run was trained)");
    cmd->add_option("--out", a.out, "Folder for predictions.csv and the report");
    cmd->add_option("--split", a.split, "Clips scored: test, validation or all")->capture_default_str();
    cmd->add_option("--split_kind", a.splitKind, "How the dataset is split: auto | own | group (as train)")
        ->capture_default_str();
    cmd->add_option("--seed", a.seed, "Seed of the split (as train's)")->capture_default_str();
    cmd->add_option("--c", a.options.c, "Inverse L2 strength (scikit-learn's C)")->capture_default_str();
    cmd->add_flag("--unbalanced", a.unbalanced, "No class weights (default: balanced)");
    cmd->add_option("--max_iterations", a.options.max_iterations, "L-BFGS iterations")->capture_default_str();
    cmd->add_option("--feature_preset", a.options.feature_preset, "Feature preset")->capture_default_str();
    cmd->add_option("--cache_dir", a.options.cache_dir, "Feature cache (default: none; with --run the run's)");
    cmd->add_flag("--quiet", a.quiet, "No progress bar");
    cmd->callback([] { runBaselineCommand(a); });
}

}  // namespace patchout::cli
