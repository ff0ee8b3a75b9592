// Where a PaSST model spends its parameters, operations, time and memory: per part (the patch
// embedding with its positions, every block's norms, attention projections, attention scores and
// MLP, the final norm and the head) the parameters, the multiply-accumulates with the real token
// count (patchout included), the measured latency of the forward pass and of forward + backward on
// inputs of the real shapes, and the activations the part keeps for backward; beside them the
// whole model measured in one pass. `patchout profile` prints it, the Model view draws it.
// Thread-safety: profileModel() runs on the calling thread with LibTorch's thread pools; the model
// must not be trained meanwhile (eval-mode forwards of others may run).
#pragma once

#include "patchout/job.h"
#include "patchout/passt.h"

#include <cstdint>
#include <string>
#include <vector>

namespace patchout {

struct ProfileOptions {
    int frames = 0;              // input frames (0: the model's input_frames)
    int batch = 1;
    // Patches dropped as patchout drops them while training (structured columns / rows, then
    // single patches); none by default: the cost of inference.
    PatchoutOptions patchout{};
    bool bf16 = false;           // autocast to bfloat16 (oneDNN; AMX where the CPU has it)
    bool timed = true;           // false: counts only (parameters, MACs, activations), nothing runs
    bool backward = true;        // also time forward + backward
    int repeats = 7;             // timed runs of each measurement after one warm-up (median kept)

    void validate() const;  // Error(InvalidArgument) naming the bad field
};

// The kinds of part, in forward order (PartProfile::kind).
inline constexpr const char* kPartPatchEmbedding = "patch embedding";
inline constexpr const char* kPartNorms = "norms";
inline constexpr const char* kPartAttentionProjections = "attention projections";
inline constexpr const char* kPartAttentionScores = "attention scores";
inline constexpr const char* kPartMlp = "mlp";
inline constexpr const char* kPartHead = "head";

struct PartProfile {
    std::string name;  // "patch_embed", "blocks.3.norms", "blocks.3.attn.qkv", "blocks.3.attn.scores",
                       // "blocks.3.attn.proj", "blocks.3.mlp", "norm", "head" (state_dict prefixes)
    std::string kind;  // one of the kPart* above
    int block = -1;    // the block it belongs to, -1 outside the blocks
    std::int64_t parameters = 0;
    double macs = 0;                   // for the whole batch (norms, softmax and GELU count 0)
    double forward_ms = 0;             // median, without gradients
    double forward_backward_ms = 0;    // median; 0 when not measured
    // What autograd keeps of this part for backward (its inputs and intermediate results), from
    // the shapes: the part's share of training memory.
    std::int64_t activation_bytes = 0;
};

struct ModelProfile {
    PaSSTOptions model;
    ProfileOptions options;
    int frames = 0;
    int patches = 0;   // the convolution's grid
    int tokens = 0;    // sequence length in the blocks (kept patches + class / distillation tokens)
    std::vector<PartProfile> parts;  // forward order
    // The whole model measured as one pass: the reference path (the same operations as the parts)
    // and the inference path (the fused block kernel where eval mode allows it, what classify runs).
    double forward_ms = 0;
    double inference_ms = 0;
    double forward_backward_ms = 0;  // 0 when not measured
    // Heap growth while a forward pass with gradients holds its graph (glibc's allocator
    // statistics): the activation memory of one training step as measured, not counted. 0 when the
    // allocator cannot say, and for a model on a GPU (its memory is not the host's).
    std::int64_t measured_activation_bytes = 0;

    std::int64_t parameters() const;
    double macs() const;
    double partsForwardMs() const;          // sum over the parts
    double partsForwardBackwardMs() const;
    std::int64_t activationBytes() const;   // sum over the parts
    // One line per kind (summed over blocks), in forward order: where a teacher points.
    std::vector<PartProfile> byKind() const;
};

// Profiles `model` (its own weights; the model is not changed) on random input of `options`.
// Progress per measurement; cancellable between them (Error(Cancelled)). Error(InvalidArgument)
// for options the model cannot take (too few frames, patchout that drops every patch).
ModelProfile profileModel(const PaSSTModel& model, const ProfileOptions& options = {},
                          const JobControl* job = nullptr);

// The profile as JSON: options, totals, "parts" and "kinds" arrays (field names as above).
std::string profileToJson(const ModelProfile& profile);

}  // namespace patchout
