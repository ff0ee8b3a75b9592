// Training recipes by name: the options measured to work for a kind of training, one definition
// used by `patchout train --recipe`, the demo, the workbench's training dialog and the benchmarks
// (docs/training.md has the measurements behind each). A recipe fills TrainOptions; the caller
// then sets what belongs to its data (preset, epochs, init_checkpoint, cache, ...).
#pragma once

#include "patchout/trainer.h"

#include <string>
#include <vector>

namespace patchout {

// "from-scratch": passt-micro, 50 epochs, batch 32, lr 1e-3 with one epoch of warm-up and cosine
//   decay, fromScratchAugment() (roll, gain, frequency shift; no mixup, no masks): what trains a
//   transformer from random weights on a few thousand clips.
// "fine-tune": PaSST's recipe for a pretrained model (init_checkpoint): TrainOptions' defaults,
//   mixup 0.3 and SpecAugment masks, lr 5e-4, 10 epochs.
std::vector<std::string> trainRecipeNames();

// The options of recipe `name`; anything else is Error(InvalidArgument) listing the names.
TrainOptions trainRecipe(const std::string& name);

// The recipe for a run that starts from `init_checkpoint`: "from-scratch" from nothing or from an
// encoder of `patchout pretrain` (a small model that has seen audio but no labels: the recipe
// measured with it, docs/training.md), "fine-tune" from any other model (e.g. an official PaSST
// checkpoint). A file that cannot be read counts as another model (train() then says why).
std::string defaultRecipeName(const std::filesystem::path& init_checkpoint);
std::string defaultRecipeName(const std::filesystem::path& init_checkpoint);

}  // namespace patchout
