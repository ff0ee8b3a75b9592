// Internal to core/src/infer: the checks and the row normalisation that the similarity index,
// k-means and PCA share, so every one of them refuses a malformed matrix with the same words.
#pragma once

#include "patchout/embedder.h"
#include "patchout/error.h"

#include <cmath>
#include <cstdint>
#include <vector>

namespace patchout::infer {

inline void checkMatrix(const EmbeddingMatrix& m) {
    if (m.dim < 1 || m.rows < 0 ||
        m.data.size() != static_cast<std::size_t>(m.rows) * static_cast<std::size_t>(m.dim))
        throw Error(ErrorCode::InvalidArgument, "embedding matrix data does not match rows x dim");
}

// The rows scaled to unit length (all-zero rows stay zero), so inner product is cosine.
inline std::vector<float> normalised(const float* data, std::int64_t rows, int dim) {
    std::vector<float> out(data, data + rows * dim);
    for (std::int64_t r = 0; r < rows; ++r) {
        float* row = out.data() + r * dim;
        double n = 0;
        for (int i = 0; i < dim; ++i)
            n += static_cast<double>(row[i]) * row[i];
        if (n > 0) {
            const auto inv = static_cast<float>(1.0 / std::sqrt(n));
            for (int i = 0; i < dim; ++i)
                row[i] *= inv;
        }
    }
    return out;
}

}  // namespace patchout::infer
