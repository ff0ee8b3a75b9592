#include "model/passt_module.h"

#include "patchout/error.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/autocast_mode.h>

#include <cmath>
#include <set>
#include <limits>
#include <string>

namespace patchout {
namespace {

torch::Tensor keepSorted(std::int64_t n, std::int64_t keep) {
    return std::get<0>(torch::randperm(n, torch::kLong).slice(0, 0, keep).sort());
}

torch::nn::LayerNorm layerNorm(int dim, double eps) {
    return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(eps));
}

// The reference's trunc_normal_(std=.02) truncates at +-2 absolute, i.e. at 100 standard
// deviations: indistinguishable from a plain normal, which is what this draws.
void initLinear(const torch::nn::Linear& layer, at::Generator& gen) {
    layer->weight.normal_(0.0, 0.02, gen);
    if (layer->bias.defined())
        layer->bias.zero_();
}

void initLayerNorm(const torch::nn::LayerNorm& norm) {
    norm->weight.fill_(1.0);
    norm->bias.zero_();
}

}  // namespace

torch::Tensor structuredPatchout(const torch::Tensor& x, int s_patchout_t, int s_patchout_f) {
    torch::Tensor out = x;
    const std::int64_t freq = x.size(2), time = x.size(3);
    if (s_patchout_t > 0) {
        if (s_patchout_t >= time)
            throw Error(ErrorCode::InvalidArgument,
                        "s_patchout_t " + std::to_string(s_patchout_t) + " would drop all " +
                            std::to_string(time) + " time patches; use longer inputs or less patchout");
        out = out.index_select(3, keepSorted(time, time - s_patchout_t));
    }
    if (s_patchout_f > 0) {
        if (s_patchout_f >= freq)
            throw Error(ErrorCode::InvalidArgument,
                        "s_patchout_f " + std::to_string(s_patchout_f) + " would drop all " +
                            std::to_string(freq) + " frequency patches");
        out = out.index_select(2, keepSorted(freq, freq - s_patchout_f));
    }
    return out;
}

torch::Tensor unstructuredPatchout(const torch::Tensor& x, int u_patchout) {
    if (u_patchout <= 0)
        return x;
    const std::int64_t n = x.size(1);
    if (u_patchout >= n)
        throw Error(ErrorCode::InvalidArgument, "u_patchout " + std::to_string(u_patchout) +
                                                    " would drop all " + std::to_string(n) +
                                                    " patches");
    return x.index_select(1, keepSorted(n, n - u_patchout));
}

torch::Tensor applyPatchoutMask(const torch::Tensor& x, const PatchoutMask& mask) {
    const auto cells = static_cast<std::int64_t>(mask.freq_patches) * mask.time_patches;
    if (x.dim() != 3 || x.size(1) != cells)
        throw Error(ErrorCode::InvalidArgument, "patchout mask for a " + std::to_string(mask.freq_patches) +
                                                    " x " + std::to_string(mask.time_patches) +
                                                    " grid does not fit tokens " + c10::str(x.sizes()));
    const auto batch = x.size(0);
    if (mask.masks() == 1 && !mask.per_sample) {
        auto idx = torch::tensor(mask.kept.front(), torch::kLong).to(x.device());
        return x.index_select(1, idx);
    }
    if (mask.masks() != batch)
        throw Error(ErrorCode::InvalidArgument, "per-sample patchout mask has " + std::to_string(mask.masks()) +
                                                    " masks for a batch of " + std::to_string(batch));
    const auto keep = static_cast<std::int64_t>(mask.kept.front().size());
    std::vector<std::int64_t> flat;
    flat.reserve(static_cast<std::size_t>(batch * keep));
    for (const auto& k : mask.kept) {
        if (static_cast<std::int64_t>(k.size()) != keep)
            throw Error(ErrorCode::InvalidArgument, "per-sample patchout masks keep different counts");
        flat.insert(flat.end(), k.begin(), k.end());
    }
    auto idx = torch::tensor(flat, torch::kLong).to(x.device()).view({batch, keep, 1}).expand({batch, keep, x.size(2)});
    return x.gather(1, idx);
}

std::pair<torch::Tensor, torch::Tensor> sinusoidalPositions(int embed_dim, int freq, int time) {
    // Channel c < E/2 carries sin(p / 10000^(2c/E)), channel E/2 + c the matching cos.
    const std::int64_t half = embed_dim / 2;
    auto inv = torch::exp(torch::arange(half, torch::kDouble) * (-2.0 * std::log(10000.0) / embed_dim));
    auto encode = [&](std::int64_t n) {
        auto angle = torch::arange(n, torch::kDouble).unsqueeze(1) * inv.unsqueeze(0);  // [n, half]
        auto pe = torch::zeros({n, embed_dim}, torch::kDouble);
        pe.slice(1, 0, half).copy_(angle.sin());
        pe.slice(1, half, 2 * half).copy_(angle.cos());
        return pe.to(torch::kFloat32).transpose(0, 1).contiguous();  // [E, n]
    };
    // Halved so that the sum of both stays in the range of one sin/cos.
    return {encode(freq).view({1, embed_dim, freq, 1}) * 0.5, encode(time).view({1, embed_dim, 1, time}) * 0.5};
}

torch::Tensor dropPath(const torch::Tensor& x, double p, bool training) {
    if (!training || p <= 0.0)
        return x;
    std::vector<std::int64_t> shape(static_cast<std::size_t>(x.dim()), 1);
    shape[0] = x.size(0);
    const double keep = 1.0 - p;
    torch::Tensor mask = torch::empty(shape, x.options()).bernoulli_(keep);
    return x * mask / keep;
}

PatchEmbedImpl::PatchEmbedImpl(const PaSSTOptions& o) {
    proj = register_module(
        "proj", torch::nn::Conv2d(torch::nn::Conv2dOptions(o.in_chans, o.embed_dim, o.patch_size)
                                      .stride({o.stride_f, o.stride_t})));
}

torch::Tensor PatchEmbedImpl::forward(const torch::Tensor& x) { return proj->forward(x); }

AttentionImpl::AttentionImpl(const PaSSTOptions& o, int block)
    : num_heads(o.headsOf(block)), head_dim(o.headDim()), scale(1.0 / std::sqrt(static_cast<double>(o.headDim()))) {
    const int inner = num_heads * head_dim;
    qkv = register_module(
        "qkv", torch::nn::Linear(torch::nn::LinearOptions(o.embed_dim, 3 * inner).bias(o.qkv_bias)));
    attn_drop = register_module("attn_drop", torch::nn::Dropout(o.attn_drop_rate));
    proj = register_module("proj", torch::nn::Linear(inner, o.embed_dim));
    proj_drop = register_module("proj_drop", torch::nn::Dropout(o.drop_rate));
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x) { return forward(x, nullptr); }

std::array<torch::Tensor, 3> AttentionImpl::queriesKeysValues(const torch::Tensor& x) {
    // [B, N, 3, H, d] -> [3, B, H, N, d]: q, k, v are chunks of H * d columns each, head-major.
    auto qkvOut = qkv->forward(x).reshape({x.size(0), x.size(1), 3, num_heads, head_dim}).permute({2, 0, 3, 1, 4});
    return {qkvOut[0], qkvOut[1], qkvOut[2]};
}

torch::Tensor AttentionImpl::joinHeads(const torch::Tensor& probabilities, const torch::Tensor& v) {
    auto out = torch::matmul(probabilities, v);  // [B, H, N, d]
    if (head_gate.defined())
        out = out * head_gate.to(out.scalar_type()).view({1, num_heads, 1, 1});
    return out.transpose(1, 2).reshape({v.size(0), v.size(2), num_heads * head_dim});
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, torch::Tensor* attention) {
    auto [q, k, v] = queriesKeysValues(x);
    auto attn = torch::matmul(q, k.transpose(-2, -1)) * scale;
    attn = attn.softmax(-1);
    if (attention)
        *attention = attn;
    return proj_drop->forward(proj->forward(joinHeads(attn_drop->forward(attn), v)));
}

MlpImpl::MlpImpl(const PaSSTOptions& o) {
    fc1 = register_module("fc1", torch::nn::Linear(o.embed_dim, o.mlpHidden()));
    fc2 = register_module("fc2", torch::nn::Linear(o.mlpHidden(), o.embed_dim));
    drop = register_module("drop", torch::nn::Dropout(o.drop_rate));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x) {
    // Exact (erf) GELU: the tanh approximation moves the reference logits by ~8e-4.
    return drop->forward(fc2->forward(drop->forward(torch::gelu(fc1->forward(x)))));
}

BlockImpl::BlockImpl(const PaSSTOptions& o, double dropPathRate, int block) : drop_path(dropPathRate) {
    norm1 = register_module("norm1", layerNorm(o.embed_dim, 1e-6));
    attn = register_module("attn", Attention(o, block));
    norm2 = register_module("norm2", layerNorm(o.embed_dim, 1e-6));
    mlp = register_module("mlp", Mlp(o));
}

torch::Tensor BlockImpl::forward(const torch::Tensor& x) { return forward(x, nullptr); }

torch::Tensor BlockImpl::forward(const torch::Tensor& x, torch::Tensor* attention) {
    if (attention == nullptr && canFuse())
        return fusedForward(x);
    auto y = x + dropPath(attn->forward(norm1->forward(x), attention), drop_path, is_training());
    return y + dropPath(mlp->forward(norm2->forward(y)), drop_path, is_training());
}

bool BlockImpl::canFuse() const {
    return !is_training() && !torch::GradMode::is_enabled() && !at::autocast::is_cpu_enabled() &&
           !attn->head_gate.defined() && attn->num_heads * attn->head_dim == norm1->options.normalized_shape()[0];
}

torch::Tensor BlockImpl::fusedForward(const torch::Tensor& x, const torch::Tensor& padding) {
    const auto& q = attn->qkv;
    const torch::Tensor qkvBias = q->bias.defined() ? q->bias : torch::zeros({q->weight.size(0)}, q->weight.options());
    const auto& n1 = norm1->options;
    return at::_transformer_encoder_layer_fwd(
        x, x.size(2), attn->num_heads, q->weight, qkvBias, attn->proj->weight, attn->proj->bias,
        /*use_gelu=*/true, /*norm_first=*/true, n1.eps(), norm1->weight, norm1->bias, norm2->weight,
        norm2->bias, mlp->fc1->weight, mlp->fc1->bias, mlp->fc2->weight, mlp->fc2->bias,
        padding.defined() ? c10::optional<at::Tensor>(padding) : c10::nullopt,
        padding.defined() ? c10::optional<std::int64_t>(1) : c10::nullopt);  // 1: key padding mask
}

PaSSTImpl::PaSSTImpl(const PaSSTOptions& options) : m_options(options) {
    m_options.validate();
    const auto& o = m_options;
    const int tokens = o.distilled ? 2 : 1;
    // Registration order = the reference's state_dict order (own parameters first).
    cls_token = register_parameter("cls_token", torch::zeros({1, 1, o.embed_dim}));
    if (o.distilled)
        dist_token = register_parameter("dist_token", torch::zeros({1, 1, o.embed_dim}));
    new_pos_embed = register_parameter("new_pos_embed", torch::zeros({1, tokens, o.embed_dim}));
    if (o.positional_encoding == PositionalEncoding::Learned) {
        freq_new_pos_embed = register_parameter("freq_new_pos_embed",
                                                torch::zeros({1, o.embed_dim, o.freqPositions(), 1}));
        time_new_pos_embed = register_parameter("time_new_pos_embed",
                                                torch::zeros({1, o.embed_dim, 1, o.timePositions()}));
    } else if (o.positional_encoding == PositionalEncoding::Sinusoidal) {
        // Buffers: part of the model, never trained, recomputed at construction.
        auto [freq, time] = sinusoidalPositions(o.embed_dim, o.freqPositions(), o.timePositions());
        freq_new_pos_embed = register_buffer("freq_new_pos_embed", freq);
        time_new_pos_embed = register_buffer("time_new_pos_embed", time);
    }
    patch_embed = register_module("patch_embed", PatchEmbed(o));
    pos_drop = register_module("pos_drop", torch::nn::Dropout(o.drop_rate));
    blocks = register_module("blocks", torch::nn::ModuleList());
    for (int i = 0; i < o.depth; ++i) {
        // Stochastic depth grows linearly from 0 to drop_path_rate over the blocks.
        const double rate = o.depth > 1 ? o.drop_path_rate * i / (o.depth - 1) : 0.0;
        block_list.emplace_back(o, rate, i);
        Block& block = block_list.back();
        // Shared parts are the group leader's modules, registered again under this block's names.
        if (const int lead = o.sharedWith(i, ParameterSharing::All); lead != i) {
            const Block& leader = block_list[static_cast<std::size_t>(lead)];
            block->norm1 = block->replace_module("norm1", leader->norm1);
            block->attn = block->replace_module("attn", leader->attn);
            block->norm2 = block->replace_module("norm2", leader->norm2);
            block->mlp = block->replace_module("mlp", leader->mlp);
        } else {
            if (const int a = o.sharedWith(i, ParameterSharing::Attention); a != i)
                block->attn = block->replace_module("attn", block_list[static_cast<std::size_t>(a)]->attn);
            if (const int m = o.sharedWith(i, ParameterSharing::Mlp); m != i)
                block->mlp = block->replace_module("mlp", block_list[static_cast<std::size_t>(m)]->mlp);
        }
        blocks->push_back(block);
    }
    norm = register_module("norm", layerNorm(o.embed_dim, 1e-6));
    head = register_module("head", torch::nn::Sequential(layerNorm(o.embed_dim, 1e-5),
                                                         torch::nn::Linear(o.embed_dim, o.num_classes)));
    if (o.distilled)
        head_dist = register_module("head_dist", torch::nn::Linear(o.embed_dim, o.num_classes));
}

std::vector<std::pair<std::string, torch::Tensor>> PaSSTImpl::uniqueParameters() const {
    std::vector<std::pair<std::string, torch::Tensor>> out;
    std::set<const void*> seen;
    for (const auto& item : named_parameters())
        if (seen.insert(item.value().unsafeGetTensorImpl()).second)
            out.emplace_back(item.key(), item.value());
    return out;
}

std::vector<torch::Tensor> PaSSTImpl::uniqueParameterTensors() const {
    std::vector<torch::Tensor> out;
    for (auto& [name, tensor] : uniqueParameters())
        out.push_back(tensor);
    return out;
}

void PaSSTImpl::setPatchout(const PatchoutOptions& patchout) {
    PaSSTOptions changed = m_options;
    changed.patchout = patchout;
    changed.validate();
    m_options = changed;
}

void PaSSTImpl::initialize(std::uint64_t seed) {
    torch::NoGradGuard noGrad;
    at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    for (auto* t : {&cls_token, &dist_token, &new_pos_embed, &freq_new_pos_embed, &time_new_pos_embed})
        if (t->defined() && t->requires_grad())
            t->normal_(0.0, 0.02, gen);
    // PyTorch's Conv2d default (kaiming_uniform a=sqrt(5)) is U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    auto& conv = patch_embed->proj;
    const double bound = 1.0 / std::sqrt(static_cast<double>(conv->weight[0].numel()));
    conv->weight.uniform_(-bound, bound, gen);
    conv->bias.uniform_(-bound, bound, gen);
    for (auto& block : block_list) {
        initLayerNorm(block->norm1);
        initLayerNorm(block->norm2);
        initLinear(block->attn->qkv, gen);
        initLinear(block->attn->proj, gen);
        initLinear(block->mlp->fc1, gen);
        initLinear(block->mlp->fc2, gen);
    }
    initLayerNorm(norm);
    initLayerNorm(torch::nn::LayerNorm(head->ptr<torch::nn::LayerNormImpl>(0)));
    initializeHead(*this, seed + 1);
}

void initializeHead(PaSSTImpl& model, std::uint64_t seed) {
    torch::NoGradGuard noGrad;
    at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    initLinear(torch::nn::Linear(model.head->ptr<torch::nn::LinearImpl>(1)), gen);
    if (!model.head_dist.is_empty())
        initLinear(model.head_dist, gen);
}

torch::Tensor PaSSTImpl::tokens(const torch::Tensor& input) { return tokens(input, nullptr, nullptr); }

torch::Tensor PaSSTImpl::tokens(const torch::Tensor& input, const PatchoutMask* forced, PatchoutMask* used) {
    const auto& o = m_options;
    if (input.dim() != 4 || input.size(1) != o.in_chans || input.size(2) != o.n_mels)
        throw Error(ErrorCode::InvalidArgument,
                    "PaSST expects input [batch, " + std::to_string(o.in_chans) + ", " +
                        std::to_string(o.n_mels) + ", frames], got " + c10::str(input.sizes()));
    if (input.size(3) < o.patch_size)
        throw Error(ErrorCode::InvalidArgument,
                    "PaSST needs at least " + std::to_string(o.patch_size) + " frames, got " +
                        std::to_string(input.size(3)));
    auto x = patch_embed->forward(input);  // [B, E, F, T']
    const std::int64_t positions = o.timePositions();
    std::int64_t time = x.size(3);
    if (time > positions) {
        if (!o.cut_long_inputs)
            throw Error(ErrorCode::InvalidArgument,
                        std::to_string(input.size(3)) + " frames give " + std::to_string(time) +
                            " time patches, more than the " + std::to_string(positions) +
                            " time positions of this model (" + std::to_string(o.input_frames) +
                            " frames); window long inputs, or set cut_long_inputs to cut them as "
                            "the reference does");
        // Keep the first columns, as the reference does.
        x = x.slice(3, 0, positions);
        time = positions;
    }
    if (time_new_pos_embed.defined()) {
        std::int64_t offset = 0;
        if (is_training() && time < positions)
            offset = torch::randint(positions - time + 1, {1}, torch::kLong).item<std::int64_t>();
        x = x + time_new_pos_embed.slice(3, offset, offset + time);
        x = x + freq_new_pos_embed;
    }
    const auto batch = x.size(0);
    const auto freq = x.size(2);
    x = x.flatten(2).transpose(1, 2);  // token index = f * T' + t
    const bool draw = o.patchout.active() && (is_training() || o.patchout.at_inference);
    if (forced || draw) {
        PatchoutMask drawn;
        if (!forced) {
            // The seed comes from torch's generator so that torch::manual_seed reproduces it.
            const auto seed = torch::randint(std::numeric_limits<std::int64_t>::max(), {1}, torch::kLong)
                                  .item<std::int64_t>();
            drawn = drawPatchoutMask(o.patchout, static_cast<int>(freq), static_cast<int>(time),
                                     static_cast<std::uint64_t>(seed), static_cast<int>(batch));
        }
        const PatchoutMask& mask = forced ? *forced : drawn;
        x = applyPatchoutMask(x, mask);
        if (is_training() || o.patchout.at_inference)
            m_last_mask = mask;  // eval forwards may run concurrently: they leave the member alone
        if (used)
            *used = mask;
    }
    std::vector<torch::Tensor> parts;
    parts.push_back((cls_token + new_pos_embed.slice(1, 0, 1)).expand({batch, -1, -1}));
    if (o.distilled)
        parts.push_back((dist_token + new_pos_embed.slice(1, 1, 2)).expand({batch, -1, -1}));
    parts.push_back(x);
    return pos_drop->forward(torch::cat(parts, 1));
}

torch::Tensor PaSSTImpl::encode(const torch::Tensor& input) { return encode(input, nullptr, nullptr); }

torch::Tensor PaSSTImpl::encode(const torch::Tensor& input, std::vector<torch::Tensor>* blockTokens,
                                std::vector<torch::Tensor>* attentionMaps, PatchoutMask* used) {
    auto x = tokens(input, nullptr, used);
    for (auto& block : block_list) {
        torch::Tensor attention;
        x = block->forward(x, attentionMaps ? &attention : nullptr);
        if (blockTokens)
            blockTokens->push_back(x);
        if (attentionMaps)
            attentionMaps->push_back(attention);
    }
    return norm->forward(x);
}

void PaSSTImpl::resizePositions(int n_mels, int input_frames) {
    PaSSTOptions changed = m_options;
    changed.n_mels = n_mels;
    changed.input_frames = input_frames;
    changed.validate();
    torch::NoGradGuard noGrad;
    if (changed.positional_encoding == PositionalEncoding::Learned) {
        // As the reference adapts ImageNet grids: F.interpolate(mode="bicubic", align_corners=False)
        // on each separable embedding.
        auto resize = [](const torch::Tensor& t, std::int64_t h, std::int64_t w) {
            return torch::nn::functional::interpolate(
                t.detach(), torch::nn::functional::InterpolateFuncOptions()
                                .size(std::vector<std::int64_t>{h, w})
                                .mode(torch::kBicubic)
                                .align_corners(false));
        };
        freq_new_pos_embed.set_data(resize(freq_new_pos_embed, changed.freqPositions(), 1));
        time_new_pos_embed.set_data(resize(time_new_pos_embed, 1, changed.timePositions()));
    } else if (changed.positional_encoding == PositionalEncoding::Sinusoidal) {
        auto [freq, time] = sinusoidalPositions(changed.embed_dim, changed.freqPositions(), changed.timePositions());
        freq_new_pos_embed.set_data(freq);
        time_new_pos_embed.set_data(time);
    }
    // A patch embedding for another n_mels keeps its kernel: only the grid changes.
    m_options = changed;
}

torch::Tensor PaSSTImpl::pool(const torch::Tensor& x, const torch::Tensor& keep) const {
    if (m_options.head_pooling == HeadPooling::Tokens)
        return m_options.distilled ? (x.select(1, 0) + x.select(1, 1)) / 2 : x.select(1, 0);
    const int prefix = m_options.distilled ? 2 : 1;
    if (!keep.defined())
        return x.slice(1, prefix).mean(1);
    const auto k = keep.slice(1, prefix).unsqueeze(2).to(x.scalar_type());
    return (x.slice(1, prefix) * k).sum(1) / k.sum(1).clamp_min(1);
}

std::pair<torch::Tensor, torch::Tensor> PaSSTImpl::forward(const torch::Tensor& input) {
    auto x = encode(input);
    auto features = pool(x);
    return {head->forward(features), features};
}

}  // namespace patchout
