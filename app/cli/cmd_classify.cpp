// `patchout classify FILE|DIR... --checkpoint CKPT`: windowed batch classification of any number
// of files of any length, with per-window timestamps and clip scores, written as CSV or JSON
// (or a short summary on stdout). A progress bar goes to stderr when it is a terminal. Files that
// cannot be decoded are skipped and listed (output.h, reportSkipped) unless --strict.
#include "commands.h"
#include "output.h"

#include "patchout/classifier.h"
#include "patchout/error.h"
#include "patchout/thresholds.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iomanip>
#include <iostream>

namespace patchout::cli {
namespace {

struct ClassifyArgs {
    std::vector<std::string> inputs;
    std::string checkpoint;
    std::string out;
    std::string thresholds;
    std::string aggregation = "mean";
    std::string cache;
    InferOptions options;
    bool quiet = false;
    bool strict = false;
};

void runClassify(const ClassifyArgs& a) {
    InferOptions options = a.options;
    options.aggregation = aggregationFromName(a.aggregation);
    options.cache_dir = a.cache;
    Classifier classifier = Classifier::fromCheckpoint(a.checkpoint, options);
    // A multi-label model says which classes are present: --thresholds, else its run's
    // thresholds.json (chosen in the Evaluate view), else 0.5 for every class.
    std::vector<double> thresholds;
    if (classifier.activation() == ScoreActivation::Sigmoid) {
        const DecisionThresholds chosen =
            a.thresholds.empty() ? thresholdsForModel(a.checkpoint) : readDecisionThresholds(a.thresholds);
        std::vector<std::string> labels;
        for (int c = 0; c < classifier.numClasses(); ++c)
            labels.push_back(classifier.label(c));
        thresholds = chosen.forLabels(labels);
    } else if (!a.thresholds.empty()) {
        throw Error(ErrorCode::InvalidArgument,
                    "--thresholds is for multi-label models; this one is single-label (its top class decides)",
                    a.checkpoint);
    }
    std::vector<std::filesystem::path> paths(a.inputs.begin(), a.inputs.end());
    const auto files = collectAudioFiles(paths);
    if (files.empty())
        throw Error(ErrorCode::InvalidArgument, "no audio files found under the given paths");

    const bool tty = ::isatty(STDERR_FILENO) == 1 && !a.quiet;
    const auto t0 = std::chrono::steady_clock::now();
    JobControl job([&](const Progress& p) {
        if (!tty)
            return;
        const int width = 30;
        const double frac = p.total > 0 ? static_cast<double>(p.step) / p.total : 0.0;
        const int filled = static_cast<int>(frac * width);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::cerr << "\r[" << std::string(static_cast<std::size_t>(filled), '#')
                  << std::string(static_cast<std::size_t>(width - filled), '.') << "] " << p.step << "/"
                  << p.total << " windows, " << std::fixed << std::setprecision(1)
                  << (s > 0 ? p.step / s : 0.0) << "/s" << std::flush;
    });
    std::vector<FileError> skipped;
    const auto results = classifier.classifyFiles(files, &job, a.strict ? nullptr : &skipped);
    if (tty)
        std::cerr << "\n";
    const auto stats = classifier.stats();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cerr << results.size() << " files, " << stats.windows << " windows in " << stats.batches
              << " batches, " << std::fixed << std::setprecision(2) << seconds << " s ("
              << (options.bf16 ? "bf16" : "fp32") << " on " << computeDeviceName(classifier.device())
              << ", " << activationName(classifier.activation())
              << ")\n";
    // errors.csv beside the results, also when empty: an older list must not outlive a clean rerun.
    const std::filesystem::path errors = a.out.empty() ? std::filesystem::path() : errorsFileFor(a.out);
    if (!errors.empty())
        writeFileErrors(errors, skipped);
    const int code = reportSkipped(skipped, files.size(), errors);
    if (code == kExitNothingWorked)
        throw CLI::RuntimeError(code);  // an older results file stays as it was
    if (!a.out.empty()) {
        writeResults(a.out, results, classifier, thresholds.empty() ? nullptr : &thresholds);
        std::cerr << "wrote " << a.out << "\n";
        if (code != 0)
            throw CLI::RuntimeError(code);
        return;
    }
    for (const auto& clip : results) {
        std::cout << clip.name << " (" << std::fixed << std::setprecision(2) << clip.duration_s << " s, "
                  << clip.windows.size() << " windows):\n";
        for (const auto& [c, score] : clip.top)
            std::cout << "  " << std::setw(4) << c << "  " << std::setprecision(3) << score << "  "
                      << classifier.label(c) << "\n";
        if (!thresholds.empty()) {
            std::cout << "  present:";
            const auto present = presentClasses(clip.scores, thresholds);
            for (const auto& [c, score] : present)
                std::cout << " " << classifier.label(c) << " (" << std::setprecision(2) << score << ")";
            std::cout << (present.empty() ? " none\n" : "\n");
        }
    }
    if (code != 0)
        throw CLI::RuntimeError(code);
}

}  // namespace

void addClassifyCommand(CLI::App& app) {
    static ClassifyArgs a;
    auto* cmd = app.add_subcommand("classify", "Classify audio files of any length by windows");
    cmd->footer(kSkippedFilesHelp);
    cmd->add_option("inputs", a.inputs, "Audio files or folders (searched recursively)")->required();
    cmd->add_option("--checkpoint", a.checkpoint, "Model file (.safetensors)")->required();
    cmd->add_option("--thresholds", a.thresholds,
                    "A multi-label model's decision thresholds (thresholds.json; default: the model's run's, "
                    "else 0.5): the classes present in each clip are written too (kind \"present\")");
    cmd->add_option("--window_s", a.options.window_s, "Window length in seconds (0: the model's)")
        ->capture_default_str();
    cmd->add_option("--hop_s", a.options.hop_s, "Hop between windows in seconds (0: the window)")
        ->capture_default_str();
    cmd->add_option("--batch", a.options.batch_size,
                    "Windows per forward pass (0: 32, or 1 for windows of 512+ tokens such as PaSST-S's)")
        ->capture_default_str();
    cmd->add_option("--workers", a.options.workers,
                    "Forward passes at once, one per core (0: as many as cores; 1: one at a time)")
        ->capture_default_str();
    cmd->add_flag("--bf16", a.options.bf16, "bfloat16 autocast (fast with AVX-512 BF16)");
    addDeviceOption(cmd, a.options.device);
    cmd->add_flag("--pad_with_silence", a.options.pad_with_silence,
                  "Pad short windows with silence, as `train` pads clips (default: mask them)");
    cmd->add_option("--top_k", a.options.top_k, "Classes reported per window and clip")
        ->capture_default_str();
    cmd->add_option("--aggregation", a.aggregation, "Clip score from window scores: mean or max")
        ->capture_default_str();
    cmd->add_option("--patchout_t", a.options.patchout_t,
                    "Time columns dropped per window at inference (faster, less accurate)")
        ->capture_default_str();
    cmd->add_option("--patchout_f", a.options.patchout_f,
                    "Frequency rows dropped per window at inference")
        ->capture_default_str();
    cmd->add_option("--cache", a.cache, "Feature cache folder for short files");
    cmd->add_option("--out", a.out, "Write results.csv or results.json (atomically)");
    cmd->add_flag("--quiet", a.quiet, "No progress bar");
    cmd->add_flag("--strict", a.strict, "Stop at the first file that cannot be decoded (exit code 1)");
    cmd->callback([] { runClassify(a); });
}

}  // namespace patchout::cli
