// bench_eval: every evaluation metric for AudioSet-sized predictions (100 000 clips x 527 classes,
// random scores) with patchout's computeReport, and the same metrics with scikit-learn on the same
// arrays in a python3 subprocess. Prints both times, their ratio and the largest difference between
// the values. Usage: bench_eval [--clips N] [--classes C] [--threads T] [--python PATH]
#include "bench_args.h"
#include "patchout/system_info.h"
#include "patchout/report.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <thread>

#include <unistd.h>

namespace {

using Clock = std::chrono::steady_clock;

// Times only the computation (loading the arrays is excluded), the same set as computeReport:
// accuracy, top-5, balanced accuracy, confusion matrix, per-class precision/recall/F1 with
// averages, log loss, kappa, per-class ROC and PR curves with AUC/AP, their macro/weighted/micro
// averages, top-label calibration (ECE).
const char* kSklearnScript = R"PY(
import json, sys, time
import numpy as np
from sklearn import metrics as skm
from sklearn.preprocessing import label_binarize

folder, n, C = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
S = np.fromfile(folder + "/scores.f64", dtype=np.float64).reshape(n, C)
y = np.fromfile(folder + "/labels.i32", dtype=np.int32).astype(np.int64)
labels = np.arange(C)
t0 = time.perf_counter()
pred = np.argmax(S, axis=1)
out = {"accuracy": skm.accuracy_score(y, pred),
       "top_5_accuracy": skm.top_k_accuracy_score(y, S, k=5, labels=labels),
       "balanced_accuracy": skm.balanced_accuracy_score(y, pred),
       "cohen_kappa": skm.cohen_kappa_score(y, pred),
       "log_loss": skm.log_loss(y, S, labels=labels)}
cm = skm.confusion_matrix(y, pred, labels=labels)
for avg in ("macro", "weighted", "micro"):
    p, r, f, _ = skm.precision_recall_fscore_support(y, pred, labels=labels, average=avg,
                                                     zero_division=0)
    out[avg + "_f1"] = f
Y = label_binarize(y, classes=labels)
has_pos = Y.sum(axis=0) > 0
aucs, aps = [], []
for c in range(C):
    if not has_pos[c]:
        continue
    fpr, tpr, _ = skm.roc_curve(Y[:, c], S[:, c])
    prec, rec, _ = skm.precision_recall_curve(Y[:, c], S[:, c])
    aucs.append(skm.auc(fpr, tpr))
    aps.append(-np.sum(np.diff(rec) * prec[:-1]))
w = Y.sum(axis=0)[has_pos]
out["macro_roc_auc"] = float(np.mean(aucs))
out["weighted_roc_auc"] = float(np.average(aucs, weights=w))
out["mAP"] = float(np.mean(aps))
out["weighted_average_precision"] = float(np.average(aps, weights=w))
out["micro_roc_auc"] = skm.roc_auc_score(Y, S, average="micro")
out["micro_average_precision"] = skm.average_precision_score(Y, S, average="micro")
conf = S[np.arange(n), pred]
edges = np.linspace(0, 1, 16)
ids = np.searchsorted(edges[1:-1], conf)
ece = 0.0
for b in range(15):
    m = ids == b
    if m.any():
        ece += m.sum() / n * abs((pred[m] == y[m]).mean() - conf[m].mean())
out["expected_calibration_error"] = ece
out["seconds"] = time.perf_counter() - t0
print(json.dumps({k: float(v) for k, v in out.items()}))
)PY";

std::string findPython(const std::string& asked) {
    std::vector<std::string> candidates;
    if (!asked.empty())
        candidates.push_back(asked);
    candidates.insert(candidates.end(), {"/usr/bin/python3", "python3"});
    for (const auto& py : candidates)
        if (std::system((py + " -c 'import sklearn, numpy' >/dev/null 2>&1").c_str()) == 0)
            return py;
    return {};
}

}  // namespace

constexpr const char* kUsage =
    "bench_eval [--clips 100000] [--classes 527] [--threads T] [--python /usr/bin/python3]\n"
    "Every evaluation metric of computeReport on random AudioSet-sized predictions, against scikit-learn on\n"
    "the same arrays in a python3 subprocess: both times, their ratio, the largest difference of the values.\n";

int main(int argc, char** argv) {
    patchout::selectBlasKernels(argv);  // first: may re-execute with faster OpenBLAS kernels
    patchout::bench::checkArgs(argc, argv, kUsage, {"--clips", "--classes", "--threads", "--python"});
    std::size_t n = 100000, C = 527;
    unsigned threads = 0;
    std::string python;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i], v = argv[i + 1];
        if (a == "--clips")
            n = std::stoul(v);
        else if (a == "--classes")
            C = std::stoul(v);
        else if (a == "--threads")
            threads = static_cast<unsigned>(std::stoul(v));
        else if (a == "--python")
            python = v;
        else {
            std::cerr << "usage: bench_eval [--clips N] [--classes C] [--threads T] [--python P]\n";
            return 2;
        }
    }
    const unsigned usedThreads = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
    std::cout << "bench_eval: " << n << " clips x " << C << " classes, random softmax scores, "
              << usedThreads << " threads\n";

    // Scores: softmax of N(0, 1) logits with the true class raised by 2, so the metrics are neither
    // trivial nor chance. Rounded to float32 precision so that ties occur as in real model output.
    patchout::Predictions p;
    p.scores.n_samples = n;
    p.scores.n_classes = C;
    p.scores.values.resize(n * C);
    std::mt19937_64 rng(527);
    std::normal_distribution<double> normal;
    std::uniform_int_distribution<int> label(0, static_cast<int>(C) - 1);
    std::vector<std::int32_t> y(n);
    for (std::size_t i = 0; i < n; ++i) {
        y[i] = label(rng);
        double* row = p.scores.values.data() + i * C;
        double sum = 0;
        for (std::size_t c = 0; c < C; ++c) {
            row[c] = std::exp(normal(rng) + (static_cast<int>(c) == y[i] ? 2.0 : 0.0));
            sum += row[c];
        }
        for (std::size_t c = 0; c < C; ++c)
            row[c] = static_cast<float>(row[c] / sum);
        p.files.push_back("clip" + std::to_string(i));
        p.labels.push_back({y[i]});
    }
    for (std::size_t c = 0; c < C; ++c)
        p.classes.push_back("class" + std::to_string(c));

    patchout::ReportOptions options;
    options.threads = threads;
    const auto t0 = Clock::now();
    const auto report = patchout::computeReport(p, options);
    const double ours = std::chrono::duration<double>(Clock::now() - t0).count();
    std::cout << "patchout computeReport: " << ours << " s\n";

    const std::map<std::string, double> ourValues = {
        {"accuracy", report.accuracy},
        {"top_5_accuracy", report.top_k_accuracy},
        {"balanced_accuracy", report.balanced_accuracy},
        {"cohen_kappa", report.cohen_kappa},
        {"log_loss", report.log_loss},
        {"macro_f1", report.classification.macro.f1},
        {"weighted_f1", report.classification.weighted.f1},
        {"micro_f1", report.classification.micro.f1},
        {"macro_roc_auc", report.ranking.macro_roc_auc},
        {"weighted_roc_auc", report.ranking.weighted_roc_auc},
        {"micro_roc_auc", report.ranking.micro_roc_auc},
        {"mAP", report.ranking.mean_average_precision},
        {"weighted_average_precision", report.ranking.weighted_average_precision},
        {"micro_average_precision", report.ranking.micro_average_precision},
        {"expected_calibration_error", report.calibration.expected_calibration_error}};

    const std::string py = findPython(python);
    if (py.empty()) {
        std::cout << "python3 with scikit-learn not found: reporting patchout only\n";
        for (const auto& [k, v] : ourValues)
            std::printf("  %-28s %.12f\n", k.c_str(), v);
        return 0;
    }
    const auto dir = std::filesystem::temp_directory_path() /
                     ("patchout-bench-eval-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    {
        std::ofstream(dir / "scores.f64", std::ios::binary)
            .write(reinterpret_cast<const char*>(p.scores.values.data()),
                   static_cast<std::streamsize>(p.scores.values.size() * sizeof(double)));
        std::ofstream(dir / "labels.i32", std::ios::binary)
            .write(reinterpret_cast<const char*>(y.data()),
                   static_cast<std::streamsize>(y.size() * sizeof(std::int32_t)));
        std::ofstream(dir / "sk.py") << kSklearnScript;
    }
    const std::string cmd = py + " -W ignore " + (dir / "sk.py").string() + " " + dir.string() + " " +
                            std::to_string(n) + " " + std::to_string(C) + " > " +
                            (dir / "sk.json").string();
    const auto t1 = Clock::now();
    const int rc = std::system(cmd.c_str());
    const double wall = std::chrono::duration<double>(Clock::now() - t1).count();
    nlohmann::json sk;
    if (rc == 0) {
        std::ifstream in(dir / "sk.json");
        sk = nlohmann::json::parse(in, nullptr, false);
    }
    std::filesystem::remove_all(dir);
    if (rc != 0 || sk.is_discarded()) {
        std::cout << "scikit-learn run failed (exit " << rc << "): reporting patchout only\n";
        return 0;
    }
    const double theirs = sk["seconds"].get<double>();
    std::cout << "scikit-learn " << py << ": " << theirs << " s computing (" << wall
              << " s with start-up and loading)\n";
    double worst = 0;
    std::string worstName;
    std::printf("  %-28s %-20s %-20s %s\n", "metric", "patchout", "scikit-learn", "|diff|");
    for (const auto& [k, v] : ourValues) {
        const double s = sk[k].get<double>();
        const double d = std::abs(v - s);
        std::printf("  %-28s %-20.14f %-20.14f %.2e\n", k.c_str(), v, s, d);
        if (!(d <= worst)) {
            worst = d;
            worstName = k;
        }
    }
    std::printf("speed-up: %.1fx (scikit-learn %.2f s / patchout %.2f s); largest difference %.2e (%s)\n",
                theirs / ours, theirs, ours, worst, worstName.c_str());
    return 0;
}
