#include "patchout/probe.h"

#include "patchout/error.h"
#include "patchout/similarity_index.h"

#include <map>

namespace patchout {
namespace {

torch::Tensor asTensor(const EmbeddingMatrix& m) {
    if (m.data.size() != static_cast<std::size_t>(m.rows) * static_cast<std::size_t>(m.dim) || m.dim < 1)
        throw Error(ErrorCode::InvalidArgument, "embedding matrix data does not match rows x dim");
    return torch::from_blob(const_cast<float*>(m.data.data()), {m.rows, m.dim}, torch::kFloat32).clone();
}

}  // namespace

struct LinearProbe::Impl {
    torch::nn::Linear linear{nullptr};
    torch::Tensor mean, std;
    int classes = 0;
    double loss = 0;
};

LinearProbe::LinearProbe(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
LinearProbe::~LinearProbe() = default;
LinearProbe::LinearProbe(LinearProbe&&) noexcept = default;
LinearProbe& LinearProbe::operator=(LinearProbe&&) noexcept = default;

LinearProbe LinearProbe::train(const EmbeddingMatrix& x, const std::vector<int>& labels, int classes,
                               const ProbeOptions& options) {
    if (static_cast<std::int64_t>(labels.size()) != x.rows || x.rows < 1)
        throw Error(ErrorCode::InvalidArgument, "the probe needs one label per embedding");
    if (classes < 2)
        throw Error(ErrorCode::InvalidArgument, "the probe needs at least two classes");
    for (int l : labels)
        if (l < 0 || l >= classes)
            throw Error(ErrorCode::InvalidArgument, "label " + std::to_string(l) + " outside [0, " +
                                                        std::to_string(classes) + ")");
    torch::manual_seed(options.seed);
    auto impl = std::make_unique<Impl>();
    impl->classes = classes;
    auto data = asTensor(x);
    impl->mean = data.mean(0, true);
    impl->std = data.std(0, true, true).clamp_min(1e-6);
    data = (data - impl->mean) / impl->std;
    std::vector<std::int64_t> l(labels.begin(), labels.end());
    const auto target = torch::tensor(l, torch::kLong);
    impl->linear = torch::nn::Linear(x.dim, classes);
    torch::optim::Adam optimizer(impl->linear->parameters(),
                                 torch::optim::AdamOptions(options.lr).weight_decay(options.weight_decay));
    for (int epoch = 0; epoch < options.epochs; ++epoch) {
        optimizer.zero_grad();
        auto loss = torch::nn::functional::cross_entropy(impl->linear->forward(data), target);
        loss.backward();
        optimizer.step();
        impl->loss = loss.item<double>();
    }
    impl->linear->eval();
    return LinearProbe(std::move(impl));
}

int LinearProbe::classes() const noexcept { return m_impl->classes; }
double LinearProbe::trainLoss() const noexcept { return m_impl->loss; }

std::vector<int> LinearProbe::predict(const EmbeddingMatrix& x) const {
    if (x.dim != m_impl->linear->weight.size(1))
        throw Error(ErrorCode::InvalidArgument, "embeddings have " + std::to_string(x.dim) +
                                                    " dimensions, the probe takes " +
                                                    std::to_string(m_impl->linear->weight.size(1)));
    torch::InferenceMode inference;
    const auto logits = m_impl->linear->forward((asTensor(x) - m_impl->mean) / m_impl->std);
    const auto best = logits.argmax(1).contiguous();
    std::vector<int> out;
    for (std::int64_t i = 0; i < best.size(0); ++i)
        out.push_back(static_cast<int>(best[i].item<std::int64_t>()));
    return out;
}

std::vector<int> knnClassify(const EmbeddingMatrix& train, const std::vector<int>& labels,
                             const EmbeddingMatrix& test, int k) {
    if (static_cast<std::int64_t>(labels.size()) != train.rows)
        throw Error(ErrorCode::InvalidArgument, "k-NN needs one label per training embedding");
    const auto index = SimilarityIndex::build(train, {}, {.exact_limit = train.rows});
    std::vector<int> out;
    for (const auto& neighbours : index.search(test, k)) {
        std::map<int, std::pair<int, double>> votes;  // label -> (count, summed similarity)
        for (const auto& n : neighbours) {
            auto& v = votes[labels[static_cast<std::size_t>(n.id)]];
            v.first += 1;
            v.second += n.score;
        }
        int best = -1;
        std::pair<int, double> bestVote{-1, 0.0};
        for (const auto& [label, v] : votes)
            if (v.first > bestVote.first || (v.first == bestVote.first && v.second > bestVote.second)) {
                best = label;
                bestVote = v;
            }
        out.push_back(best);
    }
    return out;
}

double accuracy(const std::vector<int>& predicted, const std::vector<int>& truth) {
    if (predicted.size() != truth.size() || truth.empty())
        throw Error(ErrorCode::InvalidArgument, "accuracy needs equal, non-empty lists");
    std::size_t right = 0;
    for (std::size_t i = 0; i < truth.size(); ++i)
        right += predicted[i] == truth[i];
    return static_cast<double>(right) / static_cast<double>(truth.size());
}

}  // namespace patchout
