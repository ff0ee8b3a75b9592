// Clustering of embeddings and how well the clusters match labels: k-means (FAISS) on the
// L2-normalised rows, cluster purity and the adjusted Rand index, to judge whether an embedding
// space groups clips by class without training anything. All functions are thread-safe.
#pragma once

#include "patchout/embedder.h"

#include <vector>

namespace patchout {

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

}  // namespace patchout
