// Model files. The project's own checkpoint is a safetensors file (readable by Python's
// `safetensors` too): float32 tensors under the official PaSST key names, and in the header the
// model options, the class labels and free-form metadata. saveModel()/loadModel() write and read
// it; importCheckpoint() safely reads an official PyTorch checkpoint (torch.save zip, plain
// state_dict or a training-framework wrapper) without Python and without running anything in it.
// inspectCheckpoint() lists either kind. All functions may be called from any thread on
// different files.
#pragma once

#include "patchout/job.h"
#include "patchout/passt.h"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace patchout {

enum class CheckpointFormat { Patchout, TorchZip };

struct CheckpointInfo {
    CheckpointFormat format = CheckpointFormat::Patchout;
    std::vector<TensorInfo> tensors;           // every tensor, full keys, in file order
    std::map<std::string, std::string> metadata;  // Patchout: the header's metadata
    // TorchZip: where the weights sit ("" for a plain state_dict, "state_dict" or "model" for a
    // wrapper) and the PaSST copies found inside ("" plain, "net", "net_swa", ...).
    std::string wrapper;
    std::vector<std::string> copies;
    std::vector<std::string> ignored_globals;  // pickle globals seen but not interpreted
    std::vector<std::string> labels;           // Patchout: class names, when stored
    // The model the file holds: stored (Patchout) or inferred from the tensor shapes with the
    // default ImportOptions (TorchZip; absent when they do not fit).
    std::optional<PaSSTOptions> options;
};

// Reads the header (Patchout) or the pickle (TorchZip) only, not the weights.
CheckpointInfo inspectCheckpoint(const std::filesystem::path& path);

// Writes `model` atomically. `labels` is empty or has one name per class. Metadata keys
// "format", "format_version", "passt_options" and "labels" are reserved.
void saveModel(const std::filesystem::path& path, const PaSSTModel& model,
               const std::vector<std::string>& labels = {},
               const std::map<std::string, std::string>& metadata = {});

struct ModelCheckpoint {
    PaSSTModel model;
    std::vector<std::string> labels;
    std::map<std::string, std::string> metadata;  // without the reserved keys
};

// Reads a file written by saveModel(). Every tensor must be present with its shape: a corrupt,
// truncated or mismatching file is an Error (BadFormat or Model) naming the file.
ModelCheckpoint loadModel(const std::filesystem::path& path);

// What the weights cannot say about the architecture, plus the choices an import makes.
struct ImportOptions {
    // The copy to import from a training checkpoint: "net" (the model) or "net_swa" (its
    // stochastic weight average). Empty: the only copy, or "net" when there are several.
    std::string copy;
    int num_heads = 0;   // 0: embed_dim / 64 (12 for PaSST-S), the ViT convention
    int n_mels = 128;
    int stride_f = 10;
    int stride_t = 10;
    // 0 keeps the checkpoint's classifier. Another count puts a freshly initialised head
    // (head.1, head_dist) on the imported body, for fine-tuning on a new task.
    int num_classes = 0;
    PatchoutOptions patchout;  // used when the imported model is trained further
    // Fine-tuning on other input sizes: 0 keeps the checkpoint's grid; another value resizes the
    // frequency / time positional embeddings to it by bicubic interpolation, as the reference does.
    int target_n_mels = 0;
    int target_input_frames = 0;
    std::uint64_t seed = 0;    // for a fresh head
};

struct ImportReport {
    std::string copy;                       // the copy imported ("" for a plain state_dict)
    int tensors = 0;                        // tensors copied into the model
    std::vector<std::string> reinitialized; // parameters initialised fresh (a new head)
    std::vector<std::string> skipped;       // tensors of the file not imported (other copies, ...)
    std::vector<std::string> converted;     // tensors converted to float32 from another type
    std::vector<std::string> ignored_globals;
};

struct ImportedModel {
    PaSSTModel model;
    ImportReport report;
};

// The architecture comes from the tensor shapes (embed_dim, depth, patch size, classes,
// positional grid, distillation) and from `options` (heads, strides, n_mels). Every parameter of
// that architecture must be in the file with its shape: anything else is an Error(Model) listing
// the keys. Reports progress per tensor and stops between tensors when cancelled.
ImportedModel importCheckpoint(const std::filesystem::path& path, const ImportOptions& options = {},
                               const JobControl* job = nullptr);

}  // namespace patchout
