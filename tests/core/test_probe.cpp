// LinearProbe and k-NN on frozen embeddings: separable groups are learnt from half the points and
// recognised in the other half; bad inputs are errors.
#include "patchout/probe.h"

#include "patchout/error.h"

#include <gtest/gtest.h>

#include <random>

using namespace patchout;

namespace {

void groups(int classes, int per, int dim, unsigned seed, EmbeddingMatrix& train, std::vector<int>& trainLabels,
            EmbeddingMatrix& test, std::vector<int>& testLabels) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> n(0.0f, 1.0f);
    train = EmbeddingMatrix{.rows = 0, .dim = dim, .data = {}};
    test = train;
    for (int c = 0; c < classes; ++c) {
        std::vector<float> centre(static_cast<std::size_t>(dim));
        for (auto& x : centre)
            x = 3.0f * n(rng);
        for (int i = 0; i < per; ++i) {
            auto& m = i % 2 ? test : train;
            auto& l = i % 2 ? testLabels : trainLabels;
            for (int d = 0; d < dim; ++d)
                m.data.push_back(centre[static_cast<std::size_t>(d)] + n(rng));
            ++m.rows;
            l.push_back(c);
        }
    }
}

}  // namespace

TEST(Probe, LinearProbeAndKnnLearnSeparableGroups) {
    EmbeddingMatrix train, test;
    std::vector<int> trainLabels, testLabels;
    groups(5, 40, 24, 2, train, trainLabels, test, testLabels);
    const auto probe = LinearProbe::train(train, trainLabels, 5, {.epochs = 150});
    EXPECT_EQ(probe.classes(), 5);
    EXPECT_LT(probe.trainLoss(), 0.1);
    EXPECT_GE(accuracy(probe.predict(test), testLabels), 0.95);
    EXPECT_GE(accuracy(knnClassify(train, trainLabels, test, 5), testLabels), 0.95);
    EXPECT_THROW(probe.predict(EmbeddingMatrix{.rows = 1, .dim = 3, .data = {1, 2, 3}}), Error);
}

TEST(Probe, AccuracyAndBadInputs) {
    EXPECT_DOUBLE_EQ(accuracy({1, 2, 3, 4}, {1, 2, 0, 4}), 0.75);
    EXPECT_THROW(accuracy({1}, {1, 2}), Error);
    const EmbeddingMatrix m{.rows = 2, .dim = 2, .data = {1, 0, 0, 1}};
    EXPECT_THROW(LinearProbe::train(m, {0}, 2), Error);      // one label for two rows
    EXPECT_THROW(LinearProbe::train(m, {0, 2}, 2), Error);   // label out of range
    EXPECT_THROW(LinearProbe::train(m, {0, 0}, 1), Error);   // one class
    EXPECT_THROW(knnClassify(m, {0}, m, 1), Error);
    // k-NN by hand: the query (1, 0.1) is nearest to row 0.
    EXPECT_EQ(knnClassify(m, {7, 9}, EmbeddingMatrix{.rows = 1, .dim = 2, .data = {1, 0.1f}}, 1),
              std::vector<int>{7});
}
