// Transfer without fine-tuning: classifiers trained on frozen embeddings. LinearProbe is a
// multinomial logistic regression (LibTorch, full-batch Adam on standardised features); knnClassify
// votes among the k nearest training embeddings by cosine. `patchout probe` reports both.
// Thread-safety: a trained LinearProbe's predict() may run on several threads.
#pragma once

#include "patchout/embedder.h"

#include <memory>
#include <vector>

namespace patchout {

struct ProbeOptions {
    int epochs = 300;
    double lr = 0.05;
    double weight_decay = 1e-4;
    std::uint64_t seed = 0;
};

class LinearProbe {
public:
    // labels[i] in [0, classes). Throws Error(InvalidArgument) on mismatched sizes or labels.
    static LinearProbe train(const EmbeddingMatrix& x, const std::vector<int>& labels, int classes,
                             const ProbeOptions& options = {});
    ~LinearProbe();
    LinearProbe(LinearProbe&&) noexcept;
    LinearProbe& operator=(LinearProbe&&) noexcept;

    int classes() const noexcept;
    double trainLoss() const noexcept;  // final cross-entropy on the training set
    std::vector<int> predict(const EmbeddingMatrix& x) const;

private:
    struct Impl;
    explicit LinearProbe(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// Majority vote among the k nearest (cosine) training rows; ties go to the closer neighbours' sum.
std::vector<int> knnClassify(const EmbeddingMatrix& train, const std::vector<int>& labels,
                             const EmbeddingMatrix& test, int k);

double accuracy(const std::vector<int>& predicted, const std::vector<int>& truth);

}  // namespace patchout
