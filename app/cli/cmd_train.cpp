// `patchout train`: trains or fine-tunes a PaSST model on a dataset into a run folder. Every option
// of TrainOptions is a flag (same name) and can come from a JSON config (--config); flags given on
// the command line win over the config. Data parallel: `--nproc N` starts N processes of this
// program on 127.0.0.1; a launcher that sets MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE (and
// LOCAL_RANK) runs it across machines.
#include "commands.h"
#include "progress_bar.h"

#include "patchout/error.h"
#include "patchout/system_info.h"
#include "patchout/trainer.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace patchout::cli {
namespace {

struct TrainArgs {
    std::string dataset;
    std::string format = "auto";
    std::string out;
    std::string config;
    std::string split = "auto";
    int nproc = 1;
    bool quiet = false;
    TrainOptions cli;  // values of the flags; only the flags given are applied
    std::vector<std::pair<CLI::Option*, std::function<void(TrainOptions&, const TrainOptions&)>>> fields;
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

TrainOptions resolveOptions(const TrainArgs& a) {
    TrainOptions o;
    if (!a.config.empty()) {
        std::ifstream in(a.config);
        if (!in)
            throw Error(ErrorCode::FileNotFound, "cannot open the train config", a.config);
        std::ostringstream text;
        text << in.rdbuf();
        try {
            o = trainOptionsFromJson(text.str(), o);
        } catch (const Error& e) {
            throw Error(e.code(), e.message(), a.config);
        }
    }
    for (const auto& [option, apply] : a.fields)
        if (option->count() > 0)
            apply(o, a.cli);
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
        if (code != 0 && worst == 0) {
            worst = code;
            for (pid_t p : pids)
                if (p != done)
                    ::kill(p, SIGTERM);
        }
    }
    return worst;
}

void runTrain(const TrainArgs& a) {
    if (a.nproc > 1 && std::getenv("RANK") == nullptr) {
        const TrainOptions o = resolveOptions(a);
        const int code = launchLocal(a.nproc, o.master_port);
        if (code != 0)
            throw Error(ErrorCode::Io, "a training process failed (exit " + std::to_string(code) + ")");
        return;
    }
    TrainOptions o = resolveOptions(a);
    if (o.world_size > 1) {
        // The ranks share this machine's cores: one BLAS thread each.
        configureThreads({.torch_threads = 1,
                          .blas_threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) /
                                                          o.world_size)});
    }
    if (a.dataset.empty())
        throw Error(ErrorCode::InvalidArgument, "--dataset is required");
    if (a.out.empty())
        throw Error(ErrorCode::InvalidArgument, "--out (the run folder) is required");
    DatasetReadOptions ro;
    ro.format = parseDatasetFormat(a.format);
    const Dataset ds = readDataset(a.dataset, ro);
    const DatasetSplit split = trainSplit(ds, a.split, o.seed);
    const bool root = o.rank == 0;
    if (root)
        std::cout << "Dataset: " << fs::absolute(ds.root).string() << " (" << ds.classes.size()
                  << " classes; split " << split.name << ": " << split.train.size() << " train, "
                  << split.validation.size() << " validation, " << split.test.size() << " test)\n"
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
    if (r.best_epoch > 0)
        std::printf("Best validation accuracy: %.2f%% (epoch %d)\n", 100.0 * r.best_validation_accuracy,
                    r.best_epoch);
    if (r.test.examples > 0)
        std::printf("Test accuracy: %.2f%% on %zu clips (loss %.4f)\n", 100.0 * r.test.accuracy,
                    r.test.examples, r.test.loss);
    if (!r.finished)
        std::printf("Stopped at step %lld: continue with --resume\n", static_cast<long long>(r.steps));
    std::printf("Checkpoints: %s, %s\n", fs::absolute(r.last_checkpoint).string().c_str(),
                fs::absolute(r.best_checkpoint).string().c_str());
}

template <class T>
void field(CLI::App* cmd, TrainArgs& a, const std::string& flag, T TrainOptions::*member,
           const std::string& help) {
    CLI::Option* opt = cmd->add_option("--" + flag, a.cli.*member, help)->capture_default_str();
    a.fields.emplace_back(opt, [member](TrainOptions& d, const TrainOptions& s) { d.*member = s.*member; });
}

template <class T>
void augmentField(CLI::App* cmd, TrainArgs& a, const std::string& flag, T AugmentOptions::*member,
                  const std::string& help) {
    CLI::Option* opt = cmd->add_option("--" + flag, a.cli.augment.*member, help)->capture_default_str();
    a.fields.emplace_back(opt, [member](TrainOptions& d, const TrainOptions& s) {
        d.augment.*member = s.augment.*member;
    });
}

}  // namespace

void addTrainCommand(CLI::App& app) {
    static TrainArgs a;
    auto* cmd = app.add_subcommand(
        "train", "Train or fine-tune a PaSST model on a dataset into a run folder");
    cmd->add_option("--dataset,-d", a.dataset, "Dataset folder (any layout `dataset info` reads)");
    cmd->add_option("--format", a.format, "Dataset layout")->capture_default_str();
    cmd->add_option("--out,-o", a.out, "Run folder (config.json, metrics.jsonl, checkpoints/)");
    cmd->add_option("--config", a.config, "JSON file with TrainOptions fields (flags win)");
    cmd->add_option("--split", a.split, "auto | own (the dataset's) | group (by speaker)")
        ->capture_default_str();
    cmd->add_option("--nproc", a.nproc, "Data-parallel processes on this machine (Gloo)")
        ->capture_default_str();
    cmd->add_flag("--quiet", a.quiet, "No progress bar");
    auto* resume = cmd->add_flag("--resume", a.cli.resume, "Continue the run folder's saved state");
    a.fields.emplace_back(resume, [](TrainOptions& d, const TrainOptions& s) { d.resume = s.resume; });
    field(cmd, a, "preset", &TrainOptions::preset, "Model preset (passt-mini, passt-micro, passt-s, tiny)");
    field(cmd, a, "init_checkpoint", &TrainOptions::init_checkpoint,
          "Fine-tune from a model file or an official PaSST checkpoint (new head if needed)");
    field(cmd, a, "num_heads", &TrainOptions::num_heads, "Heads of an imported checkpoint (0: width/64)");
    field(cmd, a, "freeze_blocks", &TrainOptions::freeze_blocks, "Keep the first k blocks fixed");
    field(cmd, a, "extra_train", &TrainOptions::extra_train,
          "More training data: dataset folders whose every clip joins the training split "
          "(classes matched by name; repeat for several)");
    field(cmd, a, "feature_preset", &TrainOptions::feature_preset, "Feature preset");
    field(cmd, a, "drop_path_rate", &TrainOptions::drop_path_rate, "Stochastic depth");
    field(cmd, a, "epochs", &TrainOptions::epochs, "Epochs");
    field(cmd, a, "batch_size", &TrainOptions::batch_size, "Examples per batch (per process)");
    field(cmd, a, "accumulate_steps", &TrainOptions::accumulate_steps, "Batches per optimiser step");
    field(cmd, a, "lr", &TrainOptions::lr, "Peak learning rate (AdamW)");
    field(cmd, a, "weight_decay", &TrainOptions::weight_decay, "AdamW weight decay");
    field(cmd, a, "warmup_steps", &TrainOptions::warmup_steps, "Warm-up steps (-1: one epoch)");
    field(cmd, a, "schedule", &TrainOptions::schedule, "cosine | linear | constant");
    field(cmd, a, "min_lr", &TrainOptions::min_lr, "Learning rate at the end of the decay");
    field(cmd, a, "clip_grad_norm", &TrainOptions::clip_grad_norm, "Gradient clipping (0: off)");
    field(cmd, a, "loss", &TrainOptions::loss, "auto | ce | bce");
    field(cmd, a, "balanced", &TrainOptions::balanced, "Class-balanced sampling");
    field(cmd, a, "frames", &TrainOptions::frames, "Crop/pad length (0: the model's)");
    field(cmd, a, "seed", &TrainOptions::seed, "Seed of everything random");
    field(cmd, a, "cache_dir", &TrainOptions::cache_dir, "Feature cache (default <run>/cache)");
    field(cmd, a, "log_every_steps", &TrainOptions::log_every_steps, "metrics.jsonl line every N steps");
    field(cmd, a, "checkpoint_every_steps", &TrainOptions::checkpoint_every_steps,
          "Also save the resumable state every N steps");
    field(cmd, a, "max_steps", &TrainOptions::max_steps, "Stop after N steps (resumable)");
    field(cmd, a, "eval_batch_size", &TrainOptions::eval_batch_size, "Batch size when scoring");
    field(cmd, a, "master_port", &TrainOptions::master_port, "Rendezvous port (distributed)");
    field(cmd, a, "timeout_s", &TrainOptions::timeout_s, "Seconds to wait for a peer process");
    augmentField(cmd, a, "mixup_alpha", &AugmentOptions::mixup_alpha, "Mixup Beta(a, a); 0: off");
    augmentField(cmd, a, "mixup_prob", &AugmentOptions::mixup_prob, "Fraction of steps mixed");
    augmentField(cmd, a, "waveform_mixup_alpha", &AugmentOptions::waveform_mixup_alpha,
                 "Mixup of the audio before its features, Beta(a, a); 0: off");
    augmentField(cmd, a, "waveform_mixup_prob", &AugmentOptions::waveform_mixup_prob,
                 "Fraction of clips mixed on the waveform");
    augmentField(cmd, a, "roll_frames", &AugmentOptions::roll_frames, "Random roll (frames)");
    augmentField(cmd, a, "gain_db", &AugmentOptions::gain_db, "Random gain (+- dB)");
    augmentField(cmd, a, "time_masks", &AugmentOptions::time_masks, "SpecAugment time masks");
    augmentField(cmd, a, "time_mask_frames", &AugmentOptions::time_mask_frames, "Width of each");
    augmentField(cmd, a, "freq_masks", &AugmentOptions::freq_masks, "SpecAugment frequency masks");
    augmentField(cmd, a, "freq_mask_bins", &AugmentOptions::freq_mask_bins, "Width of each");
    augmentField(cmd, a, "freq_shift_bins", &AugmentOptions::freq_shift_bins,
                 "Random shift along frequency (+- bins)");
    auto patchoutField = [&](const std::string& flag, int PatchoutOptions::*member) {
        CLI::Option* opt = cmd->add_option("--" + flag, a.cli.patchout.*member,
                                           "Patchout override (implies override_patchout)");
        a.fields.emplace_back(opt, [member](TrainOptions& d, const TrainOptions& s) {
            d.patchout.*member = s.patchout.*member;
            d.override_patchout = true;
        });
    };
    patchoutField("s_patchout_t", &PatchoutOptions::s_patchout_t);
    patchoutField("s_patchout_f", &PatchoutOptions::s_patchout_f);
    patchoutField("u_patchout", &PatchoutOptions::u_patchout);
    cmd->callback([] { runTrain(a); });
}

}  // namespace patchout::cli
