// Nearest-neighbour search over embeddings, on FAISS: SimilarityIndex normalises vectors and
// searches by inner product (= cosine), exact (flat) up to a size threshold, approximate (HNSW)
// above it. It is saved to and loaded from a folder (index.faiss, index.json, names.txt), written
// atomically, and a corrupt file or a query of the wrong dimension is a clear Error.
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

}  // namespace patchout
