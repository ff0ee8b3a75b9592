#include "patchout/report.h"

#include "patchout/error.h"
#include "patchout/files.h"
#include "patchout/text.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <limits>
#include <numeric>
#include <ostream>
#include <sstream>

namespace patchout {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

LabelMatrix truthMatrix(const Predictions& p) {
    LabelMatrix m{p.size(), p.classes.size(),
                  std::vector<std::uint8_t>(p.size() * p.classes.size(), 0)};
    for (std::size_t i = 0; i < p.size(); ++i)
        for (int l : p.labels[i])
            m.values[i * p.classes.size() + static_cast<std::size_t>(l)] = 1;
    return m;
}

void checkPredictions(const Predictions& p) {
    if (p.size() == 0)
        throw Error(ErrorCode::Dataset, "no clips to evaluate: an empty set has no metrics");
    const std::size_t C = p.classes.size();
    if (C == 0 || p.labels.size() != p.size() || p.scores.n_samples != p.size() ||
        p.scores.n_classes != C || p.scores.values.size() != p.size() * C ||
        (p.hasTimeWindows() && (p.start_s.size() != p.size() || p.end_s.size() != p.size())))
        throw Error(ErrorCode::InvalidArgument, "predictions: inconsistent sizes");
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (!p.multi_label && p.labels[i].size() != 1)
            throw Error(ErrorCode::InvalidArgument,
                        "single-label clip with " + std::to_string(p.labels[i].size()) + " labels",
                        p.files[i]);
        for (int l : p.labels[i])
            if (l < 0 || static_cast<std::size_t>(l) >= C)
                throw Error(ErrorCode::InvalidArgument, "label index out of range", p.files[i]);
    }
}

std::string fmt(double v, int digits = 4) {
    if (std::isnan(v))
        return "n/a";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

std::string pValue(double p) {
    char buf[32];
    std::snprintf(buf, sizeof buf, p < 1e-3 ? "%.2e" : "%.4f", p);
    return buf;
}

std::string num(double v) {
    if (std::isnan(v))
        return "";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

std::string joinLabels(const std::vector<int>& labels, const std::vector<std::string>& classes) {
    std::string s;
    for (int l : labels)
        s += (s.empty() ? "" : ";") + classes[static_cast<std::size_t>(l)];
    return s;
}

// Markdown table cells must not break the table.
std::string mdCell(std::string s) {
    for (auto& ch : s)
        if (ch == '|' || ch == '\n')
            ch = ' ';
    return s;
}

nlohmann::json jsonNumber(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }

nlohmann::json prfJson(const PrecisionRecallF1& v) {
    return {{"precision", v.precision}, {"recall", v.recall}, {"f1", v.f1}, {"support", v.support}};
}

}  // namespace

EvaluationReport computeReport(const Predictions& p, const ReportOptions& options) {
    checkPredictions(p);
    EvaluationReport r;
    r.options = options;
    r.multi_label = p.multi_label;
    r.classes = p.classes;
    r.n_clips = p.size();
    const std::size_t C = p.classes.size(), n = p.size();
    const auto& scores = p.scores;
    r.scores_are_probabilities = std::all_of(scores.values.begin(), scores.values.end(),
                                             [](double v) { return v >= 0 && v <= 1; });
    const LabelMatrix truth = truthMatrix(p);
    r.top1 = argmaxPredictions(scores);
    r.top1_correct.resize(n);
    for (std::size_t i = 0; i < n; ++i)
        r.top1_correct[i] = truth.at(i, static_cast<std::size_t>(r.top1[i]));

    if (!p.multi_label) {
        std::vector<int> yTrue(n);
        for (std::size_t i = 0; i < n; ++i)
            yTrue[i] = p.labels[i][0];
        r.confusion = confusionMatrix(yTrue, r.top1, C);
        r.accuracy = accuracy(yTrue, r.top1);
        r.top1_accuracy = r.accuracy;
        // With k >= the number of classes every clip is a hit: say nothing rather than 1.
        r.top_k_accuracy = static_cast<std::size_t>(std::max(1, options.top_k)) < C
                               ? topKAccuracy(yTrue, scores, std::max(1, options.top_k))
                               : kNaN;
        r.balanced_accuracy = balancedAccuracy(r.confusion);
        r.cohen_kappa = cohenKappa(r.confusion);
        r.log_loss = r.scores_are_probabilities ? logLoss(yTrue, scores) : kNaN;
        r.counts = classCounts(r.confusion);
        if (r.scores_are_probabilities)
            r.calibration = topLabelCalibration(yTrue, scores, options.n_bins);
        for (std::size_t t = 0; t < C; ++t)
            for (std::size_t q = 0; q < C; ++q)
                if (t != q && r.confusion.at(t, q) > 0)
                    r.most_confused.push_back(
                        {static_cast<int>(t), static_cast<int>(q), r.confusion.at(t, q)});
    } else {
        const std::vector<double> thresholds(C, options.threshold);
        const LabelMatrix decided = applyThresholds(scores, thresholds);
        r.counts = classCounts(truth, decided);
        r.subset_accuracy = subsetAccuracy(truth, decided);
        r.hamming_loss = hammingLoss(truth, decided);
        r.top1_accuracy = static_cast<double>(std::count(r.top1_correct.begin(),
                                                         r.top1_correct.end(), 1)) /
                          static_cast<double>(n);
        r.accuracy = r.top1_accuracy;
        r.log_loss = kNaN;
        r.top_k_accuracy = kNaN;
        r.balanced_accuracy = kNaN;
        r.cohen_kappa = kNaN;
        r.tuned_thresholds = tuneThresholds(truth, scores, options.threshold);
        if (r.scores_are_probabilities)
            r.calibration = binaryCalibration(truth, scores, options.n_bins);
        // A false alarm of b on a clip labelled a counts as "a confused with b": the off-diagonal of
        // the matrix the Evaluate view draws.
        const ConfusionMatrix alarms = multiLabelConfusion(p, thresholds);
        for (std::size_t t = 0; t < C; ++t)
            for (std::size_t q = 0; q < C; ++q)
                if (t != q && alarms.at(t, q) > 0)
                    r.most_confused.push_back({static_cast<int>(t), static_cast<int>(q), alarms.at(t, q)});
    }
    std::stable_sort(r.most_confused.begin(), r.most_confused.end(),
                     [](const ConfusedPair& a, const ConfusedPair& b) { return a.count > b.count; });

    r.classification = classificationReport(r.counts, options.zero_division);
    r.ranking = rankingMetrics(truth, scores,
                               {.keep_curves = true,
                                .max_curve_points = options.max_curve_points,
                                .threads = options.threads});

    std::vector<FailureCase> wrong, right;
    for (std::size_t i = 0; i < n; ++i) {
        FailureCase f;
        f.clip = i;
        f.predicted = r.top1[i];
        f.predicted_score = scores.at(i, static_cast<std::size_t>(r.top1[i]));
        f.true_score = kNaN;
        for (int l : p.labels[i]) {
            const double s = scores.at(i, static_cast<std::size_t>(l));
            if (std::isnan(f.true_score) || s > f.true_score)
                f.true_score = s;
        }
        (r.top1_correct[i] ? right : wrong).push_back(f);
    }
    std::stable_sort(wrong.begin(), wrong.end(), [](const FailureCase& a, const FailureCase& b) {
        return a.predicted_score > b.predicted_score;
    });
    std::stable_sort(right.begin(), right.end(), [](const FailureCase& a, const FailureCase& b) {
        return a.predicted_score < b.predicted_score;
    });
    wrong.resize(std::min(wrong.size(), options.n_failures));
    right.resize(std::min(right.size(), options.n_failures));
    r.most_confident_wrong = std::move(wrong);
    r.least_confident_right = std::move(right);
    return r;
}

std::vector<CellClip> confusionClips(const Predictions& p, const EvaluationReport& report) {
    if (report.top1.size() != p.size() || p.scores.n_classes != p.classes.size() ||
        report.classes.size() != p.classes.size())
        throw Error(ErrorCode::InvalidArgument, "the report was computed from other predictions");
    std::vector<CellClip> out;
    if (p.multi_label)
        return out;
    const std::size_t classes = p.classes.size();
    out.reserve(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (p.labels[i].size() != 1)
            continue;
        const auto row = p.scores.row(i);
        CellClip c{.clip = i, .true_class = p.labels[i].front(), .predicted = report.top1[i]};
        c.score = row[static_cast<std::size_t>(c.predicted)];
        double other = -std::numeric_limits<double>::infinity();
        if (c.true_class != c.predicted)
            other = row[static_cast<std::size_t>(c.true_class)];
        else
            for (std::size_t k = 0; k < classes; ++k)
                if (k != static_cast<std::size_t>(c.predicted))
                    other = std::max(other, row[k]);
        c.margin = classes > 1 ? c.score - other : 0.0;
        out.push_back(c);
    }
    return out;
}

std::vector<CellClip> clipsOfCell(const std::vector<CellClip>& clips, int true_class, int predicted) {
    std::vector<CellClip> out;
    std::copy_if(clips.begin(), clips.end(), std::back_inserter(out), [&](const CellClip& c) {
        return c.true_class == true_class && c.predicted == predicted;
    });
    std::stable_sort(out.begin(), out.end(), [](const CellClip& a, const CellClip& b) { return a.score > b.score; });
    return out;
}

namespace {

nlohmann::json comparisonJson(const BaselineComparison& cmp,
                              const std::vector<std::string>& classes) {
    nlohmann::json metrics = nlohmann::json::array();
    for (const auto& m : cmp.metrics)
        metrics.push_back({{"name", m.name},
                           {"ours", jsonNumber(m.ours)},
                           {"baseline", jsonNumber(m.baseline)},
                           {"delta", jsonNumber(m.delta)},
                           {"ci_low", jsonNumber(m.ci_low)},
                           {"ci_high", jsonNumber(m.ci_high)}});
    nlohmann::json perClass = nlohmann::json::array();
    for (std::size_t c = 0; c < cmp.per_class.size(); ++c)
        perClass.push_back({{"class", classes[c]},
                            {"delta_f1", jsonNumber(cmp.per_class[c].f1)},
                            {"delta_average_precision",
                             jsonNumber(cmp.per_class[c].average_precision)},
                            {"delta_roc_auc", jsonNumber(cmp.per_class[c].roc_auc)}});
    nlohmann::json flipped = nlohmann::json::array();
    for (const auto& f : cmp.flipped)
        flipped.push_back({{"file", f.file},
                           {"now_right", f.now_right},
                           {"true", joinLabels(f.true_labels, classes)},
                           {"ours_predicted", classes[static_cast<std::size_t>(f.ours_predicted)]},
                           {"baseline_predicted",
                            classes[static_cast<std::size_t>(f.baseline_predicted)]}});
    auto rows = [](const ConfusionMatrix& m) {
        nlohmann::json out = nlohmann::json::array();
        for (std::size_t t = 0; t < m.n_classes; ++t)
            out.push_back(std::vector<std::int64_t>(m.counts.begin() + static_cast<std::ptrdiff_t>(t * m.n_classes),
                                                    m.counts.begin() + static_cast<std::ptrdiff_t>((t + 1) * m.n_classes)));
        return out;
    };
    return {{"baseline", cmp.baseline_source.string()},
            {"n_common_clips", cmp.n_common},
            {"confusion", {{"ours", rows(cmp.ours_confusion)}, {"baseline", rows(cmp.baseline_confusion)}}},
            {"only_in_ours", cmp.only_in_ours},
            {"only_in_baseline", cmp.only_in_baseline},
            {"n_bootstrap", cmp.n_bootstrap},
            {"confidence", cmp.confidence},
            {"metrics", metrics},
            {"per_class", perClass},
            {"mcnemar",
             {{"only_ours_right", cmp.mcnemar.only_ours_right},
              {"only_baseline_right", cmp.mcnemar.only_baseline_right},
              {"exact", cmp.mcnemar.exact},
              {"statistic", cmp.mcnemar.statistic},
              {"p_value", cmp.mcnemar.p_value}}},
            {"flipped", flipped}};
}

std::vector<std::pair<std::string, double>> headline(const EvaluationReport& r) {
    std::vector<std::pair<std::string, double>> h;
    if (!r.multi_label) {
        h = {{"accuracy", r.accuracy},
             {"top_" + std::to_string(r.options.top_k) + "_accuracy", r.top_k_accuracy},
             {"balanced_accuracy", r.balanced_accuracy},
             {"macro_f1", r.classification.macro.f1},
             {"weighted_f1", r.classification.weighted.f1},
             {"cohen_kappa", r.cohen_kappa},
             {"log_loss", r.log_loss}};
    } else {
        h = {{"top1_accuracy", r.top1_accuracy},
             {"subset_accuracy", r.subset_accuracy},
             {"hamming_loss", r.hamming_loss},
             {"micro_f1", r.classification.micro.f1},
             {"macro_f1", r.classification.macro.f1}};
    }
    h.insert(h.end(), {{"mAP", r.ranking.mean_average_precision},
                       {"weighted_average_precision", r.ranking.weighted_average_precision},
                       {"micro_average_precision", r.ranking.micro_average_precision},
                       {"macro_roc_auc", r.ranking.macro_roc_auc},
                       {"weighted_roc_auc", r.ranking.weighted_roc_auc},
                       {"micro_roc_auc", r.ranking.micro_roc_auc},
                       {"d_prime", r.ranking.d_prime}});
    if (r.scores_are_probabilities) {
        h.emplace_back("expected_calibration_error", r.calibration.expected_calibration_error);
        h.emplace_back("maximum_calibration_error", r.calibration.maximum_calibration_error);
    }
    return h;
}

}  // namespace

ComparisonVerdict comparisonVerdict(const BaselineComparison& cmp) {
    const MetricDelta* m = nullptr;
    for (const char* name : {"accuracy", "mAP"})
        for (const auto& d : cmp.metrics)
            if (m == nullptr && d.name == name && !std::isnan(d.delta))
                m = &d;
    if (m == nullptr)
        return {};  // kind None
    auto points = [](double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%+.1f", 100 * v);
        return std::string(buf);
    };
    ComparisonVerdict v;
    v.kind = m->ci_low > 0    ? ComparisonVerdict::Kind::Beats
             : m->ci_high < 0 ? ComparisonVerdict::Kind::Below
                              : ComparisonVerdict::Kind::Unclear;
    const std::string verdict = v.kind == ComparisonVerdict::Kind::Beats   ? "the model beats the baseline"
                                : v.kind == ComparisonVerdict::Kind::Below ? "THE MODEL IS BELOW THE BASELINE"
                                                                          : "THE MODEL DOES NOT CLEARLY BEAT THE BASELINE";
    std::string s = verdict + ": " + m->name + " " + points(m->delta) + " points [" + points(m->ci_low) + ", " +
                    points(m->ci_high) + "] (" + fmt(100 * cmp.confidence, 0) + "% interval" +
                    (m->ci_low <= 0 && m->ci_high >= 0 ? ", it includes 0" : "") + ")";
    s += ", McNemar p = " + pValue(cmp.mcnemar.p_value);
    v.text = std::move(s);
    return v;
}

std::optional<BaselineComparison> readReportComparison(const std::filesystem::path& dir) {
    std::ifstream in(dir / "report.json", std::ios::binary);
    if (!in)
        return std::nullopt;
    const nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains("comparison") || !j["comparison"].is_object())
        return std::nullopt;
    const nlohmann::json& c = j["comparison"];
    auto number = [](const nlohmann::json& o, const char* key) {
        return o.contains(key) && o[key].is_number() ? o[key].get<double>() : std::nan("");
    };
    try {
        BaselineComparison cmp;
        cmp.baseline_source = c.value("baseline", std::string());
        cmp.n_common = c.value("n_common_clips", std::size_t{0});
        cmp.n_bootstrap = c.value("n_bootstrap", std::size_t{0});
        cmp.confidence = c.value("confidence", 0.95);
        for (const auto& m : c.value("metrics", nlohmann::json::array()))
            cmp.metrics.push_back({.name = m.value("name", std::string()),
                                   .ours = number(m, "ours"),
                                   .baseline = number(m, "baseline"),
                                   .delta = number(m, "delta"),
                                   .ci_low = number(m, "ci_low"),
                                   .ci_high = number(m, "ci_high")});
        const nlohmann::json mc = c.value("mcnemar", nlohmann::json::object());
        cmp.mcnemar.only_ours_right = mc.value("only_ours_right", std::int64_t{0});
        cmp.mcnemar.only_baseline_right = mc.value("only_baseline_right", std::int64_t{0});
        cmp.mcnemar.exact = mc.value("exact", false);
        cmp.mcnemar.statistic = number(mc, "statistic");
        cmp.mcnemar.p_value = number(mc, "p_value");
        std::vector<std::string> classes;
        if (j.contains("classes") && j["classes"].is_array())
            for (const auto& name : j["classes"])
                classes.push_back(name.is_string() ? name.get<std::string>() : std::string());
        const auto indexOf = [&](const std::string& name) {
            const auto it = std::find(classes.begin(), classes.end(), name);
            return it == classes.end() ? -1 : static_cast<int>(it - classes.begin());
        };
        for (const auto& d : c.value("per_class", nlohmann::json::array()))
            if (d.is_object())
                cmp.per_class.push_back({.f1 = number(d, "delta_f1"),
                                         .average_precision = number(d, "delta_average_precision"),
                                         .roc_auc = number(d, "delta_roc_auc")});
        for (const auto& f : c.value("flipped", nlohmann::json::array())) {
            if (!f.is_object())
                continue;
            FlippedClip clip{.file = f.value("file", std::string()), .now_right = f.value("now_right", false)};
            clip.ours_predicted = indexOf(f.value("ours_predicted", std::string()));
            clip.baseline_predicted = indexOf(f.value("baseline_predicted", std::string()));
            bool known = clip.ours_predicted >= 0 && clip.baseline_predicted >= 0;
            for (const std::string& name : splitOn(f.value("true", std::string()), ';')) {
                const int index = indexOf(name);
                known = known && index >= 0;
                clip.true_labels.push_back(index);
            }
            if (known)
                cmp.flipped.push_back(std::move(clip));
        }
        // The two confusion matrices on the common clips, when whole and square in our classes.
        const nlohmann::json confusion = c.value("confusion", nlohmann::json::object());
        auto matrix = [&](const char* side) {
            ConfusionMatrix m;
            const nlohmann::json rows = confusion.is_object() ? confusion.value(side, nlohmann::json::array())
                                                              : nlohmann::json::array();
            if (!rows.is_array() || rows.size() != classes.size() || rows.empty())
                return m;
            for (const auto& row : rows) {
                if (!row.is_array() || row.size() != classes.size())
                    return ConfusionMatrix{};
                for (const auto& v : row) {
                    if (!v.is_number_integer() || v.get<std::int64_t>() < 0)
                        return ConfusionMatrix{};
                    m.counts.push_back(v.get<std::int64_t>());
                }
            }
            m.n_classes = classes.size();
            return m;
        };
        cmp.ours_confusion = matrix("ours");
        cmp.baseline_confusion = matrix("baseline");
        if (cmp.ours_confusion.n_classes == 0 || cmp.baseline_confusion.n_classes == 0)
            cmp.ours_confusion = cmp.baseline_confusion = {};
        return cmp;
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;  // a report written by something else
    }
}

std::string reportClips(const std::filesystem::path& dir) {
    std::ifstream in(dir / "report.json", std::ios::binary);
    if (!in)
        return {};
    const nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    return j.is_object() ? j.value("clips", std::string()) : std::string();
}

void writeReport(const std::filesystem::path& dir, const Predictions& p, const EvaluationReport& r,
                 const BaselineComparison* cmp) {
    checkPredictions(p);
    if (r.n_clips != p.size() || r.classes != p.classes)
        throw Error(ErrorCode::InvalidArgument, "the report was computed from other predictions",
                    dir.string());
    const std::size_t C = r.classes.size();
    const auto name = [&](std::size_t c) -> const std::string& { return r.classes[c]; };

    // ---- report.json
    nlohmann::json j;
    j["task"] = r.multi_label ? "multi-label" : "single-label";
    j["n_clips"] = r.n_clips;
    if (!r.options.clips.empty())
        j["clips"] = r.options.clips;
    j["classes"] = r.classes;
    j["scores_are_probabilities"] = r.scores_are_probabilities;
    nlohmann::json head = nlohmann::json::object();
    for (const auto& [k, v] : headline(r))
        head[k] = jsonNumber(v);
    j["metrics"] = head;
    j["averages"] = {{"macro", prfJson(r.classification.macro)},
                     {"micro", prfJson(r.classification.micro)},
                     {"weighted", prfJson(r.classification.weighted)}};
    if (r.multi_label)
        j["decision_threshold"] = r.options.threshold;
    nlohmann::json perClass = nlohmann::json::array();
    for (std::size_t c = 0; c < C; ++c) {
        const auto& k = r.classification.per_class[c];
        const auto& b = r.ranking.per_class[c];
        nlohmann::json e = {{"class", name(c)},
                            {"precision", k.precision},
                            {"recall", k.recall},
                            {"f1", k.f1},
                            {"support", k.support},
                            {"tp", r.counts[c].tp},
                            {"fp", r.counts[c].fp},
                            {"fn", r.counts[c].fn},
                            {"tn", r.counts[c].tn},
                            {"positives", b.positives},
                            {"negatives", b.negatives},
                            {"roc_auc", jsonNumber(b.roc_auc)},
                            {"average_precision", jsonNumber(b.average_precision)},
                            {"d_prime", jsonNumber(std::isnan(b.roc_auc) ? kNaN : dPrime(b.roc_auc))}};
        if (r.multi_label) {
            e["tuned_threshold"] = r.tuned_thresholds[c].threshold;
            e["tuned_f1"] = r.tuned_thresholds[c].has_positives
                                ? nlohmann::json(r.tuned_thresholds[c].f1)
                                : nlohmann::json(nullptr);
        }
        perClass.push_back(e);
    }
    j["per_class"] = perClass;
    auto names = [&](const std::vector<std::size_t>& idx) {
        std::vector<std::string> out;
        for (auto c : idx)
            out.push_back(name(c));
        return out;
    };
    j["classes_without_positives"] = names(r.ranking.classes_without_positives);
    j["classes_without_negatives"] = names(r.ranking.classes_without_negatives);
    if (!r.multi_label) {
        const auto norm = r.confusion.rowNormalised();
        nlohmann::json counts = nlohmann::json::array(), rows = nlohmann::json::array();
        for (std::size_t t = 0; t < C; ++t) {
            counts.push_back(std::vector<std::int64_t>(
                r.confusion.counts.begin() + static_cast<std::ptrdiff_t>(t * C),
                r.confusion.counts.begin() + static_cast<std::ptrdiff_t>((t + 1) * C)));
            rows.push_back(std::vector<double>(norm.begin() + static_cast<std::ptrdiff_t>(t * C),
                                               norm.begin() + static_cast<std::ptrdiff_t>((t + 1) * C)));
        }
        j["confusion"] = {{"rows", "true"}, {"columns", "predicted"}, {"counts", counts},
                          {"row_normalised", rows}};
    }
    nlohmann::json bins = nlohmann::json::array();
    for (const auto& b : r.calibration.bins)
        bins.push_back({{"lower", b.lower}, {"upper", b.upper}, {"count", b.count},
                        {"mean_confidence", b.mean_confidence}, {"accuracy", b.accuracy}});
    j["calibration"] = {{"kind", r.multi_label ? "all (clip, class) scores" : "top label"},
                        {"bins", bins},
                        {"expected_calibration_error",
                         r.scores_are_probabilities
                             ? nlohmann::json(r.calibration.expected_calibration_error)
                             : nlohmann::json(nullptr)}};
    nlohmann::json confused = nlohmann::json::array();
    for (const auto& pr : r.most_confused)
        confused.push_back({{"true", name(static_cast<std::size_t>(pr.true_class))},
                            {"predicted", name(static_cast<std::size_t>(pr.predicted_class))},
                            {"count", pr.count}});
    j["most_confused"] = confused;
    auto failureJson = [&](const std::vector<FailureCase>& list) {
        nlohmann::json a = nlohmann::json::array();
        for (const auto& f : list) {
            nlohmann::json e = {{"file", p.files[f.clip]},
                                {"true", joinLabels(p.labels[f.clip], r.classes)},
                                {"predicted", name(static_cast<std::size_t>(f.predicted))},
                                {"predicted_score", f.predicted_score},
                                {"true_score", jsonNumber(f.true_score)}};
            if (p.hasTimeWindows()) {
                e["start_s"] = p.start_s[f.clip];
                e["end_s"] = p.end_s[f.clip];
            }
            a.push_back(e);
        }
        return a;
    };
    j["failures"] = {{"most_confident_wrong", failureJson(r.most_confident_wrong)},
                     {"least_confident_right", failureJson(r.least_confident_right)}};
    if (cmp)
        j["comparison"] = comparisonJson(*cmp, r.classes);
    writeTextAtomically(dir / "report.json", j.dump(2) + "\n");

    // ---- confusion.csv
    writeFileAtomically(dir / "confusion.csv", [&](std::ostream& out) {
        if (!r.multi_label) {
            out << "true\\predicted";
            for (std::size_t c = 0; c < C; ++c)
                out << ',' << csvQuote(name(c));
            out << '\n';
            for (std::size_t t = 0; t < C; ++t) {
                out << csvQuote(name(t));
                for (std::size_t q = 0; q < C; ++q)
                    out << ',' << r.confusion.at(t, q);
                out << '\n';
            }
        } else {
            out << "class,tp,fp,fn,tn\n";
            for (std::size_t c = 0; c < C; ++c)
                out << csvQuote(name(c)) << ',' << r.counts[c].tp << ',' << r.counts[c].fp << ','
                    << r.counts[c].fn << ',' << r.counts[c].tn << '\n';
        }
    });

    // ---- curves.csv: long format, one row per point, so any plotting tool can filter it.
    writeFileAtomically(dir / "curves.csv", [&](std::ostream& out) {
        out << "class,curve,point,x,y,threshold\n";
        for (std::size_t c = 0; c < C; ++c) {
            const auto& b = r.ranking.per_class[c];
            for (std::size_t k = 0; k < b.roc.fpr.size(); ++k)
                out << csvQuote(name(c)) << ",roc," << k << ',' << num(b.roc.fpr[k]) << ','
                    << num(b.roc.tpr[k]) << ',' << num(b.roc.thresholds[k]) << '\n';
            for (std::size_t k = 0; k < b.pr.precision.size(); ++k)
                out << csvQuote(name(c)) << ",pr," << k << ',' << num(b.pr.recall[k]) << ','
                    << num(b.pr.precision[k]) << ','
                    << (k < b.pr.thresholds.size() ? num(b.pr.thresholds[k]) : std::string())
                    << '\n';
        }
    });

    // ---- failures.csv
    writeFileAtomically(dir / "failures.csv", [&](std::ostream& out) {
        out << "kind,rank,file";
        if (p.hasTimeWindows())
            out << ",start_s,end_s";
        out << ",true,predicted,predicted_score,true_score\n";
        auto rows = [&](const char* kind, const std::vector<FailureCase>& list) {
            for (std::size_t k = 0; k < list.size(); ++k) {
                const auto& f = list[k];
                out << kind << ',' << k + 1 << ',' << csvQuote(p.files[f.clip]);
                if (p.hasTimeWindows())
                    out << ',' << num(p.start_s[f.clip]) << ',' << num(p.end_s[f.clip]);
                out << ',' << csvQuote(joinLabels(p.labels[f.clip], r.classes)) << ','
                    << csvQuote(name(static_cast<std::size_t>(f.predicted))) << ','
                    << num(f.predicted_score) << ',' << num(f.true_score) << '\n';
            }
        };
        rows("most_confident_wrong", r.most_confident_wrong);
        rows("least_confident_right", r.least_confident_right);
    });

    // ---- comparison files
    if (cmp) {
        writeFileAtomically(dir / "comparison.csv", [&](std::ostream& out) {
            out << "class,delta_f1,delta_average_precision,delta_roc_auc\n";
            for (std::size_t c = 0; c < cmp->per_class.size(); ++c)
                out << csvQuote(name(c)) << ',' << num(cmp->per_class[c].f1) << ','
                    << num(cmp->per_class[c].average_precision) << ','
                    << num(cmp->per_class[c].roc_auc) << '\n';
        });
        writeFileAtomically(dir / "flipped.csv", [&](std::ostream& out) {
            out << "file,change,true,ours_predicted,baseline_predicted\n";
            for (const auto& f : cmp->flipped)
                out << csvQuote(f.file) << ',' << (f.now_right ? "fixed" : "broken") << ','
                    << csvQuote(joinLabels(f.true_labels, r.classes)) << ','
                    << csvQuote(name(static_cast<std::size_t>(f.ours_predicted))) << ','
                    << csvQuote(name(static_cast<std::size_t>(f.baseline_predicted))) << '\n';
        });
    }

    // ---- report.md
    std::ostringstream md;
    md << "# Evaluation report\n\n"
       << r.n_clips << " clips" << (r.options.clips.empty() ? "" : " (" + r.options.clips + ")") << ", " << C
       << " classes, " << (r.multi_label ? "multi-label" : "single-label");
    if (r.multi_label)
        md << " (decision threshold " << fmt(r.options.threshold, 2) << ")";
    md << ".\n\n## Headline metrics\n\n| metric | value |\n|---|---|\n";
    for (const auto& [k, v] : headline(r))
        md << "| " << k << " | " << fmt(v) << " |\n";
    if (!r.scores_are_probabilities)
        md << "\nScores are not all in [0, 1]: log loss and calibration are not reported.\n";
    if (!r.ranking.classes_without_positives.empty()) {
        md << "\nClasses without positive clips (AUC and AP undefined, left out of the averages): ";
        for (std::size_t k = 0; k < r.ranking.classes_without_positives.size(); ++k)
            md << (k ? ", " : "") << name(r.ranking.classes_without_positives[k]);
        md << ".\n";
    }
    if (!r.ranking.classes_without_negatives.empty()) {
        md << "\nClasses present in every clip (AUC undefined, left out of the AUC averages): ";
        for (std::size_t k = 0; k < r.ranking.classes_without_negatives.size(); ++k)
            md << (k ? ", " : "") << name(r.ranking.classes_without_negatives[k]);
        md << ".\n";
    }
    md << "\n## Per class\n\n| class | precision | recall | F1 | support | ROC-AUC | AP |\n"
          "|---|---|---|---|---|---|---|\n";
    for (std::size_t c = 0; c < C; ++c) {
        const auto& k = r.classification.per_class[c];
        const auto& b = r.ranking.per_class[c];
        md << "| " << mdCell(name(c)) << " | " << fmt(k.precision) << " | " << fmt(k.recall)
           << " | " << fmt(k.f1) << " | " << k.support << " | " << fmt(b.roc_auc) << " | "
           << fmt(b.average_precision) << " |\n";
    }
    for (const auto* avg : {"macro", "micro", "weighted"}) {
        const auto& v = std::string(avg) == "macro"   ? r.classification.macro
                        : std::string(avg) == "micro" ? r.classification.micro
                                                      : r.classification.weighted;
        md << "| *" << avg << " avg* | " << fmt(v.precision) << " | " << fmt(v.recall) << " | "
           << fmt(v.f1) << " | " << v.support << " | | |\n";
    }

    // Worst classes: by F1 for single-label, by AP (threshold-free) for multi-label.
    std::vector<std::size_t> order;
    for (std::size_t c = 0; c < C; ++c)
        if (r.ranking.per_class[c].positives > 0)
            order.push_back(c);
    auto key = [&](std::size_t c) {
        return r.multi_label ? r.ranking.per_class[c].average_precision
                             : r.classification.per_class[c].f1;
    };
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
    order.resize(std::min(order.size(), r.options.n_worst));
    md << "\n## Worst classes (by " << (r.multi_label ? "average precision" : "F1") << ")\n\n";
    for (std::size_t c : order)
        md << "- " << name(c) << ": " << fmt(key(c)) << " (" << r.ranking.per_class[c].positives
           << " positives)\n";
    md << "\n## Most-confused pairs\n\n";
    if (r.most_confused.empty())
        md << "None.\n";
    else {
        md << "| true | predicted | clips |\n|---|---|---|\n";
        for (std::size_t k = 0; k < std::min(r.most_confused.size(), r.options.n_worst); ++k) {
            const auto& pr = r.most_confused[k];
            md << "| " << mdCell(name(static_cast<std::size_t>(pr.true_class))) << " | "
               << mdCell(name(static_cast<std::size_t>(pr.predicted_class))) << " | " << pr.count
               << " |\n";
        }
    }
    md << "\n## Failure cases\n\nMost confident wrong (all in failures.csv):\n\n";
    if (r.most_confident_wrong.empty())
        md << "None: every clip's top class is right.\n";
    else {
        md << "| file | true | predicted | score |\n|---|---|---|---|\n";
        for (std::size_t k = 0; k < std::min<std::size_t>(r.most_confident_wrong.size(), 5); ++k) {
            const auto& f = r.most_confident_wrong[k];
            md << "| " << mdCell(p.files[f.clip]) << " | "
               << mdCell(joinLabels(p.labels[f.clip], r.classes)) << " | "
               << mdCell(name(static_cast<std::size_t>(f.predicted))) << " | "
               << fmt(f.predicted_score) << " |\n";
        }
    }
    if (cmp) {
        md << "\n## Comparison with the baseline\n\n";
        if (const ComparisonVerdict verdict = comparisonVerdict(*cmp); !verdict.text.empty())
            md << "**" << verdict.text << ".**\n\n";
        md << "Baseline: `" << cmp->baseline_source.string()
           << "`, " << cmp->n_common << " clips in common";
        if (!cmp->only_in_ours.empty() || !cmp->only_in_baseline.empty())
            md << " (" << cmp->only_in_ours.size() << " only here, " << cmp->only_in_baseline.size()
               << " only in the baseline: left out)";
        md << ". Intervals: paired bootstrap, " << cmp->n_bootstrap << " resamples, "
           << fmt(100 * cmp->confidence, 0) << "%.\n\n"
           << "| metric | ours | baseline | delta | interval |\n|---|---|---|---|---|\n";
        for (const auto& m : cmp->metrics)
            md << "| " << m.name << " | " << fmt(m.ours) << " | " << fmt(m.baseline) << " | "
               << (m.delta >= 0 ? "+" : "") << fmt(m.delta) << " | [" << fmt(m.ci_low) << ", "
               << fmt(m.ci_high) << "] |\n";
        md << "\nMcNemar (top-1 right/wrong): " << cmp->mcnemar.only_ours_right
           << " clips only we get right, " << cmp->mcnemar.only_baseline_right
           << " only the baseline, p = " << pValue(cmp->mcnemar.p_value) << " ("
           << (cmp->mcnemar.exact ? "exact binomial" : "chi-square, continuity-corrected")
           << "). " << cmp->flipped.size() << " clips flipped (flipped.csv).\n";
    }
    writeTextAtomically(dir / "report.md", md.str());
}

void Predictions::checkThresholds(const std::vector<double>& thresholds) const {
    if (thresholds.size() != classes.size())
        throw Error(ErrorCode::InvalidArgument,
                    "one threshold per class is needed (" + std::to_string(classes.size()) + ")");
}

namespace {

// Whether clip `clip` of true class `row` belongs in column `column`.
bool inCell(const Predictions& p, const std::vector<double>& thresholds, std::size_t clip, int row, int column) {
    const auto c = static_cast<std::size_t>(column);
    return p.scores.at(clip, c) >= thresholds[c] && (column == row || !p.hasLabel(clip, column));
}

}  // namespace

ConfusionMatrix multiLabelConfusion(const Predictions& p, const std::vector<double>& thresholds) {
    p.checkThresholds(thresholds);
    const std::size_t n = p.classes.size();
    ConfusionMatrix m{n, std::vector<std::int64_t>(n * n, 0)};
    for (std::size_t i = 0; i < p.size(); ++i)
        for (const int row : p.labels[i])
            for (int column = 0; column < static_cast<int>(n); ++column)
                if (inCell(p, thresholds, i, row, column))
                    ++m.counts[static_cast<std::size_t>(row) * n + static_cast<std::size_t>(column)];
    return m;
}

std::vector<CellClip> multiLabelCellClips(const Predictions& p, const std::vector<double>& thresholds,
                                          int true_class, int present) {
    p.checkThresholds(thresholds);
    const int n = static_cast<int>(p.classes.size());
    if (true_class < 0 || present < 0 || true_class >= n || present >= n)
        throw Error(ErrorCode::InvalidArgument, "a class is outside " + std::to_string(n) + " classes");
    std::vector<CellClip> clips;
    for (std::size_t i = 0; i < p.size(); ++i)
        if (p.hasLabel(i, true_class) && inCell(p, thresholds, i, true_class, present)) {
            const double score = p.scores.at(i, static_cast<std::size_t>(present));
            clips.push_back({.clip = i,
                             .true_class = true_class,
                             .predicted = present,
                             .score = score,
                             .margin = score - thresholds[static_cast<std::size_t>(present)]});
        }
    std::stable_sort(clips.begin(), clips.end(), [](const CellClip& a, const CellClip& b) { return a.score > b.score; });
    return clips;
}

}  // namespace patchout
