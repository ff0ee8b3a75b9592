#include "patchout/recipes.h"

#include "patchout/checkpoint.h"
#include "patchout/error.h"

namespace patchout {

std::vector<std::string> trainRecipeNames() { return {"from-scratch", "fine-tune"}; }

TrainOptions trainRecipe(const std::string& name) {
    TrainOptions o;
    if (name == "from-scratch") {
        // docs/training.md: 98.75% on synth-words' held-out voices, 99.67% on FSDD's standard split.
        o.preset = "passt-micro";
        o.epochs = 50;
        o.batch_size = 32;
        o.lr = 1e-3;
        o.warmup_steps = -1;
        o.schedule = "cosine";
        o.augment = fromScratchAugment();
        return o;
    }
    if (name == "fine-tune")
        return o;  // the defaults are PaSST's fine-tuning recipe (trainer.h)
    std::string names;
    for (const std::string& n : trainRecipeNames())
        names += (names.empty() ? "" : ", ") + n;
    throw Error(ErrorCode::InvalidArgument, "unknown training recipe '" + name + "' (" + names + ")");
}

std::string defaultRecipeName(const std::filesystem::path& init_checkpoint) {
    if (init_checkpoint.empty())
        return "from-scratch";
    try {
        const CheckpointInfo info = inspectCheckpoint(init_checkpoint);
        const auto trainer = info.metadata.find("trainer");
        if (trainer != info.metadata.end() && trainer->second == "patchout pretrain")
            return "from-scratch";
    } catch (const Error&) {
        // unreadable: train() reports it
    }
    return "fine-tune";
}

}  // namespace patchout
