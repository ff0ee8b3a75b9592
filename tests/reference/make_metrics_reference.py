#!/usr/bin/python3
"""Reference values for tests/core/test_metrics*.cpp, computed with scikit-learn (and scipy for the
normal quantile and the binomial test) on random and adversarial inputs: ties, constant scores, a
class never predicted, a class never present, multi-label with a class in every clip.

Run with Debian's interpreter (python3-sklearn 1.2, python3-scipy), from the repository root:
    /usr/bin/python3 tests/reference/make_metrics_reference.py
It rewrites tests/reference/metrics_reference.json, which is committed so the tests need no Python.
"""
import json
import math
import os

import numpy as np
import scipy.stats
import sklearn
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "metrics_reference.json")
N_BINS = 10


def nan_to_none(x):
    if isinstance(x, (list, tuple)):
        return [nan_to_none(v) for v in x]
    if isinstance(x, np.ndarray):
        return nan_to_none(x.tolist())
    if isinstance(x, (float, np.floating)):
        x = float(x)
        return None if math.isnan(x) else x
    if isinstance(x, (np.integer,)):
        return int(x)
    return x


def prf(y_true, y_pred, labels, zero_division):
    out = {}
    p, r, f, s = skm.precision_recall_fscore_support(
        y_true, y_pred, labels=labels, average=None, zero_division=zero_division)
    out["per_class"] = {"precision": p, "recall": r, "f1": f, "support": s}
    for avg in ("macro", "micro", "weighted"):
        p, r, f, _ = skm.precision_recall_fscore_support(
            y_true, y_pred, labels=labels, average=avg, zero_division=zero_division)
        out[avg] = {"precision": p, "recall": r, "f1": f}
    return out


def ranking(Y, S):
    """Per-class curves and the averages, over the classes where each metric is defined."""
    C = Y.shape[1]
    per_class = []
    for c in range(C):
        y, s = Y[:, c], S[:, c]
        pos, neg = int(y.sum()), int((1 - y).sum())
        e = {"positives": pos, "negatives": neg, "roc_auc": None, "average_precision": None}
        if pos > 0 and neg > 0:
            e["roc_auc"] = skm.roc_auc_score(y, s)
            fpr, tpr, thr = skm.roc_curve(y, s)
            e["roc"] = {"fpr": fpr, "tpr": tpr, "thresholds": thr}
        if pos > 0:
            e["average_precision"] = skm.average_precision_score(y, s)
            prec, rec, thr = skm.precision_recall_curve(y, s)
            e["pr"] = {"precision": prec, "recall": rec, "thresholds": thr}
        per_class.append(e)
    has_pos = Y.sum(axis=0) > 0
    has_both = has_pos & ((1 - Y).sum(axis=0) > 0)
    out = {"per_class": per_class,
           "classes_without_positives": [int(c) for c in np.where(~has_pos)[0]],
           "classes_without_negatives": [int(c) for c in np.where(has_pos & ~has_both)[0]]}
    out["macro_roc_auc"] = skm.roc_auc_score(Y[:, has_both], S[:, has_both], average="macro")
    out["weighted_roc_auc"] = skm.roc_auc_score(Y[:, has_both], S[:, has_both], average="weighted")
    out["micro_roc_auc"] = skm.roc_auc_score(Y, S, average="micro")
    out["mean_average_precision"] = skm.average_precision_score(Y[:, has_pos], S[:, has_pos],
                                                                average="macro")
    out["weighted_average_precision"] = skm.average_precision_score(Y[:, has_pos], S[:, has_pos],
                                                                    average="weighted")
    out["micro_average_precision"] = skm.average_precision_score(Y, S, average="micro")
    out["d_prime"] = math.sqrt(2) * scipy.stats.norm.ppf(out["macro_roc_auc"])
    return out


def calibration(correct, confidence):
    """ECE by numpy; the non-empty bins by scikit-learn's calibration_curve."""
    bins = np.linspace(0.0, 1.0, N_BINS + 1)
    ids = np.searchsorted(bins[1:-1], confidence)
    ece, mce, counts = 0.0, 0.0, []
    for b in range(N_BINS):
        m = ids == b
        counts.append(int(m.sum()))
        if m.any():
            gap = abs(correct[m].mean() - confidence[m].mean())
            ece += m.sum() / len(confidence) * gap
            mce = max(mce, gap)
    prob_true, prob_pred = calibration_curve(correct, confidence, n_bins=N_BINS)
    return {"n_bins": N_BINS, "counts": counts, "expected_calibration_error": ece,
            "maximum_calibration_error": mce, "accuracy": prob_true, "mean_confidence": prob_pred}


def tuned_thresholds(Y, S):
    """Brute force: every distinct score as threshold (score >= t), F1 = 2tp/(2tp+fp+fn), highest
    threshold among equal F1."""
    out = []
    for c in range(Y.shape[1]):
        y, s = Y[:, c].astype(bool), S[:, c]
        P = int(y.sum())
        if P == 0:
            out.append({"has_positives": False, "threshold": 0.5, "f1": 0.0})
            continue
        best_t, best_f1 = None, -1.0
        for t in sorted(set(s.tolist()), reverse=True):
            pred = s >= t
            tp = int((pred & y).sum())
            fp = int((pred & ~y).sum())
            fn = P - tp
            f1 = 2.0 * tp / (2.0 * tp + fp + fn)
            if f1 > best_f1:
                best_t, best_f1 = t, f1
        out.append({"has_positives": True, "threshold": best_t, "f1": best_f1})
    return out


def single_case(name, y_true, S):
    n, C = S.shape
    labels = list(range(C))
    Y = np.zeros((n, C), dtype=int)
    Y[np.arange(n), y_true] = 1
    y_pred = np.argmax(S, axis=1)
    case = {"name": name, "multi_label": False, "n_classes": C, "y_true": y_true, "scores": S,
            "argmax": y_pred,
            "accuracy": skm.accuracy_score(y_true, y_pred),
            "top_k": {str(k): skm.top_k_accuracy_score(y_true, S, k=k, labels=labels)
                      for k in (1, 2, 3) if k < C},
            "balanced_accuracy": skm.balanced_accuracy_score(y_true, y_pred),
            "confusion": skm.confusion_matrix(y_true, y_pred, labels=labels),
            "confusion_normalised": skm.confusion_matrix(y_true, y_pred, labels=labels,
                                                         normalize="true"),
            "cohen_kappa": skm.cohen_kappa_score(y_true, y_pred),
            "log_loss": skm.log_loss(y_true, S, labels=labels),
            "prf_zero": prf(y_true, y_pred, labels, 0),
            "prf_one": prf(y_true, y_pred, labels, 1),
            "ranking": ranking(Y, S)}
    conf = S[np.arange(n), y_pred]
    case["calibration"] = calibration((y_pred == y_true).astype(int), conf)
    return case


def multi_case(name, Y, S):
    P = (S >= 0.5).astype(int)
    case = {"name": name, "multi_label": True, "n_classes": Y.shape[1], "labels": Y, "scores": S,
            "subset_accuracy": skm.accuracy_score(Y, P),
            "hamming_loss": skm.hamming_loss(Y, P),
            "prf_zero": prf(Y, P, list(range(Y.shape[1])), 0),
            "prf_one": prf(Y, P, list(range(Y.shape[1])), 1),
            "ranking": ranking(Y, S),
            "calibration": calibration(Y.ravel(), S.ravel()),
            "tuned_thresholds": tuned_thresholds(Y, S)}
    return case


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def main():
    rng = np.random.default_rng(20261128)
    cases = []

    # Random, informative scores.
    n, C = 240, 6
    y = rng.integers(0, C, n)
    z = rng.normal(size=(n, C))
    z[np.arange(n), y] += 1.5
    cases.append(single_case("random", y, softmax(z)))

    # Ties everywhere: probabilities rounded to one decimal.
    n, C = 150, 5
    y = rng.integers(0, C, n)
    z = rng.normal(size=(n, C))
    z[np.arange(n), y] += 1.0
    cases.append(single_case("ties", y, np.round(softmax(z), 1)))

    # Constant scores: every class ties in every clip.
    n, C = 40, 4
    cases.append(single_case("constant", rng.integers(0, C, n), np.full((n, C), 0.25)))

    # Class 2 is never predicted (always the lowest score) and class 3 never occurs.
    n, C = 120, 5
    y = rng.choice([0, 1, 2, 4], n)
    z = rng.normal(size=(n, C))
    z[np.arange(n), y] += 1.0
    z[:, 2] = -10.0 + 0.01 * rng.normal(size=n)
    cases.append(single_case("never_predicted_never_present", y, softmax(z)))

    # Multi-label with informative scores; class 5 never present, class 6 in every clip.
    n, C = 300, 7
    rates = np.array([0.3, 0.1, 0.5, 0.05, 0.2, 0.0, 1.0])
    Y = (rng.random((n, C)) < rates).astype(int)
    logits = rng.normal(size=(n, C)) + 1.5 * (2 * Y - 1)
    S = 1 / (1 + np.exp(-logits))
    cases.append(multi_case("multilabel", Y, S))
    # The same, rounded to two decimals: ties in every class.
    cases.append(multi_case("multilabel_ties", Y, np.round(S, 2)))

    normal = [{"p": p, "x": scipy.stats.norm.ppf(p)}
              for p in (1e-12, 1e-6, 0.001, 0.02, 0.02425, 0.1, 0.3, 0.5, 0.6, 0.75, 0.9, 0.97575,
                        0.99, 0.999999, 1 - 1e-12)]
    mcnemar = []
    for b, c in ((0, 0), (3, 9), (9, 3), (0, 7), (12, 12), (10, 14), (30, 12), (100, 80),
                 (5, 40)):
        n_disc = b + c
        if n_disc < 25:
            p = 1.0 if n_disc == 0 else scipy.stats.binomtest(min(b, c), n_disc, 0.5).pvalue
            mcnemar.append({"b": b, "c": c, "exact": True, "statistic": 0.0, "p_value": p})
        else:
            stat = (abs(b - c) - 1) ** 2 / n_disc
            mcnemar.append({"b": b, "c": c, "exact": False, "statistic": stat,
                            "p_value": scipy.stats.chi2.sf(stat, 1)})

    doc = {"generator": "tests/reference/make_metrics_reference.py",
           "sklearn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
           "cases": nan_to_none(cases_to_lists(cases)), "inverse_normal_cdf": normal,
           "mcnemar": mcnemar}
    with open(OUT, "w") as f:
        json.dump(nan_to_none(doc), f, allow_nan=False, separators=(",", ":"))
        f.write("\n")
    print("wrote", OUT)
    write_cli_predictions(rng)


def write_cli_predictions(rng):
    """Two small predictions.csv files (a model and a weaker baseline on the same 80 clips, with
    time windows) and a malformed one, for the end-to-end tests of `patchout metrics`."""
    folder = os.path.dirname(OUT)
    classes = ["zero", "one", "two", "three"]
    n = 80
    y = rng.integers(0, len(classes), n)
    for name, signal in (("predictions_model.csv", 2.5), ("predictions_baseline.csv", 1.0)):
        z = rng.normal(size=(n, len(classes)))
        z[np.arange(n), y] += signal
        S = softmax(z)
        with open(os.path.join(folder, name), "w") as f:
            f.write("file,start_s,end_s,true," + ",".join(classes) + "\n")
            for i in range(n):
                f.write(f"speaker{i % 4}/{i:03d}.wav,0,1,{classes[y[i]]},"
                        + ",".join(repr(float(v)) for v in S[i]) + "\n")
    with open(os.path.join(folder, "predictions_malformed.csv"), "w") as f:
        f.write("file,true,zero,one\na.wav,zero,0.9,0.1\nb.wav,one,0.2\n")


def cases_to_lists(obj):
    if isinstance(obj, dict):
        return {k: cases_to_lists(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [cases_to_lists(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    return obj


if __name__ == "__main__":
    main()
