// Similarity search at scale: random unit vectors (default 100k x 768), exact inner-product search
// (the baseline) against the HNSW index SimilarityIndex uses above its threshold: build time,
// query latency and recall@10 of the approximate results against the exact ones.
//   bench_similarity [--n 100000] [--dim 768] [--queries 200] [--ef-search 128] [--m 32]
//                    [--clusters 0]
// --clusters K: vectors around K random centres (noise 0.5 of a centre's spread per dimension),
// queries near them too: closer to real embeddings, which cluster by sound, than uniform noise.
#include "bench_args.h"
#include "patchout/system_info.h"
#include "patchout/similarity_index.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <set>
#include <string>

using namespace patchout;

namespace {
double since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}
}  // namespace

constexpr const char* kUsage =
    "bench_similarity [--n 100000] [--dim 768] [--queries 200] [--ef-search 128] [--m 32] [--clusters 0]\n"
    "Exact inner-product search against the HNSW index SimilarityIndex uses above its threshold: build time,\n"
    "query latency and recall@10. --clusters K: vectors around K random centres, closer to real embeddings.\n";

int main(int argc, char** argv) {
    patchout::selectBlasKernels(argv);  // first: may re-execute with faster OpenBLAS kernels
    patchout::bench::checkArgs(argc, argv, kUsage, {"--n", "--dim", "--queries", "--ef-search", "--m", "--clusters"});
    std::int64_t n = 100000;
    int dim = 768, queries = 200, efSearch = 128, m = 32, clusters = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--n")) n = std::max(100L, std::atol(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--dim")) dim = std::max(2, std::atoi(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--queries")) queries = std::max(1, std::atoi(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--ef-search")) efSearch = std::max(10, std::atoi(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--m")) m = std::max(4, std::atoi(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--clusters")) clusters = std::max(0, std::atoi(argv[i + 1]));
    }
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each line as it comes: a time limit keeps what was measured
    try {
        std::mt19937 rng(1);
        std::normal_distribution<float> g(0.0f, 1.0f);
        std::vector<float> centres(static_cast<std::size_t>(std::max(clusters, 1)) * dim);
        for (auto& x : centres)
            x = g(rng);
        std::uniform_int_distribution<int> pick(0, std::max(clusters, 1) - 1);
        // A random vector, or one near a random centre.
        auto fill = [&](float* v) {
            const float* c = centres.data() + static_cast<std::size_t>(pick(rng)) * dim;
            for (int d = 0; d < dim; ++d)
                v[d] = clusters > 0 ? c[d] + 0.5f * g(rng) : g(rng);
        };
        EmbeddingMatrix data{.rows = n, .dim = dim, .data = {}};
        data.data.resize(static_cast<std::size_t>(n) * dim);
        for (std::int64_t r = 0; r < n; ++r)
            fill(data.data.data() + r * dim);
        EmbeddingMatrix q{.rows = queries, .dim = dim, .data = {}};
        q.data.resize(static_cast<std::size_t>(queries) * dim);
        for (int r = 0; r < queries; ++r)
            fill(q.data.data() + static_cast<std::size_t>(r) * dim);
        std::printf("bench_similarity: %lld random %d-d vectors (%s), %d queries, k 10\n",
                    static_cast<long long>(n), dim,
                    clusters > 0 ? (std::to_string(clusters) + " clusters").c_str() : "no clusters", queries);

        auto t0 = std::chrono::steady_clock::now();
        const auto exact = SimilarityIndex::build(data, {}, {.exact_limit = n});
        const double exactBuild = since(t0);
        t0 = std::chrono::steady_clock::now();
        std::vector<std::vector<Neighbour>> truth;
        for (int i = 0; i < queries; ++i)
            truth.push_back(exact.search(std::vector<float>(q.row(i), q.row(i) + dim), 10));
        const double exactQuery = since(t0) / queries;
        std::printf("exact (flat IP): build %.2f s, query %.3f ms (one at a time)\n", exactBuild,
                    exactQuery * 1e3);

        t0 = std::chrono::steady_clock::now();
        const auto approx = SimilarityIndex::build(
            data, {}, {.exact_limit = 0, .hnsw_m = m, .ef_construction = 80, .ef_search = efSearch});
        const double approxBuild = since(t0);
        t0 = std::chrono::steady_clock::now();
        std::vector<std::vector<Neighbour>> found;
        for (int i = 0; i < queries; ++i)
            found.push_back(approx.search(std::vector<float>(q.row(i), q.row(i) + dim), 10));
        const double approxQuery = since(t0) / queries;

        std::int64_t hits = 0;
        for (int i = 0; i < queries; ++i) {
            std::set<std::int64_t> t;
            for (const auto& nb : truth[static_cast<std::size_t>(i)])
                t.insert(nb.id);
            for (const auto& nb : found[static_cast<std::size_t>(i)])
                hits += t.count(nb.id);
        }
        std::printf("HNSW (M %d, efSearch %d): build %.2f s, query %.3f ms, recall@10 %.4f\n", m,
                    efSearch, approxBuild, approxQuery * 1e3,
                    static_cast<double>(hits) / (10.0 * queries));
        std::printf("query speed-up HNSW vs exact: %.1fx\n", exactQuery / approxQuery);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_similarity: %s\n", e.what());
        return 1;
    }
    return 0;
}
