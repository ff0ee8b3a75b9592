// The embeddings folder (`patchout embed --out`, RUN/embeddings): the embeddings with their
// metadata, a similarity index over them and a 2-D projection, written in one call and read back
// by the workbench's Embeddings view and `patchout similar`. Not shared between threads.
#pragma once

#include "patchout/embedder.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace patchout {

// Writes what the embeddings browser and `patchout similar` read: tensors.tsv + metadata.tsv
// (columns file, label) and embeddings.bin (writeProjectorFiles), the similarity index over
// `names`, and projection.tsv (x, y per row) made by `projection`: "tsne", "pca", "none" or "auto"
// (t-SNE up to 2,000 rows, PCA above, none under 3). Returns the method used. Each file atomic.
std::string writeEmbeddingFolder(const std::filesystem::path& dir, const EmbeddingMatrix& embeddings,
                                 const std::vector<std::string>& names,
                                 const std::vector<std::string>& labels,
                                 const std::string& projection = "auto");

struct EmbeddingFolder {
    EmbeddingMatrix embeddings;                      // embeddings.bin
    std::vector<std::string> columns;                // metadata.tsv's header
    std::vector<std::vector<std::string>> metadata;  // one row per embedding
    EmbeddingMatrix projection;                      // projection.tsv; rows 0 when absent
    // The value of `column` in row `row` ("" when the column is missing).
    std::string value(std::int64_t row, const std::string& column) const;
};
// Reads an embeddings folder. Error(FileNotFound) without embeddings.bin, Error(BadFormat) naming
// the file when metadata.tsv or projection.tsv does not have one row per embedding.
EmbeddingFolder readEmbeddingFolder(const std::filesystem::path& dir);

}  // namespace patchout
