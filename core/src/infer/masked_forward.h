// Internal to core/src/infer: PaSST forward passes for inference that the module's own forward()
// does not offer: a key mask so windows of different lengths share a batch (padding never
// influences real tokens), deterministic inference-time structured patchout, and access to every
// block's tokens for embeddings. Built from the module's own sub-modules, so weights are shared.
#pragma once

#include "model/passt_module.h"

#include <torch/torch.h>

#include <vector>

namespace patchout {

struct MaskedForwardOptions {
    int patchout_t = 0;  // evenly spaced time columns dropped
    int patchout_f = 0;  // evenly spaced frequency rows dropped
    int stop_after_block = -1;  // >= 0: return that block's output (before the final norm)
};

struct MaskedTokens {
    torch::Tensor tokens;  // [B, N, E]: prefix (cls, dist) tokens, then the patch grid f-major
    torch::Tensor keep;    // [B, N] bool: real tokens (prefix and patches over real frames)
    int freq = 0;          // grid rows kept
    int time = 0;          // grid columns kept
    int prefix = 1;        // 1 (cls) or 2 (cls, dist)
    std::vector<int> time_columns;  // grid column of each kept column
};

// Input x [B, 1, n_mels, frames]; valid[b] = frames of real audio in example b. When every
// example is fully valid and nothing is dropped, the mask is all true.
MaskedTokens maskedEncode(PaSSTImpl& model, const torch::Tensor& x, const std::vector<int>& valid,
                          const MaskedForwardOptions& options = {});

// (logits, features) as PaSSTImpl::forward for the unmasked case.
std::pair<torch::Tensor, torch::Tensor> maskedForward(PaSSTImpl& model, const torch::Tensor& x,
                                                      const std::vector<int>& valid,
                                                      const MaskedForwardOptions& options = {});

// Evenly spaced indices of `count - drop` kept positions out of `count`.
std::vector<int> keptPositions(int count, int drop);

}  // namespace patchout
