#include "patchout/metrics.h"

#include "patchout/error.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <string>
#include <thread>

namespace patchout {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Takes a literal: the checks sit in loops over millions of scores, where building a std::string
// message per call would cost more than the metric.
void require(bool ok, const char* message) {
    if (!ok)
        throw Error(ErrorCode::InvalidArgument, message, "metrics");
}

[[noreturn]] void fail(const std::string& message) {
    throw Error(ErrorCode::InvalidArgument, message, "metrics");
}

void checkLabels(std::span<const int> labels, std::size_t nClasses, const char* what) {
    if (labels.empty())
        fail(std::string(what) + ": no samples");
    for (std::size_t i = 0; i < labels.size(); ++i)
        if (labels[i] < 0 || static_cast<std::size_t>(labels[i]) >= nClasses)
            fail(std::string(what) + ": label " + std::to_string(labels[i]) + " of sample " +
                 std::to_string(i) + " is outside [0, " + std::to_string(nClasses) + ")");
}

void checkScores(const ScoreMatrix& scores) {
    require(scores.n_samples > 0 && scores.n_classes > 0, "scores: no samples or no classes");
    require(scores.values.size() == scores.n_samples * scores.n_classes,
            "scores: values.size() is not n_samples * n_classes");
}

void checkTruth(const LabelMatrix& truth, const ScoreMatrix& scores) {
    checkScores(scores);
    require(truth.n_samples == scores.n_samples && truth.n_classes == scores.n_classes,
            "labels and scores differ in shape");
    require(truth.values.size() == truth.n_samples * truth.n_classes,
            "labels: values.size() is not n_samples * n_classes");
}

unsigned workerCount(std::size_t n, unsigned threads) {
    const unsigned count = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
    return static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(count, n)));
}

// Runs body(i, worker) for i in [0, n) on workerCount(n, threads) threads (0: all cores); worker
// indexes per-thread scratch space. Classes are independent, so this is where a 527-class
// evaluation gets its speed on a many-core machine.
template <typename Body>
void parallelFor(std::size_t n, unsigned threads, Body body) {
    const unsigned count = workerCount(n, threads);
    if (count <= 1) {
        for (std::size_t i = 0; i < n; ++i)
            body(i, 0u);
        return;
    }
    std::atomic<std::size_t> next{0};
    std::exception_ptr failure;
    std::atomic<bool> failed{false};
    auto work = [&](unsigned worker) {
        try {
            for (std::size_t i = next++; i < n && !failed; i = next++)
                body(i, worker);
        } catch (...) {
            if (!failed.exchange(true))
                failure = std::current_exception();
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < count; ++t)
        pool.emplace_back(work, t);
    work(0);
    for (auto& t : pool)
        t.join();
    if (failure)
        std::rethrow_exception(failure);
}

struct Scored {
    double score;
    std::uint8_t positive;
};

// Cumulative true/false positives at each distinct score, from the highest score down: the
// _binary_clf_curve of scikit-learn. Sorting is the whole cost; the order within ties does not
// matter because only the counts at the end of each tie group are kept.
struct ClfCurve {
    std::vector<std::int64_t> tps, fps;
    std::vector<double> thresholds;
};

ClfCurve clfCurveBySort(std::vector<Scored>& items) {
    std::sort(items.begin(), items.end(),
              [](const Scored& a, const Scored& b) { return a.score > b.score; });
    ClfCurve curve;
    std::int64_t tp = 0, fp = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (items[i].positive)
            ++tp;
        else
            ++fp;
        if (i + 1 == items.size() || items[i + 1].score != items[i].score) {
            curve.tps.push_back(tp);
            curve.fps.push_back(fp);
            curve.thresholds.push_back(items[i].score);
        }
    }
    return curve;
}

// The fast path: when all scores have the same sign (probabilities, or all-negative log
// probabilities), a score's order-preserving 64-bit key loses nothing when shifted left by one, so
// the label fits in the lowest bit and one radix sort of plain integers replaces a comparison sort
// of (score, label) pairs. Scores converted from float32 have 29 constant low bits, and the digits
// that are constant over the whole array are skipped.
std::uint64_t orderKey(double score) {
    if (score == 0)
        score = 0.0;  // -0.0 and +0.0 are the same threshold
    std::uint64_t u;
    std::memcpy(&u, &score, sizeof u);
    return (u >> 63) ? ~u : (u | (std::uint64_t{1} << 63));
}

double scoreOfKey(std::uint64_t key) {
    const std::uint64_t u = (key >> 63) ? (key & ~(std::uint64_t{1} << 63)) : ~key;
    double d;
    std::memcpy(&d, &u, sizeof d);
    return d;
}

bool sameSign(std::span<const double> scores) {
    if (scores.empty())
        return true;
    const auto top = orderKey(scores[0]) >> 63;
    return std::all_of(scores.begin(), scores.end(),
                       [top](double s) { return (orderKey(s) >> 63) == top; });
}

// (orderKey(score) << 1) | label; clfCurveByRadix gets the dropped (constant) top bit back.
std::uint64_t packKey(double score, bool positive) {
    return (orderKey(score) << 1) | (positive ? 1u : 0u);
}

// LSD radix sort of data[0, n) on bits [low, high] in passes of at most 11 bits; tmp holds n.
// Leaves the result in data.
void lsdRadix(std::uint64_t* data, std::uint64_t* tmp, std::size_t n, int low, int high) {
    if (n < 2 || high < low)
        return;
    const int span = high - low + 1, passes = (span + 10) / 11, bits = (span + passes - 1) / passes;
    const std::uint64_t mask = (std::uint64_t{1} << bits) - 1;
    std::vector<std::size_t> count(std::size_t{1} << bits);
    std::uint64_t *from = data, *to = tmp;
    for (int pass = 0; pass < passes; ++pass) {
        const int shift = low + pass * bits;
        std::fill(count.begin(), count.end(), 0);
        for (std::size_t i = 0; i < n; ++i)
            ++count[(from[i] >> shift) & mask];
        std::size_t sum = 0;
        for (auto& c : count) {
            const auto here = c;
            c = sum;
            sum += here;
        }
        for (std::size_t i = 0; i < n; ++i)
            to[count[(from[i] >> shift) & mask]++] = from[i];
        std::swap(from, to);
    }
    if (from != data)
        std::copy(from, from + n, data);
}

// Only the bits that vary are sorted. Large arrays (the micro average: every clip x class) are
// first split by their top bits, so that the remaining passes run on buckets that fit in cache
// instead of streaming the whole array through memory once per pass.
void radixSort(std::vector<std::uint64_t>& keys, std::vector<std::uint64_t>& buffer) {
    if (keys.size() < 2)
        return;
    std::uint64_t varying = 0;
    for (auto k : keys)
        varying |= k ^ keys[0];
    varying &= ~std::uint64_t{1};  // the label bit need not be sorted
    if (varying == 0)
        return;
    const int low = std::countr_zero(varying), high = 63 - std::countl_zero(varying);
    buffer.resize(keys.size());
    if (keys.size() < (std::size_t{1} << 21) || high - low < 22) {
        lsdRadix(keys.data(), buffer.data(), keys.size(), low, high);
        return;
    }
    constexpr int kTopBits = 11;
    const int shift = high + 1 - kTopBits;
    const std::uint64_t mask = (std::uint64_t{1} << kTopBits) - 1;
    std::vector<std::size_t> count((std::size_t{1} << kTopBits) + 1, 0);
    for (auto k : keys)
        ++count[((k >> shift) & mask) + 1];
    for (std::size_t b = 1; b < count.size(); ++b)
        count[b] += count[b - 1];
    std::vector<std::size_t> next(count.begin(), count.end() - 1);
    for (auto k : keys)
        buffer[next[(k >> shift) & mask]++] = k;
    // Each bucket is sorted in place in `buffer`, with its slice of `keys` as scratch.
    for (std::size_t b = 0; b + 1 < count.size(); ++b)
        lsdRadix(buffer.data() + count[b], keys.data() + count[b], count[b + 1] - count[b], low,
                 shift - 1);
    keys.swap(buffer);
}

void clfCurveByRadix(std::vector<std::uint64_t>& keys, std::vector<std::uint64_t>& buffer,
                     std::uint64_t topBit, ClfCurve& curve) {
    radixSort(keys, buffer);
    curve.tps.clear();
    curve.fps.clear();
    curve.thresholds.clear();
    std::int64_t tp = 0, fp = 0;
    for (std::size_t i = keys.size(); i-- > 0;) {
        if (keys[i] & 1)
            ++tp;
        else
            ++fp;
        if (i == 0 || (keys[i - 1] >> 1) != (keys[i] >> 1)) {
            curve.tps.push_back(tp);
            curve.fps.push_back(fp);
            curve.thresholds.push_back(scoreOfKey((keys[i] >> 1) | (topBit << 63)));
        }
    }
}

// Scores and labels of one binary problem, read with a stride (a column of a row-major matrix).
ClfCurve clfCurve(const double* scores, const std::uint8_t* truth, std::size_t n,
                  std::size_t stride, bool packable) {
    if (packable) {
        std::vector<std::uint64_t> keys(n), buffer;
        for (std::size_t i = 0; i < n; ++i)
            keys[i] = packKey(scores[i * stride], truth[i * stride] != 0);
        ClfCurve curve;
        clfCurveByRadix(keys, buffer, n ? orderKey(scores[0]) >> 63 : 0, curve);
        return curve;
    }
    std::vector<Scored> items(n);
    for (std::size_t i = 0; i < n; ++i)
        items[i] = {scores[i * stride], static_cast<std::uint8_t>(truth[i * stride] != 0)};
    return clfCurveBySort(items);
}

// Indices of at most maxPoints evenly spaced points out of n, both ends kept (all for 0).
std::vector<std::size_t> evenlySpaced(std::size_t n, std::size_t maxPoints) {
    std::vector<std::size_t> idx;
    if (maxPoints < 2 || n <= maxPoints) {
        idx.resize(n);
        std::iota(idx.begin(), idx.end(), std::size_t{0});
        return idx;
    }
    idx.resize(maxPoints);
    for (std::size_t k = 0; k < maxPoints; ++k)
        idx[k] = static_cast<std::size_t>(std::llround(static_cast<double>(k) *
                                                       static_cast<double>(n - 1) /
                                                       static_cast<double>(maxPoints - 1)));
    return idx;
}

BinaryRanking rankingFromCurve(const ClfCurve& c, bool keepCurves, std::size_t maxPoints = 0) {
    BinaryRanking r;
    const std::size_t m = c.tps.size();
    r.positives = c.tps.back();
    r.negatives = c.fps.back();
    const double P = static_cast<double>(r.positives), N = static_cast<double>(r.negatives);

    if (r.positives > 0 && r.negatives > 0) {
        // Trapezoids in integer arithmetic, exact up to the final division: the sum is at most
        // 2 P N, which fits 64 bits below 4e9 scores.
        std::int64_t area2 = 0, prevTp = 0, prevFp = 0;
        for (std::size_t i = 0; i < m; ++i) {
            area2 += (c.fps[i] - prevFp) * (c.tps[i] + prevTp);
            prevTp = c.tps[i];
            prevFp = c.fps[i];
        }
        r.roc_auc = static_cast<double>(area2) / (2.0 * P * N);
    } else {
        r.roc_auc = kNaN;
    }

    if (r.positives > 0) {
        double ap = 0;
        std::int64_t prevTp = 0;
        for (std::size_t i = 0; i < m; ++i) {
            if (c.tps[i] != prevTp)
                ap += (static_cast<double>(c.tps[i] - prevTp) / P) *
                      (static_cast<double>(c.tps[i]) / static_cast<double>(c.tps[i] + c.fps[i]));
            prevTp = c.tps[i];
        }
        r.average_precision = ap;
    } else {
        r.average_precision = kNaN;
    }

    if (keepCurves) {
        if (!std::isnan(r.roc_auc)) {
            std::vector<std::size_t> keep;
            for (std::size_t i = 0; i < m; ++i) {
                const bool ends = (i == 0 || i + 1 == m);
                if (m <= 2 || ends || c.fps[i + 1] - 2 * c.fps[i] + c.fps[i - 1] != 0 ||
                    c.tps[i + 1] - 2 * c.tps[i] + c.tps[i - 1] != 0)
                    keep.push_back(i);
            }
            // Point 0 is the origin (threshold: the highest score + 1), point j > 0 is keep[j - 1].
            for (std::size_t j : evenlySpaced(keep.size() + 1, maxPoints)) {
                if (j == 0) {
                    r.roc.fpr.push_back(0);
                    r.roc.tpr.push_back(0);
                    r.roc.thresholds.push_back(c.thresholds[0] + 1);
                    continue;
                }
                const std::size_t i = keep[j - 1];
                r.roc.fpr.push_back(static_cast<double>(c.fps[i]) / N);
                r.roc.tpr.push_back(static_cast<double>(c.tps[i]) / P);
                r.roc.thresholds.push_back(c.thresholds[i]);
            }
        }
        if (r.positives > 0) {
            // Point j < m is threshold m - 1 - j (recall decreasing), point m the final (0, 1),
            // which has no threshold.
            for (std::size_t j : evenlySpaced(m + 1, maxPoints)) {
                if (j == m) {
                    r.pr.precision.push_back(1);
                    r.pr.recall.push_back(0);
                    continue;
                }
                const std::size_t k = m - 1 - j;
                r.pr.precision.push_back(static_cast<double>(c.tps[k]) /
                                         static_cast<double>(c.tps[k] + c.fps[k]));
                r.pr.recall.push_back(static_cast<double>(c.tps[k]) / P);
                r.pr.thresholds.push_back(c.thresholds[k]);
            }
        }
    }
    return r;
}

double mean(const std::vector<double>& v) {
    if (v.empty())
        return kNaN;
    return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

Calibration calibrationFrom(const std::vector<double>& confidence,
                            const std::vector<std::uint8_t>& correct, int nBins) {
    require(nBins >= 1, "calibration: n_bins must be at least 1");
    // The edges numpy.linspace(0, 1, n_bins + 1) gives, so values on edges land where
    // calibration_curve puts them.
    const double step = 1.0 / nBins;
    std::vector<double> inner;
    for (int i = 1; i < nBins; ++i)
        inner.push_back(i * step);
    Calibration cal;
    cal.bins.resize(static_cast<std::size_t>(nBins));
    std::vector<double> sumConfidence(cal.bins.size(), 0.0), sumCorrect(cal.bins.size(), 0.0);
    for (std::size_t i = 0; i < confidence.size(); ++i) {
        const auto bin = static_cast<std::size_t>(
            std::lower_bound(inner.begin(), inner.end(), confidence[i]) - inner.begin());
        ++cal.bins[bin].count;
        sumConfidence[bin] += confidence[i];
        sumCorrect[bin] += correct[i];
    }
    const double total = static_cast<double>(confidence.size());
    for (std::size_t b = 0; b < cal.bins.size(); ++b) {
        auto& bin = cal.bins[b];
        bin.lower = static_cast<double>(b) * step;
        bin.upper = b + 1 == cal.bins.size() ? 1.0 : static_cast<double>(b + 1) * step;
        if (bin.count == 0)
            continue;
        const double n = static_cast<double>(bin.count);
        bin.mean_confidence = sumConfidence[b] / n;
        bin.accuracy = sumCorrect[b] / n;
        const double gap = std::abs(bin.accuracy - bin.mean_confidence);
        cal.expected_calibration_error += n / total * gap;
        cal.maximum_calibration_error = std::max(cal.maximum_calibration_error, gap);
    }
    return cal;
}

}  // namespace

// ---- single-label ---------------------------------------------------------------------------

std::vector<int> argmaxPredictions(const ScoreMatrix& scores) {
    checkScores(scores);
    std::vector<int> pred(scores.n_samples);
    for (std::size_t i = 0; i < scores.n_samples; ++i) {
        const auto row = scores.row(i);
        pred[i] = static_cast<int>(std::max_element(row.begin(), row.end()) - row.begin());
    }
    return pred;
}

LabelMatrix oneHot(std::span<const int> labels, std::size_t nClasses) {
    checkLabels(labels, nClasses, "oneHot");
    LabelMatrix m{labels.size(), nClasses, std::vector<std::uint8_t>(labels.size() * nClasses, 0)};
    for (std::size_t i = 0; i < labels.size(); ++i)
        m.values[i * nClasses + static_cast<std::size_t>(labels[i])] = 1;
    return m;
}

double accuracy(std::span<const int> yTrue, std::span<const int> yPred) {
    require(!yTrue.empty(), "accuracy: no samples");
    require(yTrue.size() == yPred.size(), "accuracy: y_true and y_pred differ in length");
    std::size_t right = 0;
    for (std::size_t i = 0; i < yTrue.size(); ++i)
        right += yTrue[i] == yPred[i];
    return static_cast<double>(right) / static_cast<double>(yTrue.size());
}

std::pair<double, double> wilsonInterval(double successes, std::size_t n, double z) {
    if (n == 0)
        return {0.0, 1.0};
    require(successes >= 0 && successes <= static_cast<double>(n), "wilsonInterval: successes outside [0, n]");
    const double nn = static_cast<double>(n), p = successes / nn, z2 = z * z;
    const double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
    const double half = z * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / (1 + z2 / nn);
    return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

double topKAccuracy(std::span<const int> yTrue, const ScoreMatrix& scores, int k) {
    checkScores(scores);
    checkLabels(yTrue, scores.n_classes, "topKAccuracy");
    require(yTrue.size() == scores.n_samples, "topKAccuracy: labels and scores differ in length");
    require(k >= 1, "topKAccuracy: k must be at least 1");
    std::size_t hits = 0;
    for (std::size_t i = 0; i < scores.n_samples; ++i) {
        const auto row = scores.row(i);
        const auto t = static_cast<std::size_t>(yTrue[i]);
        const double s = row[t];
        std::size_t ahead = 0;
        for (std::size_t j = 0; j < row.size(); ++j)
            ahead += row[j] > s || (row[j] == s && j > t);
        hits += ahead < static_cast<std::size_t>(k);
    }
    return static_cast<double>(hits) / static_cast<double>(scores.n_samples);
}

std::vector<double> ConfusionMatrix::rowNormalised() const {
    std::vector<double> out(counts.size(), 0.0);
    for (std::size_t r = 0; r < n_classes; ++r) {
        std::int64_t sum = 0;
        for (std::size_t c = 0; c < n_classes; ++c)
            sum += at(r, c);
        if (sum == 0)
            continue;
        for (std::size_t c = 0; c < n_classes; ++c)
            out[r * n_classes + c] = static_cast<double>(at(r, c)) / static_cast<double>(sum);
    }
    return out;
}

ConfusionMatrix confusionMatrix(std::span<const int> yTrue, std::span<const int> yPred,
                                std::size_t nClasses) {
    require(nClasses > 0, "confusionMatrix: no classes");
    checkLabels(yTrue, nClasses, "confusionMatrix (y_true)");
    checkLabels(yPred, nClasses, "confusionMatrix (y_pred)");
    require(yTrue.size() == yPred.size(), "confusionMatrix: y_true and y_pred differ in length");
    ConfusionMatrix m{nClasses, std::vector<std::int64_t>(nClasses * nClasses, 0)};
    for (std::size_t i = 0; i < yTrue.size(); ++i)
        ++m.counts[static_cast<std::size_t>(yTrue[i]) * nClasses + static_cast<std::size_t>(yPred[i])];
    return m;
}

double balancedAccuracy(const ConfusionMatrix& confusion) {
    std::vector<double> recalls;
    for (std::size_t r = 0; r < confusion.n_classes; ++r) {
        std::int64_t sum = 0;
        for (std::size_t c = 0; c < confusion.n_classes; ++c)
            sum += confusion.at(r, c);
        if (sum > 0)
            recalls.push_back(static_cast<double>(confusion.at(r, r)) / static_cast<double>(sum));
    }
    require(!recalls.empty(), "balancedAccuracy: no samples");
    return mean(recalls);
}

double cohenKappa(const ConfusionMatrix& confusion) {
    const std::size_t n = confusion.n_classes;
    std::vector<double> rows(n, 0.0), cols(n, 0.0);
    double total = 0, offDiagonal = 0;
    for (std::size_t r = 0; r < n; ++r)
        for (std::size_t c = 0; c < n; ++c) {
            const auto v = static_cast<double>(confusion.at(r, c));
            rows[r] += v;
            cols[c] += v;
            total += v;
            if (r != c)
                offDiagonal += v;
        }
    require(total > 0, "cohenKappa: no samples");
    // Expected disagreement sum_{i != j} cols_i rows_j / total, written without the n^2 loop.
    double agreeByChance = 0;
    for (std::size_t i = 0; i < n; ++i)
        agreeByChance += cols[i] * rows[i];
    const double expectedOff = (total * total - agreeByChance) / total;
    return 1.0 - offDiagonal / expectedOff;
}

double logLoss(std::span<const int> yTrue, const ScoreMatrix& probabilities) {
    checkScores(probabilities);
    checkLabels(yTrue, probabilities.n_classes, "logLoss");
    require(yTrue.size() == probabilities.n_samples, "logLoss: labels and scores differ in length");
    constexpr double eps = std::numeric_limits<double>::epsilon();
    double loss = 0;
    for (std::size_t i = 0; i < probabilities.n_samples; ++i) {
        const auto row = probabilities.row(i);
        double sum = 0;
        for (double p : row)
            sum += std::clamp(p, eps, 1.0 - eps);
        const double p = std::clamp(row[static_cast<std::size_t>(yTrue[i])], eps, 1.0 - eps);
        loss -= std::log(p / sum);
    }
    return loss / static_cast<double>(probabilities.n_samples);
}

std::vector<ClassCounts> classCounts(const ConfusionMatrix& confusion) {
    const std::size_t n = confusion.n_classes;
    std::vector<ClassCounts> out(n);
    std::int64_t total = 0;
    std::vector<std::int64_t> rows(n, 0), cols(n, 0);
    for (std::size_t r = 0; r < n; ++r)
        for (std::size_t c = 0; c < n; ++c) {
            rows[r] += confusion.at(r, c);
            cols[c] += confusion.at(r, c);
            total += confusion.at(r, c);
        }
    for (std::size_t c = 0; c < n; ++c) {
        out[c].tp = confusion.at(c, c);
        out[c].fp = cols[c] - out[c].tp;
        out[c].fn = rows[c] - out[c].tp;
        out[c].tn = total - out[c].tp - out[c].fp - out[c].fn;
    }
    return out;
}

ClassificationReport classificationReport(std::span<const ClassCounts> counts,
                                          ZeroDivision zeroDivision) {
    require(!counts.empty(), "classificationReport: no classes");
    const double zd = zeroDivision == ZeroDivision::One ? 1.0 : 0.0;
    auto prf = [zd](std::int64_t tp, std::int64_t predicted, std::int64_t actual) {
        PrecisionRecallF1 v;
        v.precision = predicted == 0 ? zd : static_cast<double>(tp) / static_cast<double>(predicted);
        v.recall = actual == 0 ? zd : static_cast<double>(tp) / static_cast<double>(actual);
        const double denom = v.precision + v.recall;
        v.f1 = denom == 0 ? 0.0 : 2 * v.precision * v.recall / denom;
        v.support = actual;
        return v;
    };
    ClassificationReport rep;
    std::int64_t tp = 0, predicted = 0, actual = 0;
    for (const auto& c : counts) {
        rep.per_class.push_back(prf(c.tp, c.tp + c.fp, c.tp + c.fn));
        tp += c.tp;
        predicted += c.tp + c.fp;
        actual += c.tp + c.fn;
    }
    rep.micro = prf(tp, predicted, actual);
    const double n = static_cast<double>(counts.size());
    double sp = 0, sr = 0, sf = 0;
    for (const auto& v : rep.per_class) {
        sp += v.precision;
        sr += v.recall;
        sf += v.f1;
    }
    rep.macro = {sp / n, sr / n, sf / n, actual};
    if (actual == 0) {
        // scikit-learn's rule when no class has a true instance.
        rep.weighted = predicted == 0 ? PrecisionRecallF1{zd, zd, zd, 0}
                                      : PrecisionRecallF1{0.0, zd, 0.0, 0};
    } else {
        double wp = 0, wr = 0, wf = 0;
        for (const auto& v : rep.per_class) {
            const double w = static_cast<double>(v.support);
            wp += v.precision * w;
            wr += v.recall * w;
            wf += v.f1 * w;
        }
        const double a = static_cast<double>(actual);
        rep.weighted = {wp / a, wr / a, wf / a, actual};
    }
    return rep;
}

// ---- ranking ---------------------------------------------------------------------------------

BinaryRanking binaryRanking(std::span<const double> scores, std::span<const std::uint8_t> truth,
                            bool keepCurves) {
    require(!scores.empty(), "binaryRanking: no samples");
    require(scores.size() == truth.size(), "binaryRanking: scores and labels differ in length");
    for (std::size_t i = 0; i < scores.size(); ++i)
        if (!std::isfinite(scores[i]))
            fail("binaryRanking: score " + std::to_string(i) + " is not finite");
    return rankingFromCurve(
        clfCurve(scores.data(), truth.data(), scores.size(), 1, sameSign(scores)), keepCurves);
}

double rocAuc(std::span<const double> scores, std::span<const std::uint8_t> truth) {
    return binaryRanking(scores, truth).roc_auc;
}

double averagePrecision(std::span<const double> scores, std::span<const std::uint8_t> truth) {
    return binaryRanking(scores, truth).average_precision;
}

double inverseNormalCdf(double p) {
    if (!(p >= 0 && p <= 1))
        return kNaN;
    if (p == 0)
        return -std::numeric_limits<double>::infinity();
    if (p == 1)
        return std::numeric_limits<double>::infinity();
    // 1 - p is exact for p >= 0.5; refining in the lower tail avoids cancellation near 1.
    if (p > 0.5)
        return -inverseNormalCdf(1 - p);
    // Acklam's rational approximation (relative error 1.15e-9), then one Halley step on
    // Phi(x) = erfc(-x / sqrt 2) / 2, which brings it to full double precision.
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                               -2.759285104469687e+02, 1.383577518672690e+02,
                               -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                               -1.556989798598866e+02, 6.680131188771972e+01,
                               -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                               2.445134137142996e+00, 3.754408661907416e+00};
    const double low = 0.02425;
    double x;
    if (p < low) {
        const double q = std::sqrt(-2 * std::log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else if (p <= 1 - low) {
        const double q = p - 0.5, r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    } else {
        const double q = std::sqrt(-2 * std::log(1 - p));
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    for (int step = 0; step < 2; ++step) {
        const double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
        const double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
        x = x - u / (1 + x * u / 2);
    }
    return x;
}

double dPrime(double auc) { return std::sqrt(2.0) * inverseNormalCdf(auc); }

RankingMetrics rankingMetrics(const LabelMatrix& truth, const ScoreMatrix& scores,
                              const RankingOptions& options) {
    checkTruth(truth, scores);
    if (!std::all_of(scores.values.begin(), scores.values.end(),
                     [](double v) { return std::isfinite(v); }))
        fail("rankingMetrics: scores contain NaN or infinity");
    const std::size_t n = scores.n_samples, C = scores.n_classes;
    RankingMetrics out;
    out.per_class.resize(C);
    const bool packable = sameSign(scores.values);
    const std::uint64_t topBit = orderKey(scores.values[0]) >> 63;
    // Job 0 is the micro average (every (clip, class) pair: the largest sort), handed out first so
    // it runs alongside the classes. The classes go in blocks of 8: one 64-byte row segment feeds
    // 8 columns, instead of one cache miss per score. Scratch space is per worker, reused.
    constexpr std::size_t kBlock = 8;
    const std::size_t jobs = (C + kBlock - 1) / kBlock + 1;
    struct Scratch {
        std::vector<std::vector<std::uint64_t>> keys;
        std::vector<std::uint64_t> buffer;
        ClfCurve curve;
    };
    std::vector<Scratch> scratch(workerCount(jobs, options.threads));
    BinaryRanking micro;
    parallelFor(jobs, options.threads, [&](std::size_t job, unsigned worker) {
        if (job == 0) {
            micro = rankingFromCurve(
                clfCurve(scores.values.data(), truth.values.data(), n * C, 1, packable), false);
            return;
        }
        const std::size_t c0 = (job - 1) * kBlock, c1 = std::min(C, c0 + kBlock);
        if (!packable) {
            for (std::size_t c = c0; c < c1; ++c)
                out.per_class[c] = rankingFromCurve(
                    clfCurve(scores.values.data() + c, truth.values.data() + c, n, C, false),
                    options.keep_curves, options.max_curve_points);
            return;
        }
        auto& s = scratch[worker];
        s.keys.resize(kBlock);
        for (auto& k : s.keys)
            k.resize(n);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t c = c0; c < c1; ++c)
                s.keys[c - c0][i] = packKey(scores.values[i * C + c], truth.values[i * C + c] != 0);
        for (std::size_t c = c0; c < c1; ++c) {
            clfCurveByRadix(s.keys[c - c0], s.buffer, topBit, s.curve);
            out.per_class[c] =
                rankingFromCurve(s.curve, options.keep_curves, options.max_curve_points);
        }
    });

    std::vector<double> aucs, aps;
    double wAuc = 0, wAucSum = 0, wAp = 0, wApSum = 0;
    for (std::size_t c = 0; c < C; ++c) {
        const auto& r = out.per_class[c];
        const double w = static_cast<double>(r.positives);
        if (r.positives == 0)
            out.classes_without_positives.push_back(c);
        else if (r.negatives == 0)
            out.classes_without_negatives.push_back(c);
        if (!std::isnan(r.roc_auc)) {
            aucs.push_back(r.roc_auc);
            wAuc += r.roc_auc * w;
            wAucSum += w;
        }
        if (!std::isnan(r.average_precision)) {
            aps.push_back(r.average_precision);
            wAp += r.average_precision * w;
            wApSum += w;
        }
    }
    out.macro_roc_auc = mean(aucs);
    out.weighted_roc_auc = wAucSum > 0 ? wAuc / wAucSum : kNaN;
    out.mean_average_precision = mean(aps);
    out.weighted_average_precision = wApSum > 0 ? wAp / wApSum : kNaN;
    out.d_prime = dPrime(out.macro_roc_auc);

    out.micro_roc_auc = micro.roc_auc;
    out.micro_average_precision = micro.average_precision;
    return out;
}

// ---- calibration -------------------------------------------------------------------------------

Calibration topLabelCalibration(std::span<const int> yTrue, const ScoreMatrix& probabilities,
                                int nBins) {
    checkScores(probabilities);
    checkLabels(yTrue, probabilities.n_classes, "topLabelCalibration");
    require(yTrue.size() == probabilities.n_samples,
            "topLabelCalibration: labels and scores differ in length");
    const auto pred = argmaxPredictions(probabilities);
    std::vector<double> confidence(pred.size());
    std::vector<std::uint8_t> correct(pred.size());
    for (std::size_t i = 0; i < pred.size(); ++i) {
        confidence[i] = probabilities.at(i, static_cast<std::size_t>(pred[i]));
        correct[i] = pred[i] == yTrue[i];
    }
    return calibrationFrom(confidence, correct, nBins);
}

Calibration binaryCalibration(const LabelMatrix& truth, const ScoreMatrix& probabilities,
                              int nBins) {
    checkTruth(truth, probabilities);
    return calibrationFrom(probabilities.values, truth.values, nBins);
}

// ---- multi-label decisions -----------------------------------------------------------------

LabelMatrix applyThresholds(const ScoreMatrix& scores, std::span<const double> thresholds) {
    checkScores(scores);
    require(thresholds.size() == scores.n_classes, "applyThresholds: one threshold per class");
    LabelMatrix out{scores.n_samples, scores.n_classes,
                    std::vector<std::uint8_t>(scores.values.size(), 0)};
    for (std::size_t i = 0; i < scores.n_samples; ++i)
        for (std::size_t c = 0; c < scores.n_classes; ++c)
            out.values[i * scores.n_classes + c] = scores.at(i, c) >= thresholds[c];
    return out;
}

std::vector<ClassCounts> classCounts(const LabelMatrix& truth, const LabelMatrix& predicted) {
    require(truth.n_samples > 0, "classCounts: no samples");
    require(truth.n_samples == predicted.n_samples && truth.n_classes == predicted.n_classes,
            "classCounts: labels and predictions differ in shape");
    std::vector<ClassCounts> out(truth.n_classes);
    for (std::size_t i = 0; i < truth.n_samples; ++i)
        for (std::size_t c = 0; c < truth.n_classes; ++c) {
            const bool t = truth.at(i, c), p = predicted.at(i, c);
            auto& k = out[c];
            (t ? (p ? k.tp : k.fn) : (p ? k.fp : k.tn))++;
        }
    return out;
}

double subsetAccuracy(const LabelMatrix& truth, const LabelMatrix& predicted) {
    require(truth.n_samples > 0, "subsetAccuracy: no samples");
    require(truth.values.size() == predicted.values.size(), "subsetAccuracy: shapes differ");
    std::size_t exact = 0;
    for (std::size_t i = 0; i < truth.n_samples; ++i)
        exact += std::equal(truth.values.begin() + static_cast<std::ptrdiff_t>(i * truth.n_classes),
                            truth.values.begin() +
                                static_cast<std::ptrdiff_t>((i + 1) * truth.n_classes),
                            predicted.values.begin() +
                                static_cast<std::ptrdiff_t>(i * truth.n_classes));
    return static_cast<double>(exact) / static_cast<double>(truth.n_samples);
}

double hammingLoss(const LabelMatrix& truth, const LabelMatrix& predicted) {
    require(!truth.values.empty(), "hammingLoss: no samples");
    require(truth.values.size() == predicted.values.size(), "hammingLoss: shapes differ");
    std::size_t wrong = 0;
    for (std::size_t k = 0; k < truth.values.size(); ++k)
        wrong += (truth.values[k] != 0) != (predicted.values[k] != 0);
    return static_cast<double>(wrong) / static_cast<double>(truth.values.size());
}

std::vector<ThresholdChoice> tuneThresholds(const LabelMatrix& truth, const ScoreMatrix& scores,
                                            double fallback) {
    checkTruth(truth, scores);
    const std::size_t n = scores.n_samples, C = scores.n_classes;
    std::vector<ThresholdChoice> out(C);
    const bool packable = sameSign(scores.values);
    parallelFor(C, 0, [&](std::size_t c, unsigned) {
        const auto curve =
            clfCurve(scores.values.data() + c, truth.values.data() + c, n, C, packable);
        const std::int64_t P = curve.tps.back();
        ThresholdChoice best{fallback, 0.0, P > 0};
        if (P > 0) {
            double bestF1 = -1;
            for (std::size_t k = 0; k < curve.tps.size(); ++k) {
                const auto tp = static_cast<double>(curve.tps[k]);
                const double f1 = 2 * tp / (2 * tp + static_cast<double>(curve.fps[k]) +
                                            static_cast<double>(P - curve.tps[k]));
                if (f1 > bestF1) {
                    bestF1 = f1;
                    best.threshold = curve.thresholds[k];
                }
            }
            best.f1 = bestF1;
        }
        out[c] = best;
    });
    return out;
}

}  // namespace patchout
