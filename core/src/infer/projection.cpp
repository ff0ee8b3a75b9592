// 2-D projections: PCA on FAISS, and exact t-SNE on whole matrices (the per-row perplexity search
// runs as one vectorised bisection over all rows, each gradient step is a handful of rows x rows
// tensor operations).
#include "patchout/projection.h"

#include "infer/embedding_rows.h"
#include "patchout/error.h"

#include <faiss/VectorTransform.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace patchout {
namespace {

torch::Tensor squaredDistances(const torch::Tensor& x) {
    const auto sq = x.pow(2).sum(1, true);
    return (sq + sq.t() - 2 * x.mm(x.t())).clamp_min(0);
}

// Joint probabilities P (symmetric, sums to 1): row i's Gaussian bandwidth is found by bisection
// on beta = 1 / (2 sigma^2) so that the entropy of P(.|i) is log(perplexity).
torch::Tensor jointProbabilities(const torch::Tensor& distances, double perplexity) {
    const auto n = distances.size(0);
    const auto eye = torch::eye(n, torch::kBool);
    // Distances relative to each row's nearest neighbour keep exp() away from underflow.
    auto d = distances.masked_fill(eye, INFINITY);
    d = d - std::get<0>(d.min(1, true));
    auto beta = torch::ones({n, 1}, torch::kFloat64);
    auto lo = torch::zeros({n, 1}, torch::kFloat64);
    auto hi = torch::full({n, 1}, INFINITY, torch::kFloat64);
    const double target = std::log(perplexity);
    torch::Tensor p;
    for (int iteration = 0; iteration < 64; ++iteration) {
        p = torch::exp(-d * beta);
        const auto sum = p.sum(1, true).clamp_min(1e-300);
        const auto entropy = torch::log(sum) + beta * (d.nan_to_num(0, 0, 0) * p).sum(1, true) / sum;
        // Entropy too high: the Gaussian is too wide, raise beta.
        const auto tooWide = entropy > target;
        lo = torch::where(tooWide, beta, lo);
        hi = torch::where(tooWide, hi, beta);
        beta = torch::where(torch::isinf(hi), beta * 2, (lo + hi) / 2);
        if ((entropy - target).abs().max().item<double>() < 1e-5)
            break;
    }
    p = p / p.sum(1, true);
    p = (p + p.t()) / (2.0 * static_cast<double>(n));
    return p.clamp_min(1e-12);
}

}  // namespace

EmbeddingMatrix pca2d(const EmbeddingMatrix& m) {
    infer::checkMatrix(m);
    if (m.rows < 2 || m.dim < 2)
        throw Error(ErrorCode::InvalidArgument, "PCA needs at least two rows of at least two dimensions");
    faiss::PCAMatrix pca(m.dim, 2, 0.0f, false);
    pca.train(m.rows, m.data.data());
    EmbeddingMatrix out;
    out.rows = m.rows;
    out.dim = 2;
    out.data.resize(static_cast<std::size_t>(m.rows) * 2);
    pca.apply_noalloc(m.rows, m.data.data(), out.data.data());
    return out;
}

EmbeddingMatrix tsne2d(const EmbeddingMatrix& m, const TsneOptions& options) {
    if (m.rows < 3 || m.dim < 2 || m.data.size() != static_cast<std::size_t>(m.rows) * m.dim)
        throw Error(ErrorCode::InvalidArgument, "t-SNE needs at least three rows of at least two dimensions");
    if (m.rows > options.max_rows)
        throw Error(ErrorCode::InvalidArgument,
                    "t-SNE of " + std::to_string(m.rows) + " rows: exact t-SNE is limited to " +
                        std::to_string(options.max_rows) + " (use PCA, or a sample)");
    if (!(options.perplexity > 0) || options.perplexity >= static_cast<double>(m.rows))
        throw Error(ErrorCode::InvalidArgument,
                    "t-SNE perplexity " + std::to_string(options.perplexity) +
                        " must be positive and below the number of rows (" + std::to_string(m.rows) + ")");
    torch::NoGradGuard noGrad;
    const auto n = m.rows;
    auto x = torch::from_blob(const_cast<float*>(m.data.data()), {n, m.dim}, torch::kFloat32)
                 .to(torch::kFloat64);
    x = x / x.norm(2, 1, true).clamp_min(1e-12);
    const auto p = jointProbabilities(squaredDistances(x), options.perplexity);

    // PCA start scaled to a standard deviation of 1e-4, as openTSNE and scikit-learn do.
    const EmbeddingMatrix start = pca2d(m);
    auto y = torch::from_blob(const_cast<float*>(start.data.data()), {n, 2}, torch::kFloat32)
                 .to(torch::kFloat64);
    y = (y - y.mean(0)) / y.select(1, 0).std().clamp_min(1e-12) * 1e-4;

    const double lr = options.learning_rate > 0
                          ? options.learning_rate
                          : std::max(static_cast<double>(n) / options.exaggeration / 4.0, 50.0);
    const int exaggerated = std::min(250, options.iterations);
    auto update = torch::zeros_like(y);
    auto gains = torch::ones_like(y);
    const auto eye = torch::eye(n, torch::kBool);
    for (int it = 0; it < options.iterations; ++it) {
        const double exaggeration = it < exaggerated ? options.exaggeration : 1.0;
        const double momentum = it < exaggerated ? 0.5 : 0.8;
        const auto kernel = (1.0 / (1.0 + squaredDistances(y))).masked_fill(eye, 0);
        const auto q = (kernel / kernel.sum()).clamp_min(1e-12);
        const auto pq = (exaggeration * p - q) * kernel;
        const auto gradient = 4.0 * (pq.sum(1, true) * y - pq.mm(y));
        // Delta-bar-delta gains: grow where the gradient keeps its direction against the update.
        const auto sameSign = (gradient > 0) == (update > 0);
        gains = torch::where(sameSign, gains * 0.8, gains + 0.2).clamp_min(0.01);
        update = momentum * update - lr * gains * gradient;
        y = y + update;
        y = y - y.mean(0);
    }
    y = y.to(torch::kFloat32).contiguous();
    EmbeddingMatrix out;
    out.rows = n;
    out.dim = 2;
    out.data.assign(y.data_ptr<float>(), y.data_ptr<float>() + n * 2);
    return out;
}

}  // namespace patchout
