// Similarity search and clustering over embeddings, on FAISS. SimilarityIndex normalises vectors
// and searches by inner product (= cosine): exact (flat) up to a size threshold, approximate (HNSW)
// above it; it is saved to and loaded from a folder (index.faiss, index.json, names.txt), written
// atomically, and a corrupt file or a query of the wrong dimension is a clear Error.
// Also: k-means (FAISS), cluster purity and adjusted Rand index, and 2-D projections (PCA, t-SNE).
// Thread-safety: search() is const and may run on several threads; build/load are not shared.
#pragma once

#include "patchout/embedder.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace patchout {

struct SimilarityOptions {
    std::int64_t exact_limit = 20000;  // up to this many vectors: exact search
    int hnsw_m = 32;                   // HNSW links per node
    int ef_construction = 80;
    int ef_search = 128;
};

struct Neighbour {
    std::int64_t id = -1;
    float score = 0;   // cosine similarity
    std::string name;  // the name given at build time
};

class SimilarityIndex {
public:
    // `names` is empty or has one name per row. Zero vectors stay zero (similarity 0 to all).
    static SimilarityIndex build(const EmbeddingMatrix& embeddings, std::vector<std::string> names = {},
                                 const SimilarityOptions& options = {});
    static SimilarityIndex load(const std::filesystem::path& dir);
    ~SimilarityIndex();
    SimilarityIndex(SimilarityIndex&&) noexcept;
    SimilarityIndex& operator=(SimilarityIndex&&) noexcept;

    int dim() const noexcept;
    std::int64_t size() const noexcept;
    bool approximate() const noexcept;
    const std::vector<std::string>& names() const noexcept;

    // k nearest by cosine, best first. A query of another dimension is an Error(InvalidArgument).
    std::vector<Neighbour> search(const std::vector<float>& query, int k) const;
    std::vector<std::vector<Neighbour>> search(const EmbeddingMatrix& queries, int k) const;

    // Writes index.faiss, names.txt and index.json into `dir` (each atomically).
    void save(const std::filesystem::path& dir) const;

private:
    struct Impl;
    explicit SimilarityIndex(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

struct KMeansResult {
    std::vector<int> assignments;  // cluster of each row
    EmbeddingMatrix centroids;     // k x dim
    double objective = 0;          // final sum of squared distances
};
// k-means on the L2-normalised rows (FAISS), reproducible from `seed`.
KMeansResult kmeans(const EmbeddingMatrix& embeddings, int k, int iterations = 25, int seed = 1234);

// Fraction of rows whose cluster's majority label is theirs.
double clusterPurity(const std::vector<int>& clusters, const std::vector<int>& labels);
// Adjusted Rand index of two partitions (1 = identical, ~0 = chance).
double adjustedRandIndex(const std::vector<int>& a, const std::vector<int>& b);
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

// ---- the embeddings folder (`patchout embed --out`, RUN/embeddings) ------------------------------

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
