// `patchout train`: trains or fine-tunes a PaSST model on a dataset into a run folder. Every option
// of TrainOptions is a flag (same name, from the field table visitTrainOptions) and can come from a
// JSON config (--config); a recipe (--recipe) is the base, the config goes over it, flags given on
// the command line win. `--resume` takes everything from the run's config.json (dataset and split
// too); a flag that contradicts it is refused. Data parallel: `--nproc N` starts N processes of this
// program on 127.0.0.1; a launcher that sets MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE (and
// LOCAL_RANK) runs it across machines.
#include "commands.h"
#include "output.h"
#include "progress_bar.h"

#include "patchout/error.h"
#include "patchout/files.h"
#include "patchout/recipes.h"
#include "patchout/run_folder.h"
#include "patchout/system_info.h"
#include "patchout/text.h"
#include "patchout/trainer.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

namespace fs = std::filesystem;

namespace patchout::cli {
namespace {

using json = nlohmann::json;

struct TrainArgs {
    std::string dataset;
    std::string format = "auto";
    std::string out;
    std::string config;
    std::string recipe = "auto";
    std::string split = "auto";
    int nproc = 1;
    bool quiet = false;
    TrainOptions cli;  // values of the flags; only the flags given are applied
    // The flags of TrainOptions' fields: the option and the field's name ("augment.mixup_alpha").
    std::vector<std::pair<CLI::Option*, std::string>> fields;
    CLI::Option* splitOption = nullptr;
};

std::string envOr(const char* name, const std::string& fallback) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

int envInt(const char* name, int fallback) {
    const std::string v = envOr(name, "");
    if (v.empty())
        return fallback;
    try {
        return std::stoi(v);
    } catch (const std::exception&) {
        throw Error(ErrorCode::InvalidArgument, std::string("environment variable ") + name +
                                                    " is not a number: '" + v + "'");
    }
}

// The fields given on the command line applied over `base`; their names are added to `named`.
TrainOptions applyFlags(const TrainArgs& a, const TrainOptions& base, std::vector<std::string>& named) {
    const json values = json::parse(trainOptionsToJson(a.cli));
    json patch = json::object();
    bool patchoutGiven = false, overrideGiven = false;
    for (const auto& [option, name] : a.fields) {
        if (option->count() == 0)
            continue;
        named.push_back(name);
        const auto dot = name.find('.');
        if (dot == std::string::npos) {
            patch[name] = values.at(name);
        } else {
            const std::string group = name.substr(0, dot), field = name.substr(dot + 1);
            patch[group][field] = values.at(group).at(field);
            patchoutGiven = patchoutGiven || group == "patchout";
        }
        overrideGiven = overrideGiven || name == "override_patchout";
    }
    if (patchoutGiven && !overrideGiven) {  // a patchout count given overrides the model's
        patch["override_patchout"] = true;
        named.push_back("override_patchout");
    }
    return trainOptionsFromJson(patch.dump(), base);
}

// --config, then the flags given, over `o`; the fields they name are added to `named`.
TrainOptions layeredOptions(const TrainArgs& a, TrainOptions o, std::vector<std::string>& named) {
    if (!a.config.empty()) {
        const std::string text = readTextFile(a.config);
        try {
            o = trainOptionsFromJson(text, o);
        } catch (const Error& e) {
            throw Error(e.code(), e.message(), a.config);
        }
        // Every field the config names counts as asked for (resume checks them).
        const json given = json::parse(text);  // named: items() refers to it
        for (const auto& [key, value] : given.items()) {
            if (!value.is_object())
                named.push_back(key);
            else
                for (const auto& item : value.items())
                    named.push_back(key + "." + item.key());
        }
    }
    return applyFlags(a, o, named);
}

// The options of this call: recipe, then --config, then flags; with --resume and a saved run, the
// run's config.json instead, with only the flags that may change (resumeTrainOptions). The recipe
// "auto" is the one for what the options start from (defaultRecipeName: fine-tune with a trained
// model to start from, else from-scratch); "none" is TrainOptions' own defaults. `announce` prints the
// recipe chosen.
TrainOptions resolveOptions(const TrainArgs& a, bool announce) {
    std::vector<std::string> named;
    TrainOptions o = layeredOptions(a, TrainOptions{}, named);
    const bool resuming = o.resume && !a.out.empty() && fs::is_regular_file(RunPaths(a.out).config());
    if (resuming) {
        if (a.recipe != "auto")
            throw Error(ErrorCode::InvalidArgument,
                        "--recipe starts a new run; --resume continues the run's own options");
        o = resumeTrainOptions(readRunOptions(a.out), o, named);
    } else if (a.recipe != "none") {
        const std::string recipe = a.recipe == "auto" ? defaultRecipeName(o.init_checkpoint) : a.recipe;
        named.clear();
        o = layeredOptions(a, trainRecipe(recipe), named);
        if (announce && envOr("RANK", "0") == "0")
            std::cout << "Recipe: " << recipe
                      << (a.recipe != "auto"             ? ""
                          : o.init_checkpoint.empty()        ? " (auto: no model to start from)"
                          : recipe == "from-scratch"         ? " (auto: an encoder of patchout pretrain)"
                                                             : " (auto: a model to start from)")
                      << "; --config and flags go over it\n";
    }
    // A launcher's variables (torchrun's names) make this process one rank of a job.
    o.world_size = envInt("WORLD_SIZE", o.world_size);
    o.rank = envInt("RANK", o.rank);
    o.master_addr = envOr("MASTER_ADDR", o.master_addr);
    o.master_port = envInt("MASTER_PORT", o.master_port);
    return o;
}

// --nproc N: this program again, N times, as ranks 0..N-1 of a job on 127.0.0.1. The first one
// to fail ends the others (they would only wait for it until their timeout).
int launchLocal(int nproc, int port) {
    std::vector<std::string> args;
    {
        std::ifstream cmdline("/proc/self/cmdline", std::ios::binary);
        std::string arg;
        while (std::getline(cmdline, arg, '\0'))
            args.push_back(arg);
    }
    std::vector<std::string> childArgs;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--nproc") {
            ++i;
            continue;
        }
        if (args[i].rfind("--nproc=", 0) == 0)
            continue;
        childArgs.push_back(args[i]);
    }
    std::vector<pid_t> pids;
    for (int rank = 0; rank < nproc; ++rank) {
        const pid_t pid = ::fork();
        if (pid < 0)
            throw Error(ErrorCode::Io, "cannot start a training process");
        if (pid == 0) {
            ::setenv("WORLD_SIZE", std::to_string(nproc).c_str(), 1);
            ::setenv("RANK", std::to_string(rank).c_str(), 1);
            ::setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
            ::setenv("MASTER_ADDR", "127.0.0.1", 1);
            ::setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
            std::vector<char*> argv;
            for (auto& s : childArgs)
                argv.push_back(s.data());
            argv.push_back(nullptr);
            ::execv("/proc/self/exe", argv.data());
            ::_exit(127);
        }
        pids.push_back(pid);
    }
    int worst = 0;
    std::size_t running = pids.size();
    while (running > 0) {
        int status = 0;
        const pid_t done = ::wait(&status);
        if (done < 0)
            break;
        --running;
        const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (code == kExitSomeSkipped) {  // finished; some clips or rows were left out
            worst = worst == 0 ? code : worst;
            continue;
        }
        if (code != 0 && (worst == 0 || worst == kExitSomeSkipped)) {
            worst = code;
            const auto rank = std::find(pids.begin(), pids.end(), done) - pids.begin();
            std::cerr << "patchout: training process " << rank << " of " << nproc << " (pid " << done << ") "
                      << (WIFSIGNALED(status) ? "was killed by signal " + std::to_string(WTERMSIG(status))
                                              : "failed with exit code " + std::to_string(code))
                      << "; stopping the others (continue with --resume)\n";
            for (pid_t p : pids)
                if (p != done)
                    ::kill(p, SIGTERM);
        }
    }
    return worst;
}

void runTrain(const TrainArgs& a) {
    if (a.nproc > 1 && std::getenv("RANK") == nullptr) {
        const TrainOptions o = resolveOptions(a, false);  // the ranks say it
        const int code = launchLocal(a.nproc, o.master_port);
        if (code == kExitSomeSkipped)
            throw CLI::RuntimeError(code);
        if (code != 0)
            throw Error(ErrorCode::Io, "a training process failed (exit " + std::to_string(code) + ")");
        return;
    }
    TrainOptions o = resolveOptions(a, true);
    if (o.world_size > 1) {
        // The ranks share this machine's cores: one BLAS thread each.
        configureThreads({.torch_threads = 1,
                          .blas_threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) /
                                                          o.world_size)});
    }
    if (a.out.empty())
        throw Error(ErrorCode::InvalidArgument, "--out (the run folder) is required");
    std::string dataset = a.dataset, splitKind = a.split;
    if (o.resume && fs::is_regular_file(RunPaths(a.out).config())) {
        // The run's dataset and split, unless the same ones are named again.
        const RunFolder run = readRunFolder(a.out);
        if (dataset.empty())
            dataset = run.dataset;
        else if (fs::weakly_canonical(dataset) != fs::weakly_canonical(run.dataset))
            throw Error(ErrorCode::InvalidArgument,
                        "--dataset " + dataset + " contradicts the run's dataset " + run.dataset +
                            " (config.json); leave it out to resume",
                        a.out);
        if (!run.split.empty()) {
            if (a.splitOption->count() > 0 && a.split != "auto" && a.split != run.split)
                throw Error(ErrorCode::InvalidArgument,
                            "--split " + a.split + " contradicts the run's split " + run.split +
                                " (config.json); leave it out to resume",
                            a.out);
            splitKind = run.split;
        }
    }
    if (dataset.empty())
        throw Error(ErrorCode::InvalidArgument, "--dataset is required (except with --resume)");
    DatasetReadOptions ro;
    ro.format = parseDatasetFormat(a.format);
    ro.skip_bad_rows = o.skip_bad_rows;  // config.json's on resume: the same clips again
    const Dataset ds = readDataset(dataset, ro);
    // train() carves the same validation clips; carved here to say so before it starts.
    const DatasetSplit split = carveValidation(ds, trainSplit(ds, splitKind, o.seed),
                                               {.fraction = o.validation_fraction, .seed = o.seed});
    const bool root = o.rank == 0;
    const int rowsCode = root ? reportLeftOutRows(ds) : 0;
    if (root)
        std::cout << "Dataset: " << fs::absolute(ds.root).string() << " (" << ds.classes.size()
                  << " classes; split " << split.name << ": " << split.train.size() << " train, "
                  << split.validation.size() << " validation, " << split.test.size() << " test)\n"
                  << (split.validation_note.empty() ? "" : "Split: " + split.validation_note + "\n")
                  << "Run folder: " << fs::absolute(a.out).string()
                  << (o.world_size > 1 ? " (" + std::to_string(o.world_size) + " processes)" : "")
                  << "\n"
                  << std::flush;
    ProgressBar bar("train", root && !a.quiet);
    JobControl job([&](const Progress& p) { bar.update(p); });
    const TrainResult r = train(ds, split, o, a.out, &job);
    bar.finish();
    if (!root)
        return;
    std::printf("Trained %lld steps (%d epochs) in %s\n", static_cast<long long>(r.steps),
                r.epochs_done, formatDuration(r.seconds).c_str());
    if (r.best_epoch > 0 && r.validation_clips > 0)
        std::printf("Best validation accuracy: %.2f%% (epoch %d)\n", 100.0 * r.best_validation_accuracy,
                    r.best_epoch);
    else if (r.best_epoch > 0)
        std::printf("No validation clips: the best checkpoint is the last epoch's (%d)\n", r.best_epoch);
    if (r.test.examples > 0)
        std::printf("Test accuracy: %.2f%% on %zu clips (loss %.4f)\n", 100.0 * r.test.accuracy,
                    r.test.examples, r.test.loss);
    printFloor(r);
    if (!r.finished)
        std::printf("Stopped at step %lld: continue with --resume\n", static_cast<long long>(r.steps));
    std::printf("Checkpoints: %s, %s\n", fs::absolute(r.last_checkpoint).string().c_str(),
                fs::absolute(r.best_checkpoint).string().c_str());
    std::fflush(stdout);
    if (r.cache_unwritten > 0)
        std::cerr << "patchout: warning: " << r.cache_unwritten
                  << " feature-cache entries could not be written (" << r.cache_unwritten_error
                  << "); the next run computes them again\n";
    // Clips that could not be decoded were skipped (up to --max_bad_clips): exit code 3, as in
    // the batch jobs.
    const int code = reportSkipped(r.skipped_clips, split.train.size() + split.validation.size() + split.test.size(),
                                   r.skipped_clips.empty() ? fs::path() : r.run_dir / "errors.csv");
    if (code != 0 || rowsCode != 0)
        throw CLI::RuntimeError(std::max(code, rowsCode));
}

}  // namespace

// The model beside the classical floor on the same test clips (TrainOptions::baseline).
void printFloor(const TrainResult& r) {
    if (r.floor.examples > 0) {
        const double points = 100.0 * (r.test.accuracy - r.floor.accuracy);
        std::printf("Floor (log-mel statistics + logistic regression): %.2f%% on the same clips; %s "
                    "(%+.1f points; %s)\n",
                    100.0 * r.floor.accuracy,
                    points > 0 ? "the model is above it" : "THE MODEL DOES NOT BEAT IT", points,
                    RunPaths(r.run_dir).baseline().c_str());
    } else if (!r.floor_note.empty()) {
        std::printf("No floor: %s\n", r.floor_note.c_str());
    }
}

void addTrainCommand(CLI::App& app) {
    static TrainArgs a;
    auto* cmd = app.add_subcommand(
        "train", "Train or fine-tune a PaSST model on a dataset into a run folder");
    cmd->add_option("--dataset,-d", a.dataset,
                    "Dataset folder (any layout `dataset info` reads; with --resume: the run's)");
    cmd->add_option("--format", a.format, "Dataset layout")->capture_default_str();
    cmd->add_option("--out,-o", a.out, "Run folder (config.json, metrics.jsonl, checkpoints/)");
    cmd->add_option("--recipe", a.recipe,
                    "Start from a training recipe: from-scratch (passt-micro, lr 1e-3, roll / gain / "
                    "frequency shift), fine-tune (PaSST's: mixup, SpecAugment), auto (fine-tune with "
                    "--init_checkpoint, from-scratch without one or from a `patchout pretrain` encoder) or none (TrainOptions' defaults); the config "
                    "and flags go over it")
        ->capture_default_str();
    cmd->add_option("--config", a.config, "JSON file with TrainOptions fields (flags win)");
    a.splitOption = cmd->add_option("--split", a.split, "auto | own (the dataset's) | group (by speaker)")
                        ->capture_default_str();
    cmd->add_option("--nproc", a.nproc, "Data-parallel processes on this machine (Gloo)")
        ->capture_default_str();
    cmd->add_flag("--quiet", a.quiet, "No progress bar");
    // Every field of TrainOptions, from its table: --NAME (nested fields by their own name).
    visitTrainOptions(a.cli, [cmd](const char* group, const char* name, auto& value, const char* help,
                                   ResumeRule) {
        const std::string full = *group ? std::string(group) + "." + name : std::string(name);
        CLI::Option* option = nullptr;
        if constexpr (std::is_same_v<std::decay_t<decltype(value)>, bool>)  // on by default: --no_NAME
            option = cmd->add_flag((value ? "--" + std::string(name) + ",!--no_" : "--") + std::string(name), value, help);
        else
            option = cmd->add_option("--" + std::string(name), value, help)->capture_default_str();
        a.fields.emplace_back(option, full);
    });
    cmd->callback([] { runTrain(a); });
}

}  // namespace patchout::cli
