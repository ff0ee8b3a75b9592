// 2-D projections of embeddings for looking at them: PCA (FAISS) and exact t-SNE (LibTorch). The
// embeddings folder stores one as projection.tsv; the workbench's Embeddings view draws it.
// Both are deterministic for the same rows. All functions are thread-safe.
#pragma once

#include "patchout/embedder.h"

#include <cstdint>

namespace patchout {

// Rows projected on the first two principal components (rows x 2).
EmbeddingMatrix pca2d(const EmbeddingMatrix& embeddings);

struct TsneOptions {
    double perplexity = 30;   // effective neighbours; must be below the number of rows
    int iterations = 1000;    // the first 250 with early exaggeration
    double exaggeration = 12;
    double learning_rate = 0; // 0: max(rows / exaggeration / 4, 50), scikit-learn's "auto"
    std::int64_t max_rows = 5000;  // exact t-SNE is O(rows^2) in time and memory
};
// Exact t-SNE (van der Maaten & Hinton, 2008) of the rows on cosine geometry (rows L2-normalised,
// squared Euclidean distances), started from the PCA projection, so the result is deterministic.
// Rows x 2. Error(InvalidArgument) for fewer than 3 rows, more than max_rows, or a perplexity
// not below the number of rows. LibTorch on the threads configureThreads() set.
EmbeddingMatrix tsne2d(const EmbeddingMatrix& embeddings, const TsneOptions& options = {});

}  // namespace patchout
