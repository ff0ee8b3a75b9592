#include "patchout/pretrain.h"

#include "data/portable_random.h"
#include "model/bf16_autocast.h"
#include "model/passt_module.h"
#include "train/optimizer.h"
#include "patchout/audio_file.h"
#include "patchout/batch_loader.h"
#include "patchout/checkpoint.h"
#include "patchout/error.h"
#include "patchout/feature_cache.h"
#include "patchout/files.h"
#include "patchout/run_folder.h"
#include "patchout/system_info.h"
#include "patchout/trainer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <numeric>
#include <optional>
#include <set>

namespace fs = std::filesystem;

namespace patchout {
namespace {

using json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

[[noreturn]] void bad(const std::string& message) {
    throw Error(ErrorCode::InvalidArgument, message, "PretrainOptions");
}

// The decoder of the masked autoencoder: the encoder's kept patch tokens projected to its width,
// a learned mask token at every hidden position, fixed 2-D sin/cos positions on the whole grid,
// a few transformer blocks, and a linear read-out of each patch's patch_size x patch_size values.
struct MaskedDecoderImpl : torch::nn::Module {
    MaskedDecoderImpl(const PaSSTOptions& encoder, const PretrainOptions& o, int freq, int time)
        : freq_patches(freq), time_patches(time) {
        PaSSTOptions d = encoder;
        d.embed_dim = o.decoder_dim;
        d.num_heads = o.decoder_heads;
        d.drop_rate = d.attn_drop_rate = d.drop_path_rate = 0;
        d.block_heads.clear();
        embed = register_module("embed", torch::nn::Linear(encoder.embed_dim, o.decoder_dim));
        mask_token = register_parameter("mask_token", torch::randn({1, 1, o.decoder_dim}) * 0.02);
        blocks = register_module("blocks", torch::nn::ModuleList());
        for (int i = 0; i < o.decoder_depth; ++i) {
            block_list.push_back(Block(d, 0.0));
            blocks->push_back(block_list.back());
        }
        norm = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.decoder_dim}).eps(1e-6)));
        const int patchValues = encoder.patch_size * encoder.patch_size * encoder.in_chans;
        predict = register_module("predict", torch::nn::Linear(o.decoder_dim, patchValues));
        auto [f, t] = sinusoidalPositions(o.decoder_dim, freq, time);
        // [1, D, F, 1] + [1, D, 1, T] -> [1, F*T, D], frequency-major like the encoder's tokens.
        positions = register_buffer("positions", (f + t).flatten(2).transpose(1, 2).contiguous());
    }

    // kept [B, K, E]: the encoder's outputs of the kept patches, in the order of `index` [B, K]
    // (flat grid positions). Returns the predicted patches [B, F*T, patch values].
    torch::Tensor forward(const torch::Tensor& kept, const torch::Tensor& index) {
        const auto batch = kept.size(0);
        const auto cells = static_cast<std::int64_t>(freq_patches) * time_patches;
        auto x = embed->forward(kept);
        auto grid = mask_token.to(x.scalar_type()).expand({batch, cells, x.size(2)});  // bf16 under autocast
        grid = grid.scatter(1, index.unsqueeze(2).expand({-1, -1, x.size(2)}), x) + positions;
        for (auto& block : block_list)
            grid = block->forward(grid);
        return predict->forward(norm->forward(grid));
    }

    int freq_patches, time_patches;
    torch::nn::Linear embed{nullptr}, predict{nullptr};
    torch::Tensor mask_token, positions;
    torch::nn::ModuleList blocks{nullptr};
    std::vector<Block> block_list;
    torch::nn::LayerNorm norm{nullptr};
};
TORCH_MODULE(MaskedDecoder);

// Every patch of x [B, 1, n_mels, T] as the convolution sees it, [B, F*T', patch values]
// (frequency-major), each normalised to zero mean and unit variance: the reconstruction targets.
torch::Tensor normalisedPatches(const torch::Tensor& x, const PaSSTOptions& o) {
    namespace F = torch::nn::functional;
    auto patches = F::unfold(x, F::UnfoldFuncOptions({o.patch_size, o.patch_size}).stride({o.stride_f, o.stride_t}))
                       .transpose(1, 2);
    const auto mean = patches.mean(-1, true);
    const auto var = patches.var(-1, false, true);
    return (patches - mean) / (var + 1e-6).sqrt();
}

// The flat grid indices of each example's kept patches [B, K] and a [B, F*T] float mask that is
// 1 on the hidden ones.
std::pair<torch::Tensor, torch::Tensor> maskTensors(const PatchoutMask& mask, std::int64_t batch) {
    const auto kept = static_cast<std::int64_t>(mask.kept.front().size());
    torch::Tensor index = torch::empty({batch, kept}, torch::kLong);
    auto* out = index.data_ptr<std::int64_t>();
    for (std::int64_t b = 0; b < batch; ++b) {
        const auto& k = mask.kept.at(mask.per_sample ? static_cast<std::size_t>(b) : 0);
        std::copy(k.begin(), k.end(), out + b * kept);
    }
    torch::Tensor hidden = torch::ones({batch, static_cast<std::int64_t>(mask.freq_patches) * mask.time_patches});
    hidden.scatter_(1, index, 0.0);
    return {index, hidden};
}

std::unique_ptr<torch::optim::AdamW> makeOptimizer(PaSSTImpl& encoder, torch::nn::Module& decoder,
                                                    const PretrainOptions& o,
                                                    std::vector<torch::Tensor>& trainable) {
    std::vector<std::pair<std::string, torch::Tensor>> all = encoder.uniqueParameters();
    for (auto& item : decoder.named_parameters())
        all.emplace_back(item.key(), item.value());
    return makeAdamW(all, {.lr = o.lr, .weight_decay = o.weight_decay}, trainable);
}

void appendLine(const fs::path& file, const json& j) {
    std::ofstream out(file, std::ios::app);
    out << j.dump() << "\n";
    out.flush();
    if (!out)
        throw Error(ErrorCode::Io, "cannot append to the metrics log", file.string());
}

// Audio files under `root`, recursively and sorted, that libsndfile can open (the others are
// counted in *unreadable).
std::vector<fs::path> readableAudioUnder(const fs::path& root, std::size_t* unreadable) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied))
        if (entry.is_regular_file() && isAudioExtension(entry.path()))
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    std::vector<fs::path> readable;
    for (const fs::path& f : files) {
        try {
            if (probeAudio(f).frames > 0) {
                readable.push_back(f);
                continue;
            }
        } catch (const Error&) {
        }
        ++*unreadable;
    }
    return readable;
}

}  // namespace

void PretrainOptions::validate() const {
    if (!(mask_ratio > 0 && mask_ratio < 1))
        bad("mask_ratio must lie strictly between 0 and 1");
    if (decoder_dim < 1 || decoder_heads < 1 || decoder_dim % decoder_heads != 0)
        bad("decoder_dim must be a positive multiple of decoder_heads");
    if (decoder_depth < 0)
        bad("decoder_depth must not be negative");
    if (epochs < 1)
        bad("epochs must be at least 1");
    if (batch_size < 1)
        bad("batch_size must be at least 1");
    if (!(lr > 0) || min_lr < 0 || min_lr > lr)
        bad("lr must be positive and min_lr in [0, lr]");
    if (weight_decay < 0)
        bad("weight_decay must not be negative");
    if (frames < 0)
        bad("frames must not be negative");
    resolvePrecision(precision);   // throws for an unknown name
    passtPreset(preset);           // throws for an unknown name
    featurePreset(feature_preset);
}

Dataset unlabelledAudio(const std::vector<fs::path>& folders, bool include_test, std::vector<std::string>* notes) {
    Dataset out;
    out.root = "/";
    auto note = [&](const std::string& line) {
        if (notes)
            notes->push_back(line);
    };
    for (const fs::path& folder : folders) {
        if (!fs::is_directory(folder))
            throw Error(ErrorCode::FileNotFound, "no such folder", folder.string());
        const fs::path root = fs::absolute(folder).lexically_normal();
        std::optional<Dataset> dataset;
        try {
            dataset = readDataset(root, {.skip_bad_rows = true});
        } catch (const Error&) {
            // Not a dataset: every audio file below it.
        }
        std::size_t taken = 0, leftOut = 0;
        auto take = [&](const fs::path& file, const std::string& group) {
            Clip clip;
            clip.path = file.lexically_normal().generic_string();
            clip.group = group;
            out.clips.push_back(std::move(clip));
            ++taken;
        };
        std::set<std::string> testFiles;  // a folder layout's test/ clips
        if (dataset && dataset->format != DatasetFormat::Folder) {
            for (const Clip& c : dataset->clips) {
                if (c.split == kSplitTest && !include_test)
                    ++leftOut;
                else
                    take(dataset->clipPath(c), c.group);
            }
            std::string line = folder.string() + ": " + std::to_string(taken) + " clips of a " +
                               datasetFormatName(dataset->format) + " dataset";
            if (leftOut > 0)
                line += ", its " + std::to_string(leftOut) + " test clips left out";
            if (dataset->skipped_rows > 0)
                line += ", " + std::to_string(dataset->skipped_rows) + " bad rows skipped";
            note(line);
            continue;
        }
        if (dataset && !include_test)
            for (const Clip& c : dataset->clips)
                if (c.split == kSplitTest)
                    testFiles.insert(dataset->clipPath(c).lexically_normal().generic_string());
        // Every audio file below the folder, also those a folder layout does not list.
        std::size_t unreadable = 0;
        for (const fs::path& file : readableAudioUnder(root, &unreadable)) {
            if (testFiles.count(file.lexically_normal().generic_string()) > 0)
                ++leftOut;
            else
                take(file, "");
        }
        note(folder.string() + ": " + std::to_string(taken) + " audio files" +
             (leftOut > 0 ? ", " + std::to_string(leftOut) + " of its test split left out" : "") +
             (unreadable > 0 ? ", " + std::to_string(unreadable) + " unreadable ones skipped" : ""));
    }
    if (out.clips.empty())
        throw Error(ErrorCode::Dataset, "no audio to pretrain on in the folders given",
                    folders.empty() ? std::string() : folders.front().string());
    return out;
}

Dataset unlabelledSplitAudio(const Dataset& dataset, const DatasetSplit& split, const std::vector<fs::path>& more,
                             std::vector<std::string>* notes) {
    Dataset out;
    out.root = "/";
    for (const std::vector<std::size_t>* part : {&split.train, &split.validation})
        for (std::size_t i : *part) {
            Clip clip;
            clip.path = fs::absolute(dataset.clipPath(i)).lexically_normal().generic_string();
            clip.group = dataset.clips.at(i).group;
            out.clips.push_back(std::move(clip));
        }
    if (notes)
        notes->push_back(dataset.root.string() + ": " + std::to_string(out.clips.size()) +
                         " training and validation clips of split " + split.name + ", its " +
                         std::to_string(split.test.size()) + " test clips left out");
    if (!more.empty()) {
        const Dataset extra = unlabelledAudio(more, false, notes);
        out.clips.insert(out.clips.end(), extra.clips.begin(), extra.clips.end());
    }
    if (out.clips.empty())
        throw Error(ErrorCode::Dataset, "the split has no training clips to pretrain on", dataset.root.string());
    return out;
}

PretrainResult pretrain(const Dataset& dataset, const std::vector<std::size_t>& indices,
                        const PretrainOptions& o, const fs::path& run, const JobControl* job) {
    o.validate();
    const auto t0 = Clock::now();
    const RunPaths paths(run);
    const FeatureOptions features = featurePreset(o.feature_preset);
    PaSSTOptions po = passtPreset(o.preset);
    if (features.numBins() != po.n_mels)
        throw Error(ErrorCode::Model,
                    "feature preset " + o.feature_preset + " gives " + std::to_string(features.numBins()) +
                        " bins, the model takes " + std::to_string(po.n_mels),
                    run.string());
    const int frames = o.frames > 0 ? o.frames : po.input_frames;
    if (po.timePatches(frames) > po.timePositions())
        bad("frames " + std::to_string(frames) + " exceed the model's " + std::to_string(po.input_frames));
    const int freq = po.freqPatches(), time = po.timePatches(frames);
    const int cells = freq * time;
    const int hide = std::clamp(static_cast<int>(std::lround(o.mask_ratio * cells)), 1, cells - 1);

    const bool bf16 = resolvePrecision(o.precision) == "bf16";
    const PrecisionThreads threads(bf16);
    torch::manual_seed(o.seed);
    PaSSTModel model(po, o.seed);
    PaSSTImpl& encoder = *model.module();
    MaskedDecoder decoder(po, o, freq, time);
    std::vector<torch::Tensor> trainable;
    auto optimizer = makeOptimizer(encoder, *decoder, o, trainable);

    fs::create_directories(paths.checkpoints());
    FeatureCache cache(o.cache_dir.empty() ? paths.cache() : o.cache_dir, features);
    BatchLoaderOptions lo;
    lo.batch_size = o.batch_size;
    lo.frames = frames;
    lo.drop_last = true;  // every step sees a full batch
    lo.seed = o.seed;
    BatchLoader loader(dataset, indices, cache, lo);
    const auto batches = static_cast<std::int64_t>(loader.batchesPerEpoch());
    if (batches < 1)
        throw Error(ErrorCode::Dataset,
                    std::to_string(indices.size()) + " clips do not fill one batch of " +
                        std::to_string(o.batch_size),
                    run.string());
    const std::int64_t total = batches * o.epochs;
    TrainOptions schedule;  // the learning-rate schedule of train(): warm-up one epoch, cosine
    schedule.lr = o.lr;
    schedule.min_lr = o.min_lr;
    schedule.schedule = "cosine";

    PretrainResult result;
    result.run_dir = run;
    result.checkpoint = paths.lastModel();
    result.clips = indices.size();
    result.parameters = model.parameterCount();
    const json config = {{"pretrain",
                          {{"preset", o.preset},
                           {"feature_preset", o.feature_preset},
                           {"mask_ratio", o.mask_ratio},
                           {"decoder_dim", o.decoder_dim},
                           {"decoder_depth", o.decoder_depth},
                           {"decoder_heads", o.decoder_heads},
                           {"epochs", o.epochs},
                           {"batch_size", o.batch_size},
                           {"lr", o.lr},
                           {"min_lr", o.min_lr},
                           {"weight_decay", o.weight_decay},
                           {"frames", frames},
                           {"seed", o.seed},
                           {"precision", o.precision}}},
                         {"clips", indices.size()},
                         {"patches", cells},
                         {"hidden_patches", hide},
                         {"model", json::parse(passtOptionsToJson(po))},
                         {"parameters", result.parameters}};
    writeTextAtomically(run / "pretrain.json", config.dump(2) + "\n");
    writeTextAtomically(paths.metrics(), "");

    const PatchoutOptions masking{.u_patchout = hide, .per_sample = true};
    const int prefix = po.distilled ? 2 : 1;
    std::int64_t step = 0, examplesSoFar = 0;
    for (int epoch = 0; epoch < o.epochs; ++epoch) {
        const auto epochT0 = Clock::now();
        loader.startEpoch(epoch);
        encoder.train();
        decoder->train();
        double lossSum = 0;
        std::int64_t examples = 0;
        while (std::optional<Batch> b = loader.next()) {
            const std::uint64_t stepSeed = data::mixSeed(o.seed, static_cast<std::uint64_t>(step));
            torch::manual_seed(stepSeed);
            const torch::Tensor x =
                torch::from_blob(b->features.data(), {b->size, 1, b->n_bins, b->frames}, torch::kFloat32).clone();
            const PatchoutMask mask = drawPatchoutMask(masking, freq, time, stepSeed, b->size);
            auto [index, hidden] = maskTensors(mask, b->size);
            // The encoder sees only the kept patches, as patchout feeds it.
            torch::Tensor predicted;
            {
                Bf16Autocast autocast(bf16);  // the loss and the optimiser stay fp32
                torch::Tensor tokens = encoder.tokens(x, &mask, nullptr);
                for (auto& block : encoder.block_list)
                    tokens = block->forward(tokens);
                tokens = encoder.norm->forward(tokens).slice(1, prefix);
                predicted = decoder->forward(tokens, index).to(torch::kFloat32);
            }
            const torch::Tensor error = (predicted - normalisedPatches(x, po)).pow(2).mean(-1);
            const torch::Tensor loss = (error * hidden).sum() / hidden.sum();
            loss.backward();
            const double l = loss.item<double>();
            if (!std::isfinite(l))
                throw Error(ErrorCode::Model, "the reconstruction loss became " + std::to_string(l) + " (lower lr)",
                            run.string());
            torch::nn::utils::clip_grad_norm_(trainable, 5.0);
            const double lr = learningRateAt(schedule, step, total, batches);
            for (auto& group : optimizer->param_groups())
                static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
            optimizer->step();
            optimizer->zero_grad();
            ++step;
            lossSum += l * b->size;
            examples += b->size;
            examplesSoFar += b->size;
            if (job) {
                const double elapsed = secondsSince(t0);
                Progress p;
                p.step = step;
                p.total = total;
                p.message = "pretraining, epoch " + std::to_string(epoch + 1) + "/" + std::to_string(o.epochs);
                p.metrics = {{metric::kLoss, lossSum / static_cast<double>(examples)},
                             {metric::kLearningRate, lr},
                             {metric::kExamplesPerSecond, static_cast<double>(examplesSoFar) / std::max(elapsed, 1e-9)},
                             {metric::kEpoch, static_cast<double>(epoch + 1)},
                             {metric::kEtaSeconds, elapsed / static_cast<double>(step) * static_cast<double>(total - step)}};
                job->report(p);
                if (job->cancelled())
                    throw Error(ErrorCode::Cancelled,
                                epoch == 0 ? "pretraining cancelled in its first epoch: no model saved"
                                           : "pretraining cancelled; the model of epoch " + std::to_string(epoch) +
                                                 " is kept",
                                run.string());
            }
        }
        PretrainEpoch record{epoch + 1, step, lossSum / static_cast<double>(std::max<std::int64_t>(examples, 1)),
                             secondsSince(epochT0)};
        result.epochs.push_back(record);
        appendLine(paths.metrics(), {{"type", "epoch"},
                                     {"epoch", record.epoch},
                                     {"step", record.step},
                                     {"train_loss", record.loss},
                                     {"seconds", record.seconds}});
        encoder.eval();
        saveModel(paths.lastModel(), model, {},
                  {{"trainer", "patchout pretrain"},
                   {"epoch", std::to_string(record.epoch)},
                   {"step", std::to_string(step)},
                   {"reconstruction_loss", std::to_string(record.loss)}});
        if (job) {
            Progress p;
            p.event = ProgressEvent::EpochEnd;
            p.step = step;
            p.total = total;
            p.message = "epoch " + std::to_string(epoch + 1) + " done";
            p.metrics = {{metric::kTrainLoss, record.loss}, {metric::kEpoch, static_cast<double>(epoch + 1)}};
            job->report(p);
        }
    }
    result.steps = step;
    result.seconds = secondsSince(t0);
    return result;
}

PretrainResult pretrainBeforeTraining(const Dataset& dataset, const DatasetSplit& split, const TrainOptions& training,
                                      int epochs, const std::vector<fs::path>& more, const fs::path& pretrain_dir,
                                      const JobControl* job) {
    const DatasetSplit carved =
        carveValidation(dataset, split, {.fraction = training.validation_fraction, .seed = training.seed});
    const Dataset audio = unlabelledSplitAudio(dataset, carved, more);
    std::vector<std::size_t> all(audio.clips.size());
    std::iota(all.begin(), all.end(), std::size_t{0});
    PretrainOptions o;
    o.preset = training.preset;
    o.feature_preset = training.feature_preset;
    o.epochs = epochs;
    o.batch_size = training.batch_size;
    o.seed = training.seed;
    o.cache_dir = training.cache_dir;
    o.precision = training.precision;
    return pretrain(audio, all, o, pretrain_dir, job);
}

}  // namespace patchout
