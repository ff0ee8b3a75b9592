// Augmentation of a training batch of log-mel features (trainer.cpp; tests include this header).
#pragma once

#include "patchout/features.h"
#include "patchout/trainer.h"

#include <torch/torch.h>

#include <random>

namespace patchout {

// How far one dB of level moves a feature value under `f` (log features shift, linear scale).
double featureUnitsPerDb(const FeatureOptions& f);

// Augments x [B, bins, T] in place, per example: gain, roll along time, shift along frequency
// (edge bins repeated), SpecAugment time and frequency masks (value 0); then, with probability
// mixup_prob, mixes the batch with a permutation of itself, x and the targets y [B, C] alike (x and
// y are replaced then). All draws come from `rng`.
// drawSpecAugmentMasks on the caller's generator (augment() draws each example's masks with it).
SpecAugmentMasks drawSpecAugmentMasks(const AugmentOptions& a, std::int64_t bins, std::int64_t frames,
                                      std::mt19937_64& rng);

void augment(torch::Tensor& x, torch::Tensor& y, const AugmentOptions& a, const FeatureOptions& f,
             std::mt19937_64& rng);

}  // namespace patchout
