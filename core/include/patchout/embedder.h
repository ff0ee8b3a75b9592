// The frozen PaSST encoder as an embedding extractor: a scene embedding per clip (class token,
// distillation token, their mean or the mean of the patch tokens, from the final norm or any
// block's output, averaged over the clip's windows) and per-timestamp embeddings (the token grid
// averaged over frequency: one vector per patch column, with its time in ms), the scene/timestamp
// split of the HEAR benchmark API. Embedding sets are saved as the TensorBoard projector's
// tensors.tsv + metadata.tsv and as a binary matrix for fast reload.
// Thread-safety: one Embedder per thread.
#pragma once

#include "patchout/file_errors.h"
#include "patchout/job.h"
#include "patchout/passt.h"
#include "patchout/waveform.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace patchout {

// Head: what the model's classifier head reads (cls-dist, or patch-mean for head_pooling patches),
// so the default embedding is the representation the model was trained to classify from.
enum class Pooling { Cls, Dist, ClsDist, PatchMean, Head };
// "cls" | "dist" | "cls-dist" | "patch-mean" | "head"
const char* poolingName(Pooling pooling);
Pooling poolingFromName(const std::string& name);  // Error(InvalidArgument) otherwise

struct EmbedOptions {
    Pooling pooling = Pooling::Head;
    int block = -1;        // -1: after the final norm; k: the output of blocks.k (no norm)
    double window_s = 0;   // 0: the model's input length
    double hop_s = 0;      // 0: the window
    std::string device = "cpu";  // "cpu", "cuda" or "auto" (resolveComputeDevice); the model moves there
};

// Row-major matrix of embeddings (rows x dim).
struct EmbeddingMatrix {
    std::int64_t rows = 0;
    int dim = 0;
    std::vector<float> data;
    const float* row(std::int64_t r) const { return data.data() + r * dim; }
};

struct TimestampEmbeddings {
    std::vector<double> timestamps_ms;  // centre of each patch column
    EmbeddingMatrix embeddings;         // one row per timestamp
};

class Embedder {
public:
    explicit Embedder(PaSSTModel model, const EmbedOptions& options = {});
    static Embedder fromCheckpoint(const std::filesystem::path& path, const EmbedOptions& options = {});
    ~Embedder();
    Embedder(Embedder&&) noexcept;
    Embedder& operator=(Embedder&&) noexcept;

    const EmbedOptions& options() const noexcept;
    int dim() const noexcept;
    int sampleRate() const noexcept;

    // Scene embedding: the pooled vector of each window, averaged over the windows.
    std::vector<float> embed(const Waveform& wave);
    std::vector<float> embedFile(const std::filesystem::path& audio);
    // One row per file, in order; progress ("files") after each and cancellation between files.
    // With `skipped`, a file that cannot be decoded (any Error but Cancelled) gets no row and is
    // listed there; without it, the first such file throws.
    EmbeddingMatrix embedFiles(const std::vector<std::filesystem::path>& audio, const JobControl* job = nullptr,
                               std::vector<FileError>* skipped = nullptr);
    TimestampEmbeddings timestamps(const Waveform& wave);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// tensors.tsv (one row per embedding, tab-separated) and metadata.tsv (a header line of the
// column names, then one line per row) into `dir`, plus embeddings.bin (saveEmbeddingMatrix).
// metadata has one row per embedding and one value per column name. Atomic per file.
void writeProjectorFiles(const std::filesystem::path& dir, const EmbeddingMatrix& embeddings,
                         const std::vector<std::string>& columns,
                         const std::vector<std::vector<std::string>>& metadata);

// Binary matrix: "PTEMB001", int64 rows, int64 dim, float32 data, little-endian. Written
// atomically; reading a truncated or foreign file is an Error(BadFormat) naming it.
void saveEmbeddingMatrix(const std::filesystem::path& path, const EmbeddingMatrix& matrix);
EmbeddingMatrix loadEmbeddingMatrix(const std::filesystem::path& path);

}  // namespace patchout
