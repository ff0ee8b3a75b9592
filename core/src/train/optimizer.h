// The AdamW that train() and pretrain() use (internal to core: includes torch): two parameter
// groups, weight decay on the weight matrices only (not on biases, norms, tokens and positions).
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace patchout {

struct AdamWSettings {
    double lr = 1e-3;
    double weight_decay = 0.05;
    double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
};

// Whether `p` (named `name` in the state_dict) takes weight decay.
inline bool takesWeightDecay(const std::string& name, const torch::Tensor& p) {
    return p.dim() >= 2 && name.find("pos_embed") == std::string::npos && name.find("_token") == std::string::npos;
}

// AdamW over the named parameters that require gradients (each tensor once: pass
// PaSSTImpl::uniqueParameters() for a model that shares weights), which are appended to `trainable`.
inline std::unique_ptr<torch::optim::AdamW> makeAdamW(const std::vector<std::pair<std::string, torch::Tensor>>& params,
                                                      const AdamWSettings& s, std::vector<torch::Tensor>& trainable) {
    std::vector<torch::Tensor> withDecay, without;
    for (const auto& [name, tensor] : params) {
        if (!tensor.requires_grad())
            continue;
        trainable.push_back(tensor);
        (takesWeightDecay(name, tensor) ? withDecay : without).push_back(tensor);
    }
    auto options = [&](double wd) {
        return std::make_unique<torch::optim::AdamWOptions>(
            torch::optim::AdamWOptions(s.lr).betas({s.beta1, s.beta2}).eps(s.eps).weight_decay(wd));
    };
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(withDecay, options(s.weight_decay));
    groups.emplace_back(without, options(0.0));
    return std::make_unique<torch::optim::AdamW>(std::move(groups), torch::optim::AdamWOptions(s.lr));
}

}  // namespace patchout
