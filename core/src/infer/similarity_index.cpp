#include "patchout/similarity_index.h"

#include "infer/embedding_rows.h"
#include "patchout/error.h"
#include "patchout/files.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/impl/FaissException.h>
#include <faiss/index_io.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <ostream>

namespace fs = std::filesystem;

namespace patchout {

using infer::checkMatrix;
using infer::normalised;

struct SimilarityIndex::Impl {
    std::unique_ptr<faiss::Index> index;
    std::vector<std::string> names;
    bool approximate = false;
    int efSearch = 128;
};

SimilarityIndex::SimilarityIndex(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
SimilarityIndex::~SimilarityIndex() = default;
SimilarityIndex::SimilarityIndex(SimilarityIndex&&) noexcept = default;
SimilarityIndex& SimilarityIndex::operator=(SimilarityIndex&&) noexcept = default;

SimilarityIndex SimilarityIndex::build(const EmbeddingMatrix& m, std::vector<std::string> names,
                                       const SimilarityOptions& options) {
    checkMatrix(m);
    if (!names.empty() && static_cast<std::int64_t>(names.size()) != m.rows)
        throw Error(ErrorCode::InvalidArgument, std::to_string(names.size()) + " names for " +
                                                    std::to_string(m.rows) + " embeddings");
    auto impl = std::make_unique<Impl>();
    impl->names = std::move(names);
    impl->efSearch = options.ef_search;
    const auto data = normalised(m.data.data(), m.rows, m.dim);
    if (m.rows > options.exact_limit) {
        auto hnsw = std::make_unique<faiss::IndexHNSWFlat>(m.dim, options.hnsw_m, faiss::METRIC_INNER_PRODUCT);
        hnsw->hnsw.efConstruction = options.ef_construction;
        hnsw->hnsw.efSearch = options.ef_search;
        impl->index = std::move(hnsw);
        impl->approximate = true;
    } else {
        impl->index = std::make_unique<faiss::IndexFlatIP>(m.dim);
    }
    impl->index->add(m.rows, data.data());
    return SimilarityIndex(std::move(impl));
}

int SimilarityIndex::dim() const noexcept { return m_impl->index->d; }
std::int64_t SimilarityIndex::size() const noexcept { return m_impl->index->ntotal; }
bool SimilarityIndex::approximate() const noexcept { return m_impl->approximate; }
const std::vector<std::string>& SimilarityIndex::names() const noexcept { return m_impl->names; }

std::vector<std::vector<Neighbour>> SimilarityIndex::search(const EmbeddingMatrix& queries, int k) const {
    checkMatrix(queries);
    if (queries.dim != dim())
        throw Error(ErrorCode::InvalidArgument, "the query has " + std::to_string(queries.dim) +
                                                    " dimensions, the index " + std::to_string(dim()));
    if (k < 1)
        throw Error(ErrorCode::InvalidArgument, "k must be >= 1");
    const auto kk = std::min<std::int64_t>(k, size());
    std::vector<std::vector<Neighbour>> out(static_cast<std::size_t>(queries.rows));
    if (kk == 0 || queries.rows == 0)
        return out;
    const auto q = normalised(queries.data.data(), queries.rows, queries.dim);
    std::vector<float> scores(static_cast<std::size_t>(queries.rows * kk));
    std::vector<faiss::Index::idx_t> ids(scores.size());
    m_impl->index->search(queries.rows, q.data(), kk, scores.data(), ids.data());
    for (std::int64_t r = 0; r < queries.rows; ++r)
        for (std::int64_t j = 0; j < kk; ++j) {
            const auto id = ids[static_cast<std::size_t>(r * kk + j)];
            if (id < 0)
                continue;
            Neighbour n;
            n.id = id;
            n.score = scores[static_cast<std::size_t>(r * kk + j)];
            if (static_cast<std::size_t>(id) < m_impl->names.size())
                n.name = m_impl->names[static_cast<std::size_t>(id)];
            out[static_cast<std::size_t>(r)].push_back(std::move(n));
        }
    return out;
}

std::vector<Neighbour> SimilarityIndex::search(const std::vector<float>& query, int k) const {
    EmbeddingMatrix q;
    q.rows = 1;
    q.dim = static_cast<int>(query.size());
    q.data = query;
    if (q.dim < 1)
        throw Error(ErrorCode::InvalidArgument, "empty query");
    return search(q, k).front();
}

void SimilarityIndex::save(const fs::path& dir) const {
    writePathAtomically(dir / "index.faiss", [&](const fs::path& tmp) {
        try {
            faiss::write_index(m_impl->index.get(), tmp.c_str());
        } catch (const faiss::FaissException& e) {
            throw Error(ErrorCode::Io, std::string("FAISS could not write the index: ") + e.what(),
                        (dir / "index.faiss").string());
        }
    });
    writeFileAtomically(dir / "names.txt", [&](std::ostream& out) {
        for (const auto& n : m_impl->names)
            out << n << '\n';
    });
    nlohmann::json meta = {{"format", "patchout-similarity-index"},
                           {"version", 1},
                           {"dim", dim()},
                           {"size", size()},
                           {"approximate", approximate()},
                           {"ef_search", m_impl->efSearch},
                           {"names", m_impl->names.size()}};
    writeTextAtomically(dir / "index.json", meta.dump(1) + "\n");
}

SimilarityIndex SimilarityIndex::load(const fs::path& dir) {
    const auto metaPath = dir / "index.json";
    std::ifstream metaIn(metaPath);
    if (!metaIn)
        throw Error(ErrorCode::FileNotFound, "no similarity index here (index.json missing)", dir.string());
    nlohmann::json meta;
    try {
        meta = nlohmann::json::parse(metaIn);
        if (meta.at("format") != "patchout-similarity-index")
            throw Error(ErrorCode::BadFormat, "not a similarity index description", metaPath.string());
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::BadFormat, std::string("corrupt index description: ") + e.what(),
                    metaPath.string());
    }
    auto impl = std::make_unique<Impl>();
    const auto indexPath = dir / "index.faiss";
    if (!fs::exists(indexPath))
        throw Error(ErrorCode::FileNotFound, "index file missing", indexPath.string());
    try {
        impl->index.reset(faiss::read_index(indexPath.c_str()));
    } catch (const faiss::FaissException& e) {
        std::string what = e.what();
        if (what.size() > 300)
            what = what.substr(0, 300) + "...";
        throw Error(ErrorCode::BadFormat, "corrupt or truncated FAISS index: " + what, indexPath.string());
    }
    const int dim = meta.value("dim", -1);
    const std::int64_t size = meta.value("size", std::int64_t{-1});
    if (impl->index->d != dim || impl->index->ntotal != size)
        throw Error(ErrorCode::BadFormat,
                    "index.faiss holds " + std::to_string(impl->index->ntotal) + " vectors of dimension " +
                        std::to_string(impl->index->d) + "; index.json says " + std::to_string(size) +
                        " of dimension " + std::to_string(dim),
                    indexPath.string());
    impl->approximate = meta.value("approximate", false);
    impl->efSearch = meta.value("ef_search", 128);
    if (auto* hnsw = dynamic_cast<faiss::IndexHNSW*>(impl->index.get()))
        hnsw->hnsw.efSearch = impl->efSearch;
    std::ifstream namesIn(dir / "names.txt");
    std::string line;
    while (std::getline(namesIn, line))
        impl->names.push_back(line);
    if (!impl->names.empty() && static_cast<std::int64_t>(impl->names.size()) != size)
        throw Error(ErrorCode::BadFormat, "names.txt has " + std::to_string(impl->names.size()) +
                                              " lines for " + std::to_string(size) + " vectors",
                    (dir / "names.txt").string());
    return SimilarityIndex(std::move(impl));
}

}  // namespace patchout
