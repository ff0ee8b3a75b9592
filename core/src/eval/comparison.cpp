#include "patchout/error.h"
#include "patchout/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <set>

namespace patchout {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string clipKey(const Predictions& p, std::size_t i, bool withWindow) {
    if (!withWindow)
        return p.files[i];
    char buf[64];
    std::snprintf(buf, sizeof buf, "@%.17g-%.17g", p.start_s[i], p.end_s[i]);
    return p.files[i] + buf;
}

Predictions subset(const Predictions& p, const std::vector<std::size_t>& clips,
                   const std::vector<std::size_t>& classOrder) {
    Predictions out;
    out.multi_label = p.multi_label;
    const std::size_t C = classOrder.size();
    // classOrder[c] = this side's column holding our class c.
    std::vector<int> toOurs(C);
    for (std::size_t c = 0; c < C; ++c)
        toOurs[classOrder[c]] = static_cast<int>(c);
    for (std::size_t c = 0; c < C; ++c)
        out.classes.push_back(p.classes[classOrder[c]]);
    out.scores.n_classes = C;
    for (std::size_t i : clips) {
        out.files.push_back(p.files[i]);
        if (p.hasTimeWindows()) {
            out.start_s.push_back(p.start_s[i]);
            out.end_s.push_back(p.end_s[i]);
        }
        std::vector<int> labels;
        for (int l : p.labels[i])
            labels.push_back(toOurs[static_cast<std::size_t>(l)]);
        std::sort(labels.begin(), labels.end());
        out.labels.push_back(labels);
        for (std::size_t c = 0; c < C; ++c)
            out.scores.values.push_back(p.scores.at(i, classOrder[c]));
    }
    out.scores.n_samples = out.files.size();
    return out;
}

// Everything a resample needs of one model, precomputed once: per class the clips in decreasing
// score order with the ends of tie groups, and the decisions.
struct Resampler {
    const Predictions* p = nullptr;
    std::vector<std::vector<std::uint32_t>> order;      // per class
    std::vector<std::vector<std::uint8_t>> groupEnd;    // per class, parallel to order
    std::vector<std::uint8_t> truth;                    // n x C
    std::vector<std::uint8_t> decided;                  // n x C
    std::vector<std::uint8_t> top1Correct;

    Resampler(const Predictions& pred, const EvaluationReport& report, double threshold) : p(&pred) {
        const std::size_t n = pred.size(), C = pred.classes.size();
        truth.assign(n * C, 0);
        decided.assign(n * C, 0);
        for (std::size_t i = 0; i < n; ++i) {
            for (int l : pred.labels[i])
                truth[i * C + static_cast<std::size_t>(l)] = 1;
            if (pred.multi_label) {
                for (std::size_t c = 0; c < C; ++c)
                    decided[i * C + c] = pred.scores.at(i, c) >= threshold;
            } else {
                decided[i * C + static_cast<std::size_t>(report.top1[i])] = 1;
            }
        }
        top1Correct = report.top1_correct;
        order.resize(C);
        groupEnd.resize(C);
        for (std::size_t c = 0; c < C; ++c) {
            auto& o = order[c];
            o.resize(n);
            std::iota(o.begin(), o.end(), 0u);
            std::sort(o.begin(), o.end(), [&](std::uint32_t a, std::uint32_t b) {
                return pred.scores.at(a, c) > pred.scores.at(b, c);
            });
            auto& g = groupEnd[c];
            g.resize(n);
            for (std::size_t k = 0; k < n; ++k)
                g[k] = k + 1 == n || pred.scores.at(o[k + 1], c) != pred.scores.at(o[k], c);
        }
    }

    // Metrics of the resample in which clip i appears w[i] times.
    std::map<std::string, double> metrics(const std::vector<std::uint32_t>& w,
                                          ZeroDivision zeroDivision) const {
        const std::size_t n = p->size(), C = p->classes.size();
        std::map<std::string, double> m;
        double total = 0, right = 0;
        for (std::size_t i = 0; i < n; ++i) {
            total += w[i];
            right += w[i] * top1Correct[i];
        }
        m[p->multi_label ? "top1_accuracy" : "accuracy"] = right / total;

        std::vector<ClassCounts> counts(C);
        for (std::size_t i = 0; i < n; ++i) {
            if (!w[i])
                continue;
            for (std::size_t c = 0; c < C; ++c) {
                const bool t = truth[i * C + c], d = decided[i * C + c];
                auto& k = counts[c];
                (t ? (d ? k.tp : k.fn) : (d ? k.fp : k.tn)) += w[i];
            }
        }
        const auto rep = classificationReport(counts, zeroDivision);
        m["macro_f1"] = rep.macro.f1;
        if (p->multi_label) {
            m["micro_f1"] = rep.micro.f1;
        } else {
            std::vector<double> recalls;
            for (const auto& k : counts)
                if (k.tp + k.fn > 0)
                    recalls.push_back(static_cast<double>(k.tp) / static_cast<double>(k.tp + k.fn));
            m["balanced_accuracy"] =
                std::accumulate(recalls.begin(), recalls.end(), 0.0) / static_cast<double>(recalls.size());
        }

        double apSum = 0, aucSum = 0;
        std::size_t apN = 0, aucN = 0;
        for (std::size_t c = 0; c < C; ++c) {
            double P = 0, N = 0;
            for (std::size_t i = 0; i < n; ++i)
                (truth[i * C + c] ? P : N) += w[i];
            if (P == 0)
                continue;
            double tp = 0, fp = 0, prevTp = 0, prevFp = 0, ap = 0, area2 = 0;
            const auto& o = order[c];
            const auto& g = groupEnd[c];
            for (std::size_t k = 0; k < n; ++k) {
                const auto i = o[k];
                (truth[i * C + c] ? tp : fp) += w[i];
                if (!g[k] || (tp == prevTp && fp == prevFp))
                    continue;
                if (tp != prevTp)
                    ap += (tp - prevTp) / P * (tp / (tp + fp));
                area2 += (fp - prevFp) * (tp + prevTp);
                prevTp = tp;
                prevFp = fp;
            }
            apSum += ap;
            ++apN;
            if (N > 0) {
                aucSum += area2 / (2 * P * N);
                ++aucN;
            }
        }
        m["mAP"] = apN ? apSum / static_cast<double>(apN) : kNaN;
        m["macro_roc_auc"] = aucN ? aucSum / static_cast<double>(aucN) : kNaN;
        return m;
    }
};

double percentile(std::vector<double> v, double q) {
    if (v.empty())
        return kNaN;
    std::sort(v.begin(), v.end());
    // numpy.percentile's default (linear) interpolation.
    const double pos = q * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const auto hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

}  // namespace

McNemarResult mcnemarTest(std::int64_t onlyOursRight, std::int64_t onlyBaselineRight) {
    if (onlyOursRight < 0 || onlyBaselineRight < 0)
        throw Error(ErrorCode::InvalidArgument, "McNemar: counts must not be negative");
    McNemarResult r;
    r.only_ours_right = onlyOursRight;
    r.only_baseline_right = onlyBaselineRight;
    const std::int64_t n = onlyOursRight + onlyBaselineRight;
    if (n < 25) {
        // Exact: under H0 each discordant clip goes either way with probability 1/2.
        r.exact = true;
        const std::int64_t k = std::min(onlyOursRight, onlyBaselineRight);
        double tail = 0;
        for (std::int64_t i = 0; i <= k; ++i)
            tail += std::exp(std::lgamma(static_cast<double>(n) + 1) -
                             std::lgamma(static_cast<double>(i) + 1) -
                             std::lgamma(static_cast<double>(n - i) + 1) -
                             static_cast<double>(n) * std::log(2.0));
        r.p_value = std::min(1.0, 2 * tail);
        return r;
    }
    const double d = std::abs(static_cast<double>(onlyOursRight - onlyBaselineRight)) - 1;
    r.statistic = d * d / static_cast<double>(n);
    r.p_value = std::erfc(std::sqrt(r.statistic / 2));  // chi-square, 1 degree of freedom
    return r;
}

BaselineComparison compareWithBaseline(const Predictions& ours, const Predictions& baseline,
                                       const ComparisonOptions& options) {
    if (ours.size() == 0 || baseline.size() == 0)
        throw Error(ErrorCode::Dataset, "no clips to compare");
    if (ours.multi_label != baseline.multi_label)
        throw Error(ErrorCode::InvalidArgument,
                    "one side is single-label, the other multi-label");
    if (!(options.confidence > 0 && options.confidence < 1))
        throw Error(ErrorCode::InvalidArgument, "confidence must be in (0, 1)");
    // Classes by name.
    std::map<std::string, std::size_t> baseIndex;
    for (std::size_t c = 0; c < baseline.classes.size(); ++c)
        baseIndex[baseline.classes[c]] = c;
    std::vector<std::string> onlyOurs, onlyBase;
    std::vector<std::size_t> baseOrder;
    for (const auto& name : ours.classes) {
        const auto it = baseIndex.find(name);
        if (it == baseIndex.end())
            onlyOurs.push_back(name);
        else
            baseOrder.push_back(it->second);
    }
    const std::set<std::string> ourSet(ours.classes.begin(), ours.classes.end());
    for (const auto& name : baseline.classes)
        if (!ourSet.count(name))
            onlyBase.push_back(name);
    if (!onlyOurs.empty() || !onlyBase.empty()) {
        std::string msg = "the two predictions have different classes;";
        auto list = [&](const char* what, const std::vector<std::string>& v) {
            if (v.empty())
                return;
            msg += std::string(" only in ") + what + ":";
            for (std::size_t k = 0; k < std::min<std::size_t>(v.size(), 20); ++k)
                msg += (k ? ", " : " ") + v[k];
            if (v.size() > 20)
                msg += ", ... (" + std::to_string(v.size()) + " in all)";
            msg += ";";
        };
        list("ours", onlyOurs);
        list("the baseline", onlyBase);
        throw Error(ErrorCode::Model, msg);
    }

    // Clips by file name, and time window when both sides have one.
    const bool windows = ours.hasTimeWindows() && baseline.hasTimeWindows();
    std::map<std::string, std::size_t> baseClip;
    for (std::size_t i = 0; i < baseline.size(); ++i)
        if (!baseClip.emplace(clipKey(baseline, i, windows), i).second)
            throw Error(ErrorCode::Dataset,
                        "the baseline has the clip '" + clipKey(baseline, i, windows) + "' twice");
    BaselineComparison cmp;
    cmp.n_bootstrap = options.n_bootstrap;
    cmp.confidence = options.confidence;
    std::vector<std::size_t> ourClips, baseClips;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < ours.size(); ++i) {
        const auto key = clipKey(ours, i, windows);
        if (!seen.insert(key).second)
            throw Error(ErrorCode::Dataset, "our predictions have the clip '" + key + "' twice");
        const auto it = baseClip.find(key);
        if (it == baseClip.end()) {
            cmp.only_in_ours.push_back(key);
            continue;
        }
        ourClips.push_back(i);
        baseClips.push_back(it->second);
    }
    for (std::size_t i = 0; i < baseline.size(); ++i)
        if (!seen.count(clipKey(baseline, i, windows)))
            cmp.only_in_baseline.push_back(clipKey(baseline, i, windows));
    if (ourClips.empty())
        throw Error(ErrorCode::Dataset, "the predictions and the baseline have no clip in common");
    cmp.n_common = ourClips.size();

    std::vector<std::size_t> identity(ours.classes.size());
    std::iota(identity.begin(), identity.end(), std::size_t{0});
    const Predictions a = subset(ours, ourClips, identity);
    const Predictions b = subset(baseline, baseClips, baseOrder);
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a.labels[i] != b.labels[i])
            throw Error(ErrorCode::Dataset, "the two sides disagree on the true labels of '" +
                                                a.files[i] + "'");

    const EvaluationReport ra = computeReport(a, options.report);
    const EvaluationReport rb = computeReport(b, options.report);

    const Resampler sa(a, ra, options.report.threshold), sb(b, rb, options.report.threshold);
    std::vector<std::uint32_t> ones(a.size(), 1);
    const auto fullA = sa.metrics(ones, options.report.zero_division);
    const auto fullB = sb.metrics(ones, options.report.zero_division);
    std::map<std::string, std::vector<double>> deltas;
    std::mt19937_64 rng(options.seed);
    std::uniform_int_distribution<std::size_t> pick(0, a.size() - 1);
    std::vector<std::uint32_t> w(a.size());
    for (std::size_t r = 0; r < options.n_bootstrap; ++r) {
        std::fill(w.begin(), w.end(), 0u);
        for (std::size_t k = 0; k < a.size(); ++k)
            ++w[pick(rng)];
        const auto ma = sa.metrics(w, options.report.zero_division);
        const auto mb = sb.metrics(w, options.report.zero_division);
        for (const auto& [name, v] : ma) {
            const double d = v - mb.at(name);
            if (std::isfinite(d))
                deltas[name].push_back(d);
        }
    }
    const double alpha = (1 - options.confidence) / 2;
    for (const auto& [name, v] : fullA) {
        MetricDelta m;
        m.name = name;
        m.ours = v;
        m.baseline = fullB.at(name);
        m.delta = m.ours - m.baseline;
        m.ci_low = percentile(deltas[name], alpha);
        m.ci_high = percentile(deltas[name], 1 - alpha);
        cmp.metrics.push_back(m);
    }

    for (std::size_t c = 0; c < a.classes.size(); ++c)
        cmp.per_class.push_back(
            {ra.classification.per_class[c].f1 - rb.classification.per_class[c].f1,
             ra.ranking.per_class[c].average_precision - rb.ranking.per_class[c].average_precision,
             ra.ranking.per_class[c].roc_auc - rb.ranking.per_class[c].roc_auc});

    std::int64_t onlyA = 0, onlyB = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ra.top1_correct[i] == rb.top1_correct[i])
            continue;
        (ra.top1_correct[i] ? onlyA : onlyB)++;
        cmp.flipped.push_back({a.files[i], ra.top1_correct[i] != 0, a.labels[i], ra.top1[i], rb.top1[i]});
    }
    cmp.mcnemar = mcnemarTest(onlyA, onlyB);
    if (!a.multi_label) {
        cmp.ours_confusion = ra.confusion;
        cmp.baseline_confusion = rb.confusion;
    }
    return cmp;
}

}  // namespace patchout
