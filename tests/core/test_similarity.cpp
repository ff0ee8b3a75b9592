// SimilarityIndex (exact and HNSW, save/load, corrupt files, dimension mismatch), k-means with
// purity and adjusted Rand index, and the PCA projection.
#include "patchout/clustering.h"
#include "patchout/embedding_folder.h"
#include "patchout/projection.h"
#include "patchout/similarity_index.h"

#include "patchout/error.h"
#include "data_support.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

using namespace patchout;

namespace {

// `clusters` well separated groups of `per` points around random unit centres in `dim` dimensions.
EmbeddingMatrix groups(int clusters, int per, int dim, std::vector<int>* labels = nullptr,
                       unsigned seed = 5) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> n(0.0f, 1.0f);
    std::vector<std::vector<float>> centres(static_cast<std::size_t>(clusters), std::vector<float>(static_cast<std::size_t>(dim)));
    for (auto& c : centres)
        for (auto& x : c)
            x = n(rng);
    EmbeddingMatrix m;
    m.dim = dim;
    for (int c = 0; c < clusters; ++c)
        for (int i = 0; i < per; ++i) {
            for (int d = 0; d < dim; ++d)
                m.data.push_back(centres[static_cast<std::size_t>(c)][static_cast<std::size_t>(d)] + 0.05f * n(rng));
            ++m.rows;
            if (labels)
                labels->push_back(c);
        }
    return m;
}

}  // namespace

TEST(SimilarityIndex, ExactCosineSearch) {
    EmbeddingMatrix m{.rows = 3, .dim = 2, .data = {1, 0, 0, 2, 3, 3}};
    auto index = SimilarityIndex::build(m, {"east", "north", "diagonal"});
    EXPECT_FALSE(index.approximate());
    EXPECT_EQ(index.size(), 3);
    EXPECT_EQ(index.dim(), 2);
    const auto r = index.search(std::vector<float>{10.0f, 0.0f}, 2);  // scale does not matter: cosine
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].name, "east");
    EXPECT_NEAR(r[0].score, 1.0f, 1e-6);
    EXPECT_EQ(r[1].name, "diagonal");
    EXPECT_NEAR(r[1].score, std::sqrt(0.5f), 1e-6);
    EXPECT_EQ(index.search(std::vector<float>{0.0f, 1.0f}, 10).size(), 3u);  // k larger than the set
    try {
        index.search(std::vector<float>{1.0f, 0.0f, 0.0f}, 1);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
        EXPECT_NE(std::string(e.what()).find("3 dimensions, the index 2"), std::string::npos);
    }
    EXPECT_THROW(index.search(std::vector<float>{1.0f, 0.0f}, 0), Error);
    EXPECT_THROW(SimilarityIndex::build(m, {"only one"}), Error);
}

TEST(SimilarityIndex, ApproximateAboveThresholdFindsTheGroups) {
    std::vector<int> labels;
    const auto m = groups(20, 50, 32, &labels);
    auto index = SimilarityIndex::build(m, {}, {.exact_limit = 500});
    EXPECT_TRUE(index.approximate());
    const auto results = index.search(m, 10);
    int same = 0;
    for (std::size_t q = 0; q < results.size(); ++q)
        for (const auto& n : results[q])
            same += labels[static_cast<std::size_t>(n.id)] == labels[q];
    EXPECT_GT(same, static_cast<int>(0.95 * 10 * results.size()));
}

TEST(SimilarityIndex, SavesAndLoads) {
    test::TempDir dir;
    const auto m = groups(5, 30, 16);
    std::vector<std::string> names;
    for (std::int64_t i = 0; i < m.rows; ++i)
        names.push_back("clip" + std::to_string(i));
    for (std::int64_t limit : {std::int64_t{1000}, std::int64_t{10}}) {
        const auto built = SimilarityIndex::build(m, names, {.exact_limit = limit});
        const auto sub = dir / (limit > 100 ? "exact" : "hnsw");
        built.save(sub);
        const auto loaded = SimilarityIndex::load(sub);
        EXPECT_EQ(loaded.size(), m.rows);
        EXPECT_EQ(loaded.dim(), 16);
        EXPECT_EQ(loaded.approximate(), built.approximate());
        EXPECT_EQ(loaded.names(), names);
        const std::vector<float> q(m.data.begin() + 7 * 16, m.data.begin() + 8 * 16);
        const auto a = built.search(q, 5);
        const auto b = loaded.search(q, 5);
        ASSERT_EQ(a.size(), b.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
            EXPECT_EQ(a[i].id, b[i].id);
            EXPECT_FLOAT_EQ(a[i].score, b[i].score);
        }
        EXPECT_EQ(b[0].name, "clip7");
    }
}

TEST(SimilarityIndex, CorruptFilesAndMismatchesAreClearErrors) {
    test::TempDir dir;
    const auto m = groups(3, 10, 8);
    SimilarityIndex::build(m).save(dir / "idx");
    // Truncated index file.
    std::filesystem::resize_file(dir / "idx" / "index.faiss", 40);
    try {
        SimilarityIndex::load(dir / "idx");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::BadFormat);
        EXPECT_NE(e.context().find("index.faiss"), std::string::npos);
    }
    // Garbage index file.
    { std::ofstream(dir / "idx" / "index.faiss") << "this is not a FAISS index, just text"; }
    EXPECT_THROW(SimilarityIndex::load(dir / "idx"), Error);
    // Description that disagrees with the index (dimension mismatch).
    SimilarityIndex::build(m).save(dir / "idx2");
    SimilarityIndex::build(groups(3, 10, 12)).save(dir / "idx12");
    std::filesystem::copy_file(dir / "idx12" / "index.faiss", dir / "idx2" / "index.faiss",
                               std::filesystem::copy_options::overwrite_existing);
    try {
        SimilarityIndex::load(dir / "idx2");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::BadFormat);
        EXPECT_NE(std::string(e.what()).find("dimension 12"), std::string::npos);
    }
    // Corrupt description, missing folder.
    { std::ofstream(dir / "idx12" / "index.json") << "{ not json"; }
    EXPECT_THROW(SimilarityIndex::load(dir / "idx12"), Error);
    try {
        SimilarityIndex::load(dir / "nothing");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::FileNotFound);
    }
}

TEST(Clustering, KMeansRecoversSeparatedGroups) {
    std::vector<int> labels;
    const auto m = groups(4, 25, 16, &labels, 9);
    const auto r = kmeans(m, 4, 20, 1);
    ASSERT_EQ(r.assignments.size(), 100u);
    EXPECT_EQ(r.centroids.rows, 4);
    EXPECT_EQ(r.centroids.dim, 16);
    EXPECT_DOUBLE_EQ(clusterPurity(r.assignments, labels), 1.0);
    EXPECT_NEAR(adjustedRandIndex(r.assignments, labels), 1.0, 1e-12);
    EXPECT_THROW(kmeans(m, 0), Error);
    EXPECT_THROW(kmeans(m, 101), Error);
}

TEST(Clustering, PurityAndAdjustedRandIndexByHand) {
    // Clusters {0,0,1,1,1,2}, labels {a,a,a,b,b,b}: majorities 2 + 2 + 1 = 5 of 6.
    const std::vector<int> c = {0, 0, 1, 1, 1, 2};
    const std::vector<int> l = {0, 0, 0, 1, 1, 1};
    EXPECT_NEAR(clusterPurity(c, l), 5.0 / 6.0, 1e-12);
    // Contingency pairs: (0,0)=2 ->1, (1,0)=1, (1,1)=2 ->1, (2,1)=1: index 2. Rows 2,3,1 -> 1+3+0=4;
    // columns 3,3 -> 6; total 15; expected 4*6/15 = 1.6; max 5; ARI = 0.4 / 3.4.
    EXPECT_NEAR(adjustedRandIndex(c, l), 0.4 / 3.4, 1e-12);
    EXPECT_NEAR(adjustedRandIndex(l, l), 1.0, 1e-12);
    EXPECT_THROW(adjustedRandIndex(c, {0}), Error);
    EXPECT_THROW(clusterPurity({}, {}), Error);
}

TEST(Clustering, Pca2dKeepsTheMainDirection) {
    // Points on a line along (1, 1, 0) plus small noise: the first component spans them.
    EmbeddingMatrix m;
    m.dim = 3;
    std::mt19937 rng(3);
    std::normal_distribution<float> n(0.0f, 0.01f);
    for (int i = 0; i < 50; ++i) {
        const float t = static_cast<float>(i) - 24.5f;
        m.data.insert(m.data.end(), {t + n(rng), t + n(rng), n(rng)});
        ++m.rows;
    }
    const auto p = pca2d(m);
    ASSERT_EQ(p.rows, 50);
    ASSERT_EQ(p.dim, 2);
    // First coordinate is +-sqrt(2) t (up to noise), second near 0.
    for (int i = 0; i < 50; ++i) {
        const float t = static_cast<float>(i) - 24.5f;
        EXPECT_NEAR(std::abs(p.row(i)[0]), std::sqrt(2.0f) * std::abs(t), 0.1f);
        EXPECT_LT(std::abs(p.row(i)[1]), 0.1f);
    }
    EXPECT_THROW(pca2d(EmbeddingMatrix{.rows = 1, .dim = 3, .data = {1, 2, 3}}), Error);
}

// Fraction of rows whose k nearest rows (Euclidean) in `m` carry the same label.
double neighbourAgreement(const EmbeddingMatrix& m, const std::vector<int>& labels, int k) {
    int same = 0;
    for (std::int64_t i = 0; i < m.rows; ++i) {
        std::vector<std::pair<float, std::int64_t>> d;
        for (std::int64_t j = 0; j < m.rows; ++j) {
            if (j == i)
                continue;
            float s = 0;
            for (int c = 0; c < m.dim; ++c)
                s += (m.row(i)[c] - m.row(j)[c]) * (m.row(i)[c] - m.row(j)[c]);
            d.emplace_back(s, j);
        }
        std::partial_sort(d.begin(), d.begin() + k, d.end());
        for (int n = 0; n < k; ++n)
            same += labels[d[n].second] == labels[i];
    }
    return static_cast<double>(same) / static_cast<double>(m.rows * k);
}

TEST(Clustering, TsneKeepsNeighbourhoodsThatPcaMerges) {
    // Eight clusters around orthogonal directions of 8-d space: no 2-D linear projection keeps
    // them apart, t-SNE does.
    EmbeddingMatrix m;
    m.dim = 8;
    std::vector<int> labels;
    std::mt19937 rng(5);
    std::normal_distribution<float> noise(0.0f, 0.15f);
    for (int c = 0; c < 8; ++c)
        for (int i = 0; i < 30; ++i) {
            for (int d = 0; d < 8; ++d)
                m.data.push_back((d == c ? 1.0f : 0.0f) + noise(rng));
            ++m.rows;
            labels.push_back(c);
        }
    const auto t = tsne2d(m, {.perplexity = 20, .iterations = 500});
    ASSERT_EQ(t.rows, m.rows);
    ASSERT_EQ(t.dim, 2);
    for (float v : t.data)
        ASSERT_TRUE(std::isfinite(v));
    const double tsne = neighbourAgreement(t, labels, 5);
    const double pca = neighbourAgreement(pca2d(m), labels, 5);
    EXPECT_GT(tsne, 0.95) << "PCA: " << pca;
    EXPECT_GT(tsne, pca + 0.2);
    // Deterministic: the same input gives the same map.
    EXPECT_EQ(tsne2d(m, {.perplexity = 20, .iterations = 500}).data, t.data);
}

TEST(Clustering, TsneRefusesWhatItCannotDo) {
    EmbeddingMatrix small{.rows = 2, .dim = 2, .data = {1, 0, 0, 1}};
    EXPECT_THROW(tsne2d(small), Error);
    EmbeddingMatrix m{.rows = 10, .dim = 2, .data = std::vector<float>(20, 0.5f)};
    for (int i = 0; i < 20; ++i)
        m.data[i] += 0.1f * static_cast<float>(i % 7);
    EXPECT_THROW(tsne2d(m, {.perplexity = 10}), Error);           // perplexity >= rows
    EXPECT_THROW(tsne2d(m, {.perplexity = 3, .max_rows = 5}), Error);  // too many rows
    EXPECT_EQ(tsne2d(m, {.perplexity = 3, .iterations = 50}).rows, 10);
}

TEST(EmbeddingFolder, WritesAndReadsWhatTheBrowserNeeds) {
    test::TempDir dir;
    EmbeddingMatrix m{.rows = 6, .dim = 3, .data = {}};
    std::vector<std::string> names, labels;
    for (int i = 0; i < 6; ++i) {
        m.data.insert(m.data.end(), {i < 3 ? 1.f : 0.f, i < 3 ? 0.f : 1.f, 0.1f * static_cast<float>(i)});
        names.push_back("clip" + std::to_string(i) + ".wav");
        labels.push_back(i < 3 ? "yes" : "no");
    }
    EXPECT_EQ(writeEmbeddingFolder(dir.path(), m, names, labels, "auto"), "tsne");
    const EmbeddingFolder f = readEmbeddingFolder(dir.path());
    EXPECT_EQ(f.embeddings.rows, 6);
    EXPECT_EQ(f.embeddings.data, m.data);
    EXPECT_EQ(f.columns, (std::vector<std::string>{"file", "label"}));
    EXPECT_EQ(f.value(4, "label"), "no");
    EXPECT_EQ(f.value(4, "file"), "clip4.wav");
    EXPECT_EQ(f.value(4, "speaker"), "");
    ASSERT_EQ(f.projection.rows, 6);
    ASSERT_EQ(f.projection.dim, 2);
    EXPECT_EQ(SimilarityIndex::load(dir.path()).size(), 6);
    // PCA on request; none leaves no map.
    EXPECT_EQ(writeEmbeddingFolder(dir / "pca", m, names, labels, "pca"), "pca");
    EXPECT_EQ(readEmbeddingFolder(dir / "pca").projection.rows, 6);
    EXPECT_EQ(writeEmbeddingFolder(dir / "none", m, names, labels, "none"), "none");
    EXPECT_EQ(readEmbeddingFolder(dir / "none").projection.rows, 0);
    EXPECT_THROW(writeEmbeddingFolder(dir / "bad", m, names, labels, "umap"), Error);
    EXPECT_THROW(writeEmbeddingFolder(dir / "bad", m, {"one"}, {"x"}), Error);
}

TEST(EmbeddingFolder, RefusesMissingAndMismatchedFiles) {
    test::TempDir dir;
    try {
        readEmbeddingFolder(dir.path());
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::FileNotFound);
    }
    EmbeddingMatrix m{.rows = 3, .dim = 2, .data = {1, 0, 0, 1, 1, 1}};
    writeEmbeddingFolder(dir.path(), m, {"a", "b", "c"}, {"x", "y", "x"}, "none");
    test::writeText(dir / "projection.tsv", "x\ty\n1\t2\n3\t4\n");  // a row short
    try {
        readEmbeddingFolder(dir.path());
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::BadFormat);
        EXPECT_NE(std::string(e.what()).find("projection.tsv"), std::string::npos) << e.what();
    }
    test::writeText(dir / "projection.tsv", "x\ty\n1\t2\n3\t4\n5\tfive\n");
    EXPECT_THROW(readEmbeddingFolder(dir.path()), Error);
}
