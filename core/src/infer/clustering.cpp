// k-means on FAISS, and the two scores of a clustering against labels.
#include "patchout/clustering.h"

#include "infer/embedding_rows.h"
#include "patchout/error.h"

#include <faiss/Clustering.h>
#include <faiss/IndexFlat.h>

#include <algorithm>
#include <map>
#include <utility>

namespace patchout {

using infer::checkMatrix;
using infer::normalised;

KMeansResult kmeans(const EmbeddingMatrix& m, int k, int iterations, int seed) {
    checkMatrix(m);
    if (k < 1 || k > m.rows)
        throw Error(ErrorCode::InvalidArgument, "k-means needs 1 <= k <= rows (k " + std::to_string(k) +
                                                    ", rows " + std::to_string(m.rows) + ")");
    const auto data = normalised(m.data.data(), m.rows, m.dim);
    faiss::ClusteringParameters cp;
    cp.niter = std::max(1, iterations);
    cp.seed = seed;
    cp.verbose = false;
    cp.min_points_per_centroid = 1;
    cp.nredo = 5;  // keeps the best of several starts: one bad seed can merge two groups
    faiss::Clustering clustering(m.dim, k, cp);
    faiss::IndexFlatL2 index(m.dim);
    clustering.train(m.rows, data.data(), index);
    KMeansResult r;
    r.centroids.rows = k;
    r.centroids.dim = m.dim;
    r.centroids.data = clustering.centroids;
    r.objective = clustering.iteration_stats.empty() ? 0.0 : clustering.iteration_stats.back().obj;
    std::vector<float> dist(static_cast<std::size_t>(m.rows));
    std::vector<faiss::Index::idx_t> ids(static_cast<std::size_t>(m.rows));
    index.search(m.rows, data.data(), 1, dist.data(), ids.data());
    for (auto id : ids)
        r.assignments.push_back(static_cast<int>(id));
    return r;
}

double clusterPurity(const std::vector<int>& clusters, const std::vector<int>& labels) {
    if (clusters.size() != labels.size() || clusters.empty())
        throw Error(ErrorCode::InvalidArgument, "purity needs one label per row");
    std::map<int, std::map<int, std::size_t>> counts;
    for (std::size_t i = 0; i < clusters.size(); ++i)
        ++counts[clusters[i]][labels[i]];
    std::size_t majority = 0;
    for (const auto& [c, byLabel] : counts) {
        std::size_t best = 0;
        for (const auto& [l, n] : byLabel)
            best = std::max(best, n);
        majority += best;
    }
    return static_cast<double>(majority) / static_cast<double>(clusters.size());
}

double adjustedRandIndex(const std::vector<int>& a, const std::vector<int>& b) {
    if (a.size() != b.size() || a.empty())
        throw Error(ErrorCode::InvalidArgument, "the adjusted Rand index needs two partitions of the same rows");
    std::map<std::pair<int, int>, double> table;
    std::map<int, double> rowSum, colSum;
    for (std::size_t i = 0; i < a.size(); ++i) {
        table[{a[i], b[i]}] += 1;
        rowSum[a[i]] += 1;
        colSum[b[i]] += 1;
    }
    auto pairs = [](double n) { return n * (n - 1) / 2; };
    double index = 0, sa = 0, sb = 0;
    for (const auto& [key, n] : table)
        index += pairs(n);
    for (const auto& [key, n] : rowSum)
        sa += pairs(n);
    for (const auto& [key, n] : colSum)
        sb += pairs(n);
    const double total = pairs(static_cast<double>(a.size()));
    const double expected = total > 0 ? sa * sb / total : 0;
    const double maxIndex = (sa + sb) / 2;
    if (maxIndex == expected)
        return 1.0;  // both partitions trivial (all one cluster, or all singletons): identical
    return (index - expected) / (maxIndex - expected);
}

}  // namespace patchout
