// The PaSST LibTorch module (internal to core and its tests: includes torch). Sub-module and
// parameter names equal the official state_dict keys (blocks.0.attn.qkv.weight, head.1.bias, ...),
// registered in the official order, so named_parameters() lists them as state_dict() does.
#pragma once

#include "patchout/passt.h"

#include <torch/torch.h>

#include <array>
#include <optional>
#include <utility>
#include <vector>

namespace patchout {

// Structured patchout on the patch grid x [B, E, F, T]: keeps a random sorted subset of
// T - s_patchout_t time columns and F - s_patchout_f frequency rows, the same for the whole batch.
torch::Tensor structuredPatchout(const torch::Tensor& x, int s_patchout_t, int s_patchout_f);
// Unstructured patchout on a token sequence x [B, N, E]: keeps a random sorted subset of
// N - u_patchout tokens, the same for the whole batch.
torch::Tensor unstructuredPatchout(const torch::Tensor& x, int u_patchout);
// Stochastic depth: in training, zeroes whole examples of x with probability p and scales the
// rest by 1 / (1 - p); identity otherwise.
// Applies a PatchoutMask to the patch tokens x [B, F*T, E] (frequency-major): one index_select for a
// per-batch mask, one gather for per-example masks. Result [B, kept, E].
torch::Tensor applyPatchoutMask(const torch::Tensor& x, const PatchoutMask& mask);
// Fixed 2-D separable sin/cos positions: [1, E, F, 1] for frequency and [1, E, 1, T] for time, the
// first half of the channels sin, the second cos, wavelengths growing geometrically as in Vaswani.
std::pair<torch::Tensor, torch::Tensor> sinusoidalPositions(int embed_dim, int freq, int time);
torch::Tensor dropPath(const torch::Tensor& x, double p, bool training);

struct PatchEmbedImpl : torch::nn::Module {
    explicit PatchEmbedImpl(const PaSSTOptions& o);
    // [B, C, n_mels, T] -> [B, E, F, T'] (not flattened: positional embeddings are added on the grid)
    torch::Tensor forward(const torch::Tensor& x);
    torch::nn::Conv2d proj{nullptr};
};
TORCH_MODULE(PatchEmbed);

struct AttentionImpl : torch::nn::Module {
    // The attention of block `block` (its head count from o.headsOf(block)).
    AttentionImpl(const PaSSTOptions& o, int block = 0);
    torch::Tensor forward(const torch::Tensor& x);
    // Same, also storing the softmax attention [B, H, N, N] (before dropout) in *attention.
    torch::Tensor forward(const torch::Tensor& x, torch::Tensor* attention);
    // q, k, v of x, each [B, H, N, head_dim].
    std::array<torch::Tensor, 3> queriesKeysValues(const torch::Tensor& x);
    // The heads' outputs for the softmax attention `probabilities` [B, H, N, N] and values v,
    // gated by head_gate when set, joined to [B, N, H * head_dim] (before the output projection).
    torch::Tensor joinHeads(const torch::Tensor& probabilities, const torch::Tensor& v);
    int num_heads;
    int head_dim;
    double scale;
    // Per-head factor on the heads' outputs [num_heads] (undefined: none): 0 switches a head off
    // (masking), a gate with gradients measures a head's importance (heads.h). Not a parameter,
    // not saved.
    torch::Tensor head_gate;
    torch::nn::Linear qkv{nullptr}, proj{nullptr};
    torch::nn::Dropout attn_drop{nullptr}, proj_drop{nullptr};
};
TORCH_MODULE(Attention);

struct MlpImpl : torch::nn::Module {
    explicit MlpImpl(const PaSSTOptions& o);
    torch::Tensor forward(const torch::Tensor& x);
    torch::nn::Linear fc1{nullptr}, fc2{nullptr};
    torch::nn::Dropout drop{nullptr};
};
TORCH_MODULE(Mlp);

struct BlockImpl : torch::nn::Module {
    BlockImpl(const PaSSTOptions& o, double dropPathRate, int block = 0);
    // Pre-norm: x + attn(norm1(x)), then x + mlp(norm2(x)).
    torch::Tensor forward(const torch::Tensor& x);
    torch::Tensor forward(const torch::Tensor& x, torch::Tensor* attention);
    // Whether fusedForward() may run: eval mode, no gradients, no autocast (the fused kernel has
    // no bf16 autocast rule and would run in fp32), all heads and no head gate (the kernel knows
    // neither).
    bool canFuse() const;
    // The same block as one LibTorch kernel (at::_transformer_encoder_layer_fwd: qkv bias and scale
    // folded into one layout pass, fewer copies); equal to forward() in eval mode. Needs canFuse().
    // `padding` [B, N] bool, true on padded tokens: no token attends to them (their own outputs
    // are meaningless).
    torch::Tensor fusedForward(const torch::Tensor& x, const torch::Tensor& padding = {});
    double drop_path;
    torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
    Attention attn{nullptr};
    Mlp mlp{nullptr};
};
TORCH_MODULE(Block);

class PaSSTImpl : public torch::nn::Module {
public:
    explicit PaSSTImpl(const PaSSTOptions& options);

    const PaSSTOptions& options() const noexcept { return m_options; }
    // Where the weights are (PaSSTModel::setDevice): inputs built on the host go there first.
    torch::Device device() const { return cls_token.device(); }
    // Validated against the options; counts larger than the input allows fail at forward time.
    void setPatchout(const PatchoutOptions& patchout);

    // The sequence entering blocks.0 for input [B, in_chans, n_mels, T]: patch grid plus
    // time/frequency positions (time cut or, in training, randomly offset), structured patchout,
    // flattened frequency-major, unstructured patchout, then the cls (and dist) tokens in front.
    torch::Tensor tokens(const torch::Tensor& x);
    // Same with the patchout mask made explicit: `forced` (when not null) is applied instead of a
    // random one (whatever the mode), and the mask used (if any) is stored in *used. The random mask
    // is drawn from a seed taken from torch's global generator, so torch::manual_seed fixes it.
    torch::Tensor tokens(const torch::Tensor& x, const PatchoutMask* forced, PatchoutMask* used);
    // All tokens after the blocks and the final LayerNorm `norm`.
    torch::Tensor encode(const torch::Tensor& x);
    // What the head reads from encoded tokens [B, N, E] (options().head_pooling): the class /
    // distillation token outputs, or the mean of the patch tokens (only those `keep` [B, N] marks,
    // when given: padding must not change a score).
    torch::Tensor pool(const torch::Tensor& encoded, const torch::Tensor& keep = {}) const;
    // Same, collecting every block's output tokens and attention maps when asked (null: skip).
    torch::Tensor encode(const torch::Tensor& x, std::vector<torch::Tensor>* blockTokens,
                         std::vector<torch::Tensor>* attentionMaps, PatchoutMask* used = nullptr);
    // The mask of the latest forward that applied patchout (see PaSSTModel::lastPatchoutMask).
    const PatchoutMask& lastPatchoutMask() const noexcept { return m_last_mask; }
    void setCutLongInputs(bool on) { m_options.cut_long_inputs = on; }
    void setHeadPooling(HeadPooling pooling) { m_options.head_pooling = pooling; }
    // Fine-tuning: resizes the frequency/time positional embeddings to n_mels / input_frames as the
    // reference does for other input sizes (bicubic on the frequency grid, linear along time),
    // updating options(). Only for learned encodings; fixed ones are recomputed.
    void resizePositions(int n_mels, int input_frames);
    // (logits, features) as the reference: features = mean of the cls and dist outputs of `norm`
    // (cls alone without distillation), logits = head(features).
    std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& x);

    // named_parameters() with each tensor once, under its first name: blocks that share weights
    // (options().sharing) register the same tensors under several names. What the model file
    // stores, what the optimiser updates and what parameterCount() counts.
    std::vector<std::pair<std::string, torch::Tensor>> uniqueParameters() const;
    std::vector<torch::Tensor> uniqueParameterTensors() const;

    // Re-initialises every parameter as the reference does, from `seed`.
    void initialize(std::uint64_t seed);

    torch::Tensor cls_token, dist_token, new_pos_embed, freq_new_pos_embed, time_new_pos_embed;
    PatchEmbed patch_embed{nullptr};
    torch::nn::ModuleList blocks{nullptr};
    std::vector<Block> block_list;  // the same modules as `blocks`, typed
    torch::nn::LayerNorm norm{nullptr};
    torch::nn::Sequential head{nullptr};  // head.0 LayerNorm (eps 1e-5), head.1 Linear
    torch::nn::Linear head_dist{nullptr};  // stored in checkpoints, unused by forward (as upstream)
    torch::nn::Dropout pos_drop{nullptr};

private:
    PaSSTOptions m_options;
    PatchoutMask m_last_mask;
};
TORCH_MODULE(PaSST);

// For loaders that overwrite every weight: a model with zeroed parameters, skipping the random
// initialisation (0.7 s for PaSST-S).
struct PaSSTModelAccess {
    static PaSSTModel uninitialized(const PaSSTOptions& options) {
        return PaSSTModel(options, PaSSTModel::Uninitialized{});
    }
};

// Official-style initialisation of a freshly built head (head.1 and head_dist), used when a
// checkpoint is imported for a different number of classes.
void initializeHead(PaSSTImpl& model, std::uint64_t seed);

}  // namespace patchout
