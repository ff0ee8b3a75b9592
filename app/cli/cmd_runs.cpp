// patchout runs: several runs side by side (core run_comparison.h), as the Train view's "Runs
// side by side" tab shows them: a line per run, the settings in which they differ, and their
// curves together as CSV or SVG.
#include "commands.h"

#include "patchout/error.h"
#include "patchout/run_comparison.h"
#include "patchout/run_folder.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

namespace patchout::cli {
namespace {

namespace fs = std::filesystem;

struct RunsArgs {
    std::vector<std::string> paths;
    std::string csv, svg;
};

void runRuns(const RunsArgs& a) {
    std::vector<fs::path> paths(a.paths.begin(), a.paths.end());
    const std::vector<fs::path> dirs = findRuns(paths);
    std::vector<RunFolder> runs;
    for (const fs::path& d : dirs)
        runs.push_back(readRunFolder(d));
    std::size_t width = 3;
    for (const RunFolder& r : runs)
        width = std::max(width, runLabel(r).size());
    std::printf("%-*s %8s %22s %12s %10s %10s\n", static_cast<int>(width), "run", "epochs", "best validation acc",
                "train loss", "ex/s", "time");
    for (const RunFolder& r : runs) {
        const auto& epochs = r.curves.epochs;
        const TrainingCurves::Epoch* best = r.curves.bestEpoch();
        double seconds = 0, speed = 0;
        for (const auto& e : epochs)
            seconds += e.seconds;
        for (const auto& s : r.curves.steps)
            speed += s.examples_per_s;
        speed = r.curves.steps.empty() ? NAN : speed / static_cast<double>(r.curves.steps.size());
        char epochText[32], bestText[40], lossText[24], speedText[24], timeText[24];
        std::snprintf(epochText, sizeof epochText, "%zu/%d", epochs.size(), r.planned_epochs);
        if (best != nullptr)
            std::snprintf(bestText, sizeof bestText, "%.2f%% (epoch %d)", 100 * best->validation_accuracy, best->epoch);
        else
            std::snprintf(bestText, sizeof bestText, "-");
        std::snprintf(lossText, sizeof lossText, epochs.empty() ? "-" : "%.4f", epochs.empty() ? 0.0 : epochs.back().train_loss);
        std::snprintf(speedText, sizeof speedText, std::isfinite(speed) ? "%.0f" : "-", speed);
        std::snprintf(timeText, sizeof timeText, "%.0f s", seconds);
        std::printf("%-*s %8s %22s %12s %10s %10s\n", static_cast<int>(width), runLabel(r).c_str(), epochText, bestText,
                    lossText, speedText, timeText);
    }
    if (runs.size() > 1) {
        const std::vector<OptionDifference> diff = differingOptions(dirs);
        if (diff.empty())
            std::printf("\nThe runs have the same settings.\n");
        else {
            std::printf("\nSettings that differ:\n");
            for (const OptionDifference& d : diff) {
                std::printf("  %s:", d.name.c_str());
                for (std::size_t i = 0; i < d.values.size(); ++i)
                    std::printf("%s %s=%s", i == 0 ? "" : ",", runLabel(runs[i]).c_str(),
                                d.values[i].empty() ? "(none)" : d.values[i].c_str());
                std::printf("\n");
            }
        }
    }
    if (!a.csv.empty()) {
        writeRunCurvesCsv(a.csv, runs);
        std::printf("Curves: %s\n", a.csv.c_str());
    }
    if (!a.svg.empty()) {
        writeRunCurvesSvg(a.svg, runs);
        std::printf("Picture: %s\n", a.svg.c_str());
    }
}

}  // namespace

void addRunsCommand(CLI::App& app) {
    static RunsArgs a;
    auto* cmd = app.add_subcommand("runs", "Runs side by side: epochs, best validation accuracy, speed, the settings "
                                           "in which they differ, and their curves together (CSV, SVG)");
    cmd->add_option("runs", a.paths, "Run folders, or folders holding runs (every run one level down)")
        ->required()
        ->check(CLI::ExistingDirectory);
    cmd->add_option("--csv", a.csv, "Write every run's curves into this CSV");
    cmd->add_option("--svg", a.svg, "Draw the curves (loss, validation accuracy, learning rate, speed) into this SVG");
    cmd->callback([] { runRuns(a); });
}

}  // namespace patchout::cli
