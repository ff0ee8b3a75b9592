#include "patchout/heads.h"

#include "model/passt_module.h"
#include "patchout/batch_loader.h"
#include "patchout/checkpoint.h"
#include "patchout/error.h"
#include "patchout/feature_cache.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

namespace fs = std::filesystem;

namespace patchout {
namespace {

[[noreturn]] void bad(const std::string& message) { throw Error(ErrorCode::InvalidArgument, message); }

void checkShape(const PaSSTOptions& o, const HeadSelection& keep) {
    if (static_cast<int>(keep.size()) != o.depth)
        bad("the head selection has " + std::to_string(keep.size()) + " blocks, the model " + std::to_string(o.depth));
    for (int b = 0; b < o.depth; ++b)
        if (static_cast<int>(keep[static_cast<std::size_t>(b)].size()) != o.headsOf(b))
            bad("block " + std::to_string(b) + " has " + std::to_string(o.headsOf(b)) + " heads, the selection " +
                std::to_string(keep[static_cast<std::size_t>(b)].size()));
}

// The rows of qkv (q, k and v parts) or columns of proj that belong to the kept heads.
torch::Tensor keptIndex(const std::vector<bool>& keep, int headDim, int parts) {
    std::vector<std::int64_t> index;
    const auto heads = static_cast<std::int64_t>(keep.size());
    for (int part = 0; part < parts; ++part)
        for (std::int64_t h = 0; h < heads; ++h)
            if (keep[static_cast<std::size_t>(h)])
                for (int j = 0; j < headDim; ++j)
                    index.push_back(part * heads * headDim + h * headDim + j);
    return torch::tensor(index, torch::kLong);
}

}  // namespace

void HeadImportanceOptions::validate() const {
    if (batch_size < 1)
        bad("batch_size must be at least 1");
    if (max_batches < 0)
        bad("max_batches must not be negative");
    featurePreset(feature_preset);
}

HeadSelection allHeads(const PaSSTOptions& o) {
    HeadSelection keep;
    for (int b = 0; b < o.depth; ++b)
        keep.emplace_back(static_cast<std::size_t>(o.headsOf(b)), true);
    return keep;
}

HeadScores headImportance(const PaSSTModel& model, const Dataset& dataset, const std::vector<std::size_t>& indices,
                          const HeadImportanceOptions& o, const JobControl* job) {
    o.validate();
    if (indices.empty())
        throw Error(ErrorCode::Dataset, "no clips to measure head importance on", dataset.root.string());
    PaSSTModel handle = model.sharedWeights();
    PaSSTImpl& net = *handle.module();
    const PaSSTOptions& po = net.options();
    const FeatureOptions features = featurePreset(o.feature_preset);
    if (features.numBins() != po.n_mels)
        throw Error(ErrorCode::Model, "feature preset " + o.feature_preset + " gives " +
                                          std::to_string(features.numBins()) + " bins, the model takes " +
                                          std::to_string(po.n_mels));
    if (static_cast<int>(dataset.classes.size()) != po.num_classes)
        throw Error(ErrorCode::Model, "the model has " + std::to_string(po.num_classes) + " classes, the dataset " +
                                          std::to_string(dataset.classes.size()));
    const bool wasTraining = net.is_training();
    std::vector<torch::Tensor> gates;
    struct Restore {  // training mode and gates as they were, also when this throws
        PaSSTImpl& net;
        bool training;
        ~Restore() {
            for (auto& block : net.block_list)
                block->attn->head_gate = torch::Tensor();
            net.train(training);
        }
    } restore{net, wasTraining};
    net.eval();
    for (auto& block : net.block_list) {
        block->attn->head_gate = torch::ones({block->attn->num_heads}, torch::TensorOptions(net.device())).requires_grad_(true);
        gates.push_back(block->attn->head_gate);
    }

    std::optional<FeatureCache> cache;
    const fs::path cacheDir = o.cache_dir.empty() ? fs::temp_directory_path() / "patchout-head-importance" : o.cache_dir;
    cache.emplace(cacheDir, features);
    BatchLoaderOptions lo;
    lo.batch_size = o.batch_size;
    lo.frames = po.input_frames;
    lo.shuffle = o.max_batches > 0;  // a sample of the clips when not all of them
    lo.random_crop = false;
    lo.seed = o.seed;
    BatchLoader loader(dataset, indices, *cache, lo);
    const auto total = static_cast<std::int64_t>(o.max_batches > 0
                                                     ? std::min<std::size_t>(loader.batchesPerEpoch(), o.max_batches)
                                                     : loader.batchesPerEpoch());
    HeadScores sums;
    for (auto& block : net.block_list)
        sums.emplace_back(static_cast<std::size_t>(block->attn->num_heads), 0.0);
    loader.startEpoch(0);
    std::int64_t done = 0;
    while (done < total) {
        std::optional<Batch> b = loader.next();
        if (!b)
            break;
        const torch::Tensor x =
            torch::from_blob(b->features.data(), {b->size, 1, b->n_bins, b->frames}, torch::kFloat32).to(net.device(), false, true);
        const torch::Tensor y =
            torch::from_blob(b->targets.data(), {b->size, b->n_classes}, torch::kFloat32).to(net.device(), false, true);
        const torch::Tensor logits = net.forward(x).first;
        const torch::Tensor loss =
            dataset.multi_label ? torch::binary_cross_entropy_with_logits(logits, y)
                                : -(y / y.sum(1, true).clamp_min(1e-12) * torch::log_softmax(logits, 1)).sum(1).mean();
        const auto grads = torch::autograd::grad({loss}, gates);
        for (std::size_t blk = 0; blk < grads.size(); ++blk) {
            const torch::Tensor g = grads[blk].abs();
            for (std::size_t h = 0; h < sums[blk].size(); ++h)
                sums[blk][h] += g[static_cast<std::int64_t>(h)].item<double>();
        }
        ++done;
        if (job) {
            Progress p;
            p.step = done;
            p.total = total;
            p.message = "head importance";
            job->report(p);
            job->throwIfCancelled();
        }
    }
    for (auto& row : sums) {
        const double norm = std::sqrt(std::inner_product(row.begin(), row.end(), row.begin(), 0.0));
        for (double& v : row)
            v = norm > 0 ? v / norm : 0.0;
    }
    return sums;
}

void setHeadMask(PaSSTModel& model, const HeadSelection& keep) {
    PaSSTImpl& net = *model.module();
    if (keep.empty()) {
        for (auto& block : net.block_list)
            block->attn->head_gate = torch::Tensor();
        return;
    }
    checkShape(net.options(), keep);
    for (std::size_t b = 0; b < keep.size(); ++b) {
        std::vector<float> gate(keep[b].begin(), keep[b].end());
        net.block_list[b]->attn->head_gate = torch::tensor(gate).to(net.device());
    }
}

HeadSelection headsToKeep(const HeadScores& importance, double fraction) {
    if (!(fraction > 0 && fraction <= 1))
        bad("the share of heads to keep must lie in (0, 1]");
    struct Head {
        double score;
        std::size_t block, head;
    };
    std::vector<Head> heads;
    HeadSelection keep;
    for (std::size_t b = 0; b < importance.size(); ++b) {
        keep.emplace_back(importance[b].size(), true);
        for (std::size_t h = 0; h < importance[b].size(); ++h)
            heads.push_back({importance[b][h], b, h});
    }
    const auto target = std::max<std::size_t>(importance.size(), static_cast<std::size_t>(std::lround(fraction * heads.size())));
    std::stable_sort(heads.begin(), heads.end(), [](const Head& a, const Head& b) { return a.score < b.score; });
    std::vector<std::size_t> left(importance.size());
    for (std::size_t b = 0; b < importance.size(); ++b)
        left[b] = importance[b].size();
    std::size_t kept = heads.size();
    for (const Head& h : heads) {
        if (kept <= target)
            break;
        if (left[h.block] <= 1)
            continue;  // every block keeps a head
        keep[h.block][h.head] = false;
        --left[h.block];
        --kept;
    }
    return keep;
}

PaSSTModel pruneHeads(const PaSSTModel& model, const HeadSelection& keep) {
    const PaSSTOptions& from = model.options();
    checkShape(from, keep);
    if (from.sharing == ParameterSharing::All || from.sharing == ParameterSharing::Attention)
        bad("the blocks share their attention: unshare the model (withParameterSharing) before pruning heads");
    PaSSTOptions to = from;
    to.block_heads.clear();
    for (int b = 0; b < from.depth; ++b) {
        const auto& row = keep[static_cast<std::size_t>(b)];
        const auto n = static_cast<int>(std::count(row.begin(), row.end(), true));
        if (n == 0)
            bad("block " + std::to_string(b) + " would keep no head");
        to.block_heads.push_back(n);
    }
    if (!to.pruned())
        to.block_heads.clear();
    PaSSTModel pruned = PaSSTModelAccess::uninitialized(to);
    torch::NoGradGuard noGrad;
    PaSSTImpl& src = *const_cast<PaSSTModel&>(model).module();
    PaSSTImpl& dst = *pruned.module();
    const auto source = src.named_parameters();
    for (auto& item : dst.named_parameters()) {
        const torch::Tensor& s = source[item.key()];
        if (s.sizes() == item.value().sizes())
            item.value().copy_(s);  // q, k, v and the output projections of pruned blocks below
    }
    for (auto& item : dst.named_buffers())
        item.value().copy_(src.named_buffers()[item.key()]);
    const int d = from.headDim();
    for (std::size_t b = 0; b < keep.size(); ++b) {
        AttentionImpl& s = *src.block_list[b]->attn;
        AttentionImpl& t = *dst.block_list[b]->attn;
        const torch::Tensor rows = keptIndex(keep[b], d, 3), cols = keptIndex(keep[b], d, 1);
        t.qkv->weight.copy_(s.qkv->weight.index_select(0, rows));
        if (s.qkv->bias.defined())
            t.qkv->bias.copy_(s.qkv->bias.index_select(0, rows));
        t.proj->weight.copy_(s.proj->weight.index_select(1, cols));
        t.proj->bias.copy_(s.proj->bias);
    }
    pruned.setTraining(model.training());
    return pruned;
}

std::int64_t prunedParameterCount(const PaSSTOptions& o, std::int64_t parameters, const HeadSelection& keep) {
    checkShape(o, keep);
    const std::int64_t perHead = 4LL * o.embed_dim * o.headDim() + (o.qkv_bias ? 3LL * o.headDim() : 0);
    std::int64_t dropped = 0;
    for (const auto& row : keep)
        dropped += static_cast<std::int64_t>(std::count(row.begin(), row.end(), false));
    return parameters - dropped * perHead;
}

double predictedLatencyMs(const ModelProfile& profile, const HeadSelection& keep, int blocks) {
    double parts = 0;
    for (const PartProfile& part : profile.parts) {
        if (blocks >= 0 && part.block >= blocks)
            continue;  // a dropped block
        double scale = 1;
        const bool attention = part.kind == kPartAttentionProjections || part.kind == kPartAttentionScores;
        if (attention && part.block >= 0 && part.block < static_cast<int>(keep.size())) {
            const auto& row = keep[static_cast<std::size_t>(part.block)];
            scale = row.empty() ? 1.0
                                : static_cast<double>(std::count(row.begin(), row.end(), true)) / static_cast<double>(row.size());
        }
        parts += part.forward_ms * scale;
    }
    const double measured = profile.partsForwardMs();
    return measured > 0 ? profile.inference_ms * parts / measured : 0.0;
}

std::string headScoresToJson(const HeadScores& scores) { return nlohmann::json{{"blocks", scores}}.dump(); }

void storeHeadImportance(const fs::path& file, const HeadScores& importance) {
    ModelCheckpoint checkpoint = loadModel(file);
    const PaSSTOptions& o = checkpoint.model.options();
    HeadSelection shape;
    for (const auto& row : importance)
        shape.emplace_back(row.size(), true);
    checkShape(o, shape);
    checkpoint.metadata[kHeadImportanceKey] = headScoresToJson(importance);
    saveModel(file, checkpoint.model, checkpoint.labels, checkpoint.metadata);
}

HeadScores storedHeadImportance(const std::map<std::string, std::string>& metadata) {
    const auto stored = metadata.find(kHeadImportanceKey);
    return stored == metadata.end() ? HeadScores{} : headScoresFromJson(stored->second);
}

HeadScores headScoresFromJson(const std::string& text) {
    try {
        const auto j = nlohmann::json::parse(text);
        return j.at("blocks").get<HeadScores>();
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::BadFormat, std::string("not a head importance file: ") + e.what());
    }
}

}  // namespace patchout
