#include "infer/masked_forward.h"

#include "patchout/error.h"

#include <limits>
#include <string>

namespace patchout {

std::vector<int> keptPositions(int count, int drop) {
    if (drop < 0 || drop >= count)
        throw Error(ErrorCode::InvalidArgument, "inference patchout drops " + std::to_string(drop) +
                                                    " of " + std::to_string(count) +
                                                    " positions: at least one must stay");
    std::vector<int> kept;
    if (drop == 0) {
        for (int i = 0; i < count; ++i)
            kept.push_back(i);
        return kept;
    }
    // Drop positions spread over the whole range, so no region loses all its patches.
    std::vector<bool> dropped(static_cast<std::size_t>(count), false);
    for (int i = 0; i < drop; ++i)
        dropped[static_cast<std::size_t>((2 * i + 1) * count / (2 * drop))] = true;
    for (int i = 0; i < count; ++i)
        if (!dropped[static_cast<std::size_t>(i)])
            kept.push_back(i);
    return kept;
}

namespace {

torch::Tensor indexTensor(const std::vector<int>& v) {
    std::vector<std::int64_t> w(v.begin(), v.end());
    return torch::tensor(w, torch::kLong);
}

torch::Tensor maskedAttention(AttentionImpl& attn, const torch::Tensor& x,
                              const torch::Tensor& bias) {
    auto [q, k, v] = attn.queriesKeysValues(x);
    auto scores = torch::matmul(q, k.transpose(-2, -1)) * attn.scale;
    if (bias.defined())
        scores = scores + bias.to(scores.scalar_type());
    return attn.proj->forward(attn.joinHeads(scores.softmax(-1), v));
}

}  // namespace

MaskedTokens maskedEncode(PaSSTImpl& model, const torch::Tensor& x, const std::vector<int>& valid,
                          const MaskedForwardOptions& options) {
    const auto& o = model.options();
    if (x.dim() != 4 || x.size(1) != o.in_chans || x.size(2) != o.n_mels || x.size(3) < o.patch_size)
        throw Error(ErrorCode::InvalidArgument, "masked forward expects [batch, " +
                                                    std::to_string(o.in_chans) + ", " +
                                                    std::to_string(o.n_mels) + ", frames >= " +
                                                    std::to_string(o.patch_size) + "]");
    if (static_cast<std::int64_t>(valid.size()) != x.size(0))
        throw Error(ErrorCode::Internal, "one valid length per example is needed");
    auto grid = model.patch_embed->forward(x);  // [B, E, F, T]
    const std::int64_t positions = model.time_new_pos_embed.size(-1);
    if (grid.size(3) > positions)
        grid = grid.slice(3, 0, positions);
    const int time = static_cast<int>(grid.size(3));
    grid = grid + model.time_new_pos_embed.slice(3, 0, time);
    grid = grid + model.freq_new_pos_embed;
    const auto rows = keptPositions(static_cast<int>(grid.size(2)), options.patchout_f);
    // A short batch has fewer columns than the window the option was checked against.
    const auto cols = keptPositions(time, std::min(options.patchout_t, time - 1));
    if (options.patchout_f > 0)
        grid = grid.index_select(2, indexTensor(rows).to(grid.device()));
    if (options.patchout_t > 0)
        grid = grid.index_select(3, indexTensor(cols).to(grid.device()));
    const int F = static_cast<int>(grid.size(2));
    const int T = static_cast<int>(grid.size(3));
    auto patches = grid.flatten(2).transpose(1, 2);  // [B, F*T, E], index f * T + t
    const auto batch = patches.size(0);
    std::vector<torch::Tensor> parts;
    parts.push_back((model.cls_token + model.new_pos_embed.slice(1, 0, 1)).expand({batch, -1, -1}));
    if (o.distilled)
        parts.push_back(
            (model.dist_token + model.new_pos_embed.slice(1, 1, 2)).expand({batch, -1, -1}));
    const int prefix = static_cast<int>(parts.size());
    parts.push_back(patches);
    MaskedTokens out;
    out.tokens = torch::cat(parts, 1);
    out.freq = F;
    out.time = T;
    out.prefix = prefix;
    out.time_columns = cols;
    // A column is real when its patch lies inside the real frames (at least one column always is).
    const int n = prefix + F * T;
    auto keep = torch::ones({batch, n}, torch::kBool);
    auto acc = keep.accessor<bool, 2>();
    bool anyMasked = false;
    for (std::int64_t b = 0; b < batch; ++b) {
        const int v = valid[static_cast<std::size_t>(b)];
        const int realColumns = std::max(1, v < o.patch_size ? 1 : (v - o.patch_size) / o.stride_t + 1);
        for (int t = 0; t < T; ++t) {
            if (cols[static_cast<std::size_t>(t)] < realColumns)
                continue;
            anyMasked = true;
            for (int f = 0; f < F; ++f)
                acc[b][prefix + f * T + t] = false;
        }
    }
    keep = keep.to(x.device());  // filled on the host, used where the model runs
    out.keep = keep;
    torch::Tensor bias;  // additive attention bias: -inf on padded keys
    if (anyMasked)
        bias = torch::zeros({batch, 1, 1, n}, x.options().dtype(torch::kFloat32))
                   .masked_fill(keep.logical_not().view({batch, 1, 1, n}),
                                -std::numeric_limits<float>::infinity());
    torch::Tensor padding;  // [B, N] true on padded tokens, for the fused kernel
    if (anyMasked)
        padding = keep.logical_not();
    auto tokens = out.tokens;
    const int last = options.stop_after_block >= 0
                         ? std::min(options.stop_after_block, static_cast<int>(model.block_list.size()) - 1)
                         : static_cast<int>(model.block_list.size()) - 1;
    for (int i = 0; i <= last; ++i) {
        auto& block = *model.block_list[static_cast<std::size_t>(i)];
        if (block.canFuse()) {  // the fused kernel, with a key padding mask when windows are short
            tokens = block.fusedForward(tokens, padding);
            continue;
        }
        tokens = tokens + maskedAttention(*block.attn, block.norm1->forward(tokens), bias);
        tokens = tokens + block.mlp->forward(block.norm2->forward(tokens));
    }
    out.tokens = options.stop_after_block >= 0 ? tokens : model.norm->forward(tokens);
    return out;
}

std::pair<torch::Tensor, torch::Tensor> maskedForward(PaSSTImpl& model, const torch::Tensor& x,
                                                      const std::vector<int>& valid,
                                                      const MaskedForwardOptions& options) {
    MaskedForwardOptions o = options;
    o.stop_after_block = -1;
    const auto enc = maskedEncode(model, x, valid, o);
    const auto features = model.pool(enc.tokens, enc.keep);
    return {model.head->forward(features), features};
}

}  // namespace patchout
