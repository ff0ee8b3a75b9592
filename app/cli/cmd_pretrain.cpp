// `patchout pretrain --data DIR [DIR...] --out RUN`: self-supervised pretraining of an encoder on
// unlabelled audio (core pretrain.h: patchout hides most patches, a light decoder reconstructs
// them). Datasets among the folders give their clips without their test split. The encoder lands
// in RUN/checkpoints/last.safetensors, for `patchout train --init_checkpoint`.
#include "commands.h"
#include "progress_bar.h"

#include "patchout/error.h"
#include "patchout/pretrain.h"
#include "patchout/run_folder.h"
#include "patchout/text.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <numeric>

namespace fs = std::filesystem;

namespace patchout::cli {
namespace {

struct PretrainArgs {
    std::vector<std::string> data;
    std::string out;
    bool include_test = false;
    bool quiet = false;
    PretrainOptions options;
};

void runPretrain(const PretrainArgs& a) {
    const fs::path out = a.out;
    if (fs::exists(out / "pretrain.json") || isRunFolder(out))
        throw Error(ErrorCode::InvalidArgument,
                    "the folder already holds a run; choose a new folder (nothing was changed)", a.out);
    a.options.validate();
    std::vector<std::string> notes;
    const Dataset audio = unlabelledAudio({a.data.begin(), a.data.end()}, a.include_test, &notes);
    for (const std::string& n : notes)
        std::cout << "Data: " << n << "\n";
    std::cout << "Run folder: " << fs::absolute(out).string() << "\n" << std::flush;
    std::vector<std::size_t> all(audio.clips.size());
    std::iota(all.begin(), all.end(), std::size_t{0});
    ProgressBar bar("pretrain", !a.quiet);
    JobControl job([&](const Progress& p) { bar.update(p); });
    const PretrainResult r = pretrain(audio, all, a.options, out, &job);
    bar.finish();
    std::printf("Pretrained %s (%lld parameters) on %zu clips: reconstruction loss %.4f -> %.4f in %d "
                "epochs, %s\n",
                a.options.preset.c_str(), static_cast<long long>(r.parameters), r.clips,
                r.epochs.front().loss, r.epochs.back().loss, static_cast<int>(r.epochs.size()),
                formatDuration(r.seconds).c_str());
    std::printf("Encoder: %s\nTrain on from it (the from-scratch recipe, as --recipe auto picks for it): patchout "
                "train --dataset DIR --init_checkpoint %s --out RUN\n",
                fs::absolute(r.checkpoint).string().c_str(), fs::absolute(r.checkpoint).string().c_str());
}

}  // namespace

void addPretrainCommand(CLI::App& app) {
    static PretrainArgs a;
    auto* cmd = app.add_subcommand(
        "pretrain", "Self-supervised pretraining on unlabelled audio: patchout hides most patches of each "
                    "clip, a light decoder reconstructs them; then `train --init_checkpoint`");
    cmd->add_option("--data", a.data,
                    "Folders of audio (repeat or list several): a dataset gives its clips without its "
                    "test split, any other folder every audio file under it")
        ->required()
        ->check(CLI::ExistingDirectory);
    cmd->add_option("--out,-o", a.out, "New run folder (pretrain.json, metrics.jsonl, checkpoints/)")->required();
    cmd->add_flag("--include_test", a.include_test,
                  "Also take datasets' test clips (their scores are then no longer about unheard audio)");
    PretrainOptions& o = a.options;
    cmd->add_option("--preset", o.preset, "Model preset of the encoder")->capture_default_str();
    cmd->add_option("--feature_preset", o.feature_preset, "Feature preset (as train's)")->capture_default_str();
    cmd->add_option("--mask_ratio", o.mask_ratio, "Share of each clip's patches hidden from the encoder")
        ->capture_default_str();
    cmd->add_option("--decoder_dim", o.decoder_dim, "Width of the decoder")->capture_default_str();
    cmd->add_option("--decoder_depth", o.decoder_depth, "Blocks of the decoder")->capture_default_str();
    cmd->add_option("--decoder_heads", o.decoder_heads, "Heads of the decoder")->capture_default_str();
    cmd->add_option("--epochs", o.epochs, "Epochs")->capture_default_str();
    cmd->add_option("--batch_size", o.batch_size, "Clips per batch")->capture_default_str();
    cmd->add_option("--lr", o.lr, "Peak learning rate (AdamW; warm-up one epoch, cosine decay)")
        ->capture_default_str();
    cmd->add_option("--min_lr", o.min_lr, "Learning rate at the end")->capture_default_str();
    cmd->add_option("--weight_decay", o.weight_decay, "AdamW weight decay")->capture_default_str();
    cmd->add_option("--frames", o.frames, "Crop length (0: the model's)")->capture_default_str();
    cmd->add_option("--seed", o.seed, "Seed of everything random")->capture_default_str();
    cmd->add_option("--precision", o.precision, "fp32 | bf16 (mixed precision) | auto (bf16 with AVX-512 BF16)")
        ->capture_default_str();
    cmd->add_option("--cache_dir", o.cache_dir, "Feature cache (default RUN/cache; share train's to reuse it)");
    cmd->add_flag("--quiet", a.quiet, "No progress bar");
    cmd->callback([] { runPretrain(a); });
}

}  // namespace patchout::cli
