#include "model/passt_module.h"

#include "patchout/error.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
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

AttentionImpl::AttentionImpl(const PaSSTOptions& o)
    : num_heads(o.num_heads), scale(1.0 / std::sqrt(static_cast<double>(o.embed_dim / o.num_heads))) {
    qkv = register_module(
        "qkv", torch::nn::Linear(torch::nn::LinearOptions(o.embed_dim, 3 * o.embed_dim).bias(o.qkv_bias)));
    attn_drop = register_module("attn_drop", torch::nn::Dropout(o.attn_drop_rate));
    proj = register_module("proj", torch::nn::Linear(o.embed_dim, o.embed_dim));
    proj_drop = register_module("proj_drop", torch::nn::Dropout(o.drop_rate));
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x) {
    const auto b = x.size(0), n = x.size(1), c = x.size(2);
    // [B, N, 3, H, C/H] -> [3, B, H, N, C/H]: q, k, v are chunks of C columns each, head-major.
    auto qkvOut = qkv->forward(x).reshape({b, n, 3, num_heads, c / num_heads}).permute({2, 0, 3, 1, 4});
    auto q = qkvOut[0], k = qkvOut[1], v = qkvOut[2];
    auto attn = torch::matmul(q, k.transpose(-2, -1)) * scale;
    attn = attn_drop->forward(attn.softmax(-1));
    auto out = torch::matmul(attn, v).transpose(1, 2).reshape({b, n, c});
    return proj_drop->forward(proj->forward(out));
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

BlockImpl::BlockImpl(const PaSSTOptions& o, double dropPathRate) : drop_path(dropPathRate) {
    norm1 = register_module("norm1", layerNorm(o.embed_dim, 1e-6));
    attn = register_module("attn", Attention(o));
    norm2 = register_module("norm2", layerNorm(o.embed_dim, 1e-6));
    mlp = register_module("mlp", Mlp(o));
}

torch::Tensor BlockImpl::forward(const torch::Tensor& x) {
    auto y = x + dropPath(attn->forward(norm1->forward(x)), drop_path, is_training());
    return y + dropPath(mlp->forward(norm2->forward(y)), drop_path, is_training());
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
    freq_new_pos_embed = register_parameter("freq_new_pos_embed",
                                            torch::zeros({1, o.embed_dim, o.freqPositions(), 1}));
    time_new_pos_embed = register_parameter("time_new_pos_embed",
                                            torch::zeros({1, o.embed_dim, 1, o.timePositions()}));
    patch_embed = register_module("patch_embed", PatchEmbed(o));
    pos_drop = register_module("pos_drop", torch::nn::Dropout(o.drop_rate));
    blocks = register_module("blocks", torch::nn::ModuleList());
    for (int i = 0; i < o.depth; ++i) {
        // Stochastic depth grows linearly from 0 to drop_path_rate over the blocks.
        const double rate = o.depth > 1 ? o.drop_path_rate * i / (o.depth - 1) : 0.0;
        block_list.emplace_back(o, rate);
        blocks->push_back(block_list.back());
    }
    norm = register_module("norm", layerNorm(o.embed_dim, 1e-6));
    head = register_module("head", torch::nn::Sequential(layerNorm(o.embed_dim, 1e-5),
                                                         torch::nn::Linear(o.embed_dim, o.num_classes)));
    if (o.distilled)
        head_dist = register_module("head_dist", torch::nn::Linear(o.embed_dim, o.num_classes));
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
        if (t->defined())
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

torch::Tensor PaSSTImpl::tokens(const torch::Tensor& input) {
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
    const std::int64_t positions = time_new_pos_embed.size(-1);
    std::int64_t time = x.size(3);
    if (time > positions) {
        // Longer than the positional embedding: keep the first columns, as the reference does.
        x = x.slice(3, 0, positions);
        time = positions;
    }
    std::int64_t offset = 0;
    if (is_training() && time < positions)
        offset = torch::randint(positions - time + 1, {1}, torch::kLong).item<std::int64_t>();
    x = x + time_new_pos_embed.slice(3, offset, offset + time);
    x = x + freq_new_pos_embed;
    if (is_training())
        x = structuredPatchout(x, o.patchout.s_patchout_t, o.patchout.s_patchout_f);
    x = x.flatten(2).transpose(1, 2);  // token index = f * T' + t
    if (is_training())
        x = unstructuredPatchout(x, o.patchout.u_patchout);
    const auto batch = x.size(0);
    std::vector<torch::Tensor> parts;
    parts.push_back((cls_token + new_pos_embed.slice(1, 0, 1)).expand({batch, -1, -1}));
    if (o.distilled)
        parts.push_back((dist_token + new_pos_embed.slice(1, 1, 2)).expand({batch, -1, -1}));
    parts.push_back(x);
    return pos_drop->forward(torch::cat(parts, 1));
}

torch::Tensor PaSSTImpl::encode(const torch::Tensor& input) {
    auto x = tokens(input);
    for (auto& block : block_list)
        x = block->forward(x);
    return norm->forward(x);
}

std::pair<torch::Tensor, torch::Tensor> PaSSTImpl::forward(const torch::Tensor& input) {
    auto x = encode(input);
    auto features = m_options.distilled ? (x.select(1, 0) + x.select(1, 1)) / 2 : x.select(1, 0);
    return {head->forward(features), features};
}

}  // namespace patchout
