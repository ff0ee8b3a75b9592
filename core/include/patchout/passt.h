// PaSST, the Patchout faSt Spectrogram Transformer (Koutini et al. 2021), as a LibTorch model with
// the official state_dict key names. Build one from PaSSTOptions (or a named preset), run it on
// log-mel blocks [batch x n_mels x frames] and get (logits, features) exactly as the reference
// forward() does in eval mode; in training mode structured and unstructured patchout drop patches.
// Thread-safety: forward() in eval mode may run on several threads at once; training and weight
// changes need the model to themselves. Torch types stay out of this header: core code that needs
// the module itself includes core/src/model/passt_module.h and calls module().
#pragma once

#include "patchout/features.h"
#include "patchout/system_info.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace patchout {

class PaSST;  // the LibTorch module (TORCH_MODULE holder), see core/src/model/passt_module.h

// Patchout drops patches of the spectrogram grid while training (never in eval): s_patchout_t whole
// time columns and s_patchout_f whole frequency rows (structured), then u_patchout single patches
// (unstructured); the same patches for the whole batch, as in the reference, or one mask per example
// with per_sample. at_inference applies patchout in eval mode too (e.g. to look at its effect).
struct PatchoutOptions {
    int s_patchout_t = 0;
    int s_patchout_f = 0;
    int u_patchout = 0;
    bool per_sample = false;
    bool at_inference = false;
    bool active() const noexcept { return s_patchout_t > 0 || s_patchout_f > 0 || u_patchout > 0; }
};

// Which cells of a patch grid (freq_patches x time_patches, frequency-major) a forward pass kept:
// one mask for the whole batch (the reference) or one per example. The kept cells of mask m are the
// sorted flat indices kept[m][i] = f * time_patches + t; the model's patch tokens follow this order.
struct PatchoutMask {
    int freq_patches = 0;
    int time_patches = 0;
    bool per_sample = false;
    std::vector<std::vector<std::int64_t>> kept;  // one entry per batch, or per example

    int masks() const noexcept { return static_cast<int>(kept.size()); }
    int keptCount(int mask = 0) const;  // patches kept by one mask
    // Whether example `sample`'s patch (f, t) was kept (a per-batch mask answers for every sample).
    bool isKept(int sample, int f, int t) const;
    // The kept (freq, time) cells of one example, in token order.
    std::vector<std::pair<int, int>> keptCells(int sample = 0) const;
};

// Draws the mask a training-mode forward would use on a freq_patches x time_patches grid:
// s_patchout_t time columns and s_patchout_f frequency rows dropped, then u_patchout of the remaining
// patches; `batch` masks when options.per_sample, else one. Deterministic in `seed`; throws
// Error(InvalidArgument) when the options would drop every patch.
PatchoutMask drawPatchoutMask(const PatchoutOptions& options, int freq_patches, int time_patches,
                              std::uint64_t seed, int batch = 1);

// Positional information added to the patch grid: the reference's separable learned frequency and
// time embeddings, fixed 2-D separable sin/cos (not trained), or none at all.
enum class PositionalEncoding { Learned, Sinusoidal, None };
std::string positionalEncodingName(PositionalEncoding encoding);  // "learned", "sinusoidal", "none"
PositionalEncoding positionalEncodingFromName(const std::string& name);

// What the classifier head reads: the reference's class (and distillation) token outputs, or the
// mean of the patch tokens' outputs. Patch pooling reads every patch directly; trained from
// scratch on a few thousand clips it starts learning in about half the steps (docs/training.md).
enum class HeadPooling { Tokens, Patches };
std::string headPoolingName(HeadPooling pooling);  // "tokens", "patches"
HeadPooling headPoolingFromName(const std::string& name);

// Cross-layer parameter sharing (ALBERT, Lan et al. 2020): groups of `sharing_group` consecutive
// blocks use one set of weights, all of them, only the attention (q, k, v and its output
// projection) or only the MLP. A shared tensor is one tensor in memory and in the model file.
enum class ParameterSharing { None, All, Attention, Mlp };
std::string parameterSharingName(ParameterSharing sharing);  // "none", "all", "attention", "mlp"
ParameterSharing parameterSharingFromName(const std::string& name);

struct PaSSTOptions {
    int n_mels = 128;          // img_size[0]
    int input_frames = 998;    // img_size[1]: sizes the time positional embedding
    int patch_size = 16;
    int stride_f = 10;         // patch stride along frequency
    int stride_t = 10;         // patch stride along time
    int in_chans = 1;
    int num_classes = 527;
    int embed_dim = 768;
    int depth = 12;
    int num_heads = 12;
    // Heads each block keeps after pruning (one entry per block, each in [1, num_heads]; empty:
    // num_heads everywhere). A head stays embed_dim / num_heads wide, so a pruned block's q, k, v
    // and output projections shrink to heads * headDim() (heads.h, pruneHeads).
    std::vector<int> block_heads{};
    ParameterSharing sharing = ParameterSharing::None;
    int sharing_group = 2;  // consecutive blocks per group when sharing
    double mlp_ratio = 4.0;
    bool qkv_bias = true;
    bool distilled = true;     // a second (distillation) token whose output is averaged with cls
    double drop_rate = 0.0;
    double attn_drop_rate = 0.0;
    double drop_path_rate = 0.0;
    PatchoutOptions patchout;
    PositionalEncoding positional_encoding = PositionalEncoding::Learned;
    HeadPooling head_pooling = HeadPooling::Tokens;
    // Inputs with more patches along time than the time positional embedding are an
    // Error(InvalidArgument) unless this is set; then the patch grid is cut to the embedding, as the
    // reference silently does (long audio belongs in windowed inference instead).
    bool cut_long_inputs = false;

    // Throws Error(InvalidArgument) naming the first field out of range.
    void validate() const;
    // Size of the positional embeddings: (n_mels / stride_f, input_frames / stride_t).
    int freqPositions() const noexcept { return n_mels / stride_f; }
    int timePositions() const noexcept { return input_frames / stride_t; }
    // Patches the convolution yields along frequency, and along time for `frames` input frames.
    int freqPatches() const noexcept { return (n_mels - patch_size) / stride_f + 1; }
    int timePatches(int frames) const noexcept {
        return frames < patch_size ? 0 : (frames - patch_size) / stride_t + 1;
    }
    int mlpHidden() const noexcept { return static_cast<int>(embed_dim * mlp_ratio); }
    int headDim() const noexcept { return embed_dim / num_heads; }
    // The heads block `block` has (block_heads, else num_heads).
    int headsOf(int block) const noexcept {
        return block_heads.empty() ? num_heads : block_heads[static_cast<std::size_t>(block)];
    }
    bool pruned() const noexcept;  // some block has fewer than num_heads heads
    // The block whose weights block `block` uses for `what` (All, Attention or Mlp): itself, or its
    // group's first block when `sharing` covers `what`.
    int sharedWith(int block, ParameterSharing what) const noexcept;
};

// What one eval-mode forward of a single example costs, in multiply-accumulates (MACs) per part,
// counted from the shapes (LayerNorms, softmax and GELU are not counted: they are a few percent).
// The patch embedding runs on every patch; patchout then leaves `kept_patches` of them (-1: all)
// for the blocks, whose attention scores grow with the square of the sequence. The sequence is the
// patch grid cut to the time positional embedding, as the model sees it.
struct ForwardCost {
    int patches = 0;                // patches the convolution yields
    int tokens = 0;                 // sequence length in the blocks (kept patches + cls/dist)
    double patch_embed = 0;         // MACs of the patch convolution
    double attention_proj = 0;      // qkv and output projections, all blocks
    double attention_scores = 0;    // q k^T and attention x v, all blocks
    double mlp = 0;                 // fc1 and fc2, all blocks
    double head = 0;                // the classifier
    double macs() const noexcept { return patch_embed + attention_proj + attention_scores + mlp + head; }
    double flops() const noexcept { return 2 * macs(); }
};
// Error(InvalidArgument) when `frames` is shorter than a patch or kept_patches exceeds the patches.
ForwardCost forwardCost(const PaSSTOptions& options, int frames, int kept_patches = -1);

// Named presets:
//  "passt-s"     the official AudioSet PaSST-S (768 wide, 12 blocks, 12 heads, 998 frames = 10 s,
//                527 classes) with the paper's training patchout (40 time columns, 4 frequency rows);
//  "passt-mini"  192 wide, 4 blocks, 3 heads, 100 frames (1 s), 10 classes, patchout 2 + 2, head
//                on the mean of the patch tokens: small enough to train on a laptop CPU;
//  "passt-micro" 64 wide, 2 blocks, 4 heads, 100 frames, 10 classes, no patchout, head on the patch
//                tokens: the shape of the reference fixture, for tests and quick demos.
PaSSTOptions passtPreset(const std::string& name);
std::vector<std::string> passtPresetNames();

// Options as JSON text (field names as in PaSSTOptions) and back; fields absent from the JSON keep
// their defaults, unknown fields are an Error(BadFormat).
std::string passtOptionsToJson(const PaSSTOptions& options);
PaSSTOptions passtOptionsFromJson(const std::string& json);

// Name, element type ("F32", "F16", "I64", ... as in safetensors) and shape of one stored tensor.
struct TensorInfo {
    std::string name;
    std::string dtype = "F32";
    std::vector<std::int64_t> shape;
    std::int64_t numel() const noexcept;
    std::string shapeText() const;  // "[768, 1, 16, 16]"
};

// Result of a forward pass, row-major: logits[b * num_classes + c], features[b * embed_dim + e].
// Logits are raw scores (PaSST is trained with a sigmoid per class: apply it for probabilities).
struct ModelOutput {
    int batch = 0;
    int num_classes = 0;
    int embed_dim = 0;
    std::vector<float> logits;
    std::vector<float> features;
};

class PaSSTModel {
public:
    // A freshly initialised model, as the reference initialises it (truncated normal std 0.02 for
    // tokens, positional embeddings and linear layers; LayerNorm 1/0; PyTorch's default for the
    // patch convolution), reproducibly from `seed`. Eval mode.
    explicit PaSSTModel(const PaSSTOptions& options, std::uint64_t seed = 0);
    ~PaSSTModel();
    PaSSTModel(PaSSTModel&&) noexcept;
    PaSSTModel& operator=(PaSSTModel&&) noexcept;
    // A second handle on the same weights (nothing is copied): one loaded model serves several
    // users, e.g. the workbench's live and file classifiers (~340 MB once for PaSST-S, not twice).
    // A change through one handle (training, setPatchout) is seen by all; use them from one
    // thread at a time.
    PaSSTModel sharedWeights() const;

    const PaSSTOptions& options() const noexcept;
    // Parameters in state_dict order with the official key names.
    std::vector<TensorInfo> parameters() const;
    std::int64_t parameterCount() const;

    // Eval-mode forward of `batch` examples laid out [batch][n_mels][frames] (bin-major, the
    // layout of Features::binMajor() and of the reference fixtures). Needs frames >= patch_size.
    ModelOutput forward(const float* input, int batch, int frames) const;
    // Same for feature blocks of equal length with n_bins == options().n_mels.
    ModelOutput forward(const std::vector<Features>& batch) const;

    bool training() const;
    // Training mode turns on patchout, dropout, stochastic depth and the random time offset.
    void setTraining(bool on);
    // Patchout used from the next training-mode forward on (e.g. after an import).
    void setPatchout(const PatchoutOptions& patchout);
    // The patchout mask of the latest forward that applied patchout (training mode, or eval with
    // at_inference); empty (no masks) before the first one. For the GUI's view of what the model saw.
    PatchoutMask lastPatchoutMask() const;
    // See PaSSTOptions::cut_long_inputs.
    void setCutLongInputs(bool on);
    // Where the weights live and forward passes run (the CPU until set). Inputs and outputs stay
    // in host memory: forward() and forwardDetailed() copy them across. Every handle of
    // sharedWeights() follows. Use resolveComputeDevice() for a user's preference.
    void setDevice(ComputeDevice device);
    ComputeDevice device() const;

    // Per-block token outputs and attention maps of an eval-mode forward, torch-free.
    struct DetailOptions {
        bool block_tokens = true;      // tokens after every block
        bool attention_maps = false;   // softmax attention of every block [batch, heads, N, N]
    };
    struct DetailedOutput {
        ModelOutput output;
        std::vector<std::int64_t> token_shape;      // [batch, tokens, embed_dim]
        std::vector<std::vector<float>> block_tokens;  // one per block, row-major token_shape
        std::vector<std::int64_t> attention_shape;  // [batch, heads, tokens, tokens]
        std::vector<std::vector<float>> attention_maps;  // one per block, row-major attention_shape
        PatchoutMask patchout_mask;                 // filled when patchout was applied (at_inference)
    };
    DetailedOutput forwardDetailed(const float* input, int batch, int frames,
                                   const DetailOptions& detail) const;

    // The LibTorch module, for core code that trains or exports it.
    PaSST& module();
    const PaSST& module() const;

private:
    friend struct PaSSTModelAccess;  // core's loaders build models whose weights they overwrite
    struct Uninitialized {};
    PaSSTModel(const PaSSTOptions& options, Uninitialized);
    struct Impl;
    explicit PaSSTModel(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// `model` with groups of `group` consecutive blocks sharing `sharing` (ALBERT): each shared tensor
// is the mean of the group's tensors, everything else is copied. A start for training a shared
// model from an unshared one; ParameterSharing::None gives an unshared copy (every block gets its
// own copy of what it shared). Error(InvalidArgument) for options the model cannot take (e.g.
// attention shared between blocks that kept different heads).
PaSSTModel withParameterSharing(const PaSSTModel& model, ParameterSharing sharing, int group = 2);

}  // namespace patchout
