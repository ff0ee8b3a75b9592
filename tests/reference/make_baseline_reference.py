#!/usr/bin/python3
"""Reference values for tests/core/test_baseline.cpp: scikit-learn's LogisticRegression (lbfgs,
L2, class_weight="balanced") on standardised features, the objective core/src/eval/baseline.cpp
minimises with LibTorch's L-BFGS. Single-label (multinomial) and multi-label (one binary regression
per class, OneVsRestClassifier), on small unbalanced data drawn here with a fixed seed.

Run with Debian's interpreter (python3-sklearn 1.2), from the repository root:
    /usr/bin/python3 tests/reference/make_baseline_reference.py
It rewrites tests/reference/baseline_reference.json, which is committed so the tests need no Python.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import StandardScaler

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "baseline_reference.json")
rng = np.random.default_rng(7)


def case_single(c):
    # Three overlapping classes of 30, 12 and 6 rows in 5 dimensions, one constant dimension.
    sizes = [30, 12, 6]
    centres = rng.normal(0, 1.0, size=(3, 5))
    x = np.concatenate([centres[k] + rng.normal(0, 1.2, size=(n, 5)) for k, n in enumerate(sizes)])
    x[:, 4] = 3.0
    x[:, 0] *= 40.0  # scales differ: standardisation matters
    y = np.concatenate([np.full(n, k) for k, n in enumerate(sizes)])
    test = rng.normal(0, 1.5, size=(10, 5))
    test[:, 0] *= 40.0
    test[:, 4] = 3.0
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=10000, tol=1e-10)
    model.fit(scaler.transform(x), y)
    return {"c": c, "x": x.tolist(), "labels": [[int(v)] for v in y], "classes": 3,
            "test": test.tolist(), "proba": model.predict_proba(scaler.transform(test)).tolist()}


def case_multi():
    n, d, k = 40, 4, 3
    x = rng.normal(0, 1, size=(n, d))
    w = rng.normal(0, 2, size=(d, k))
    y = (x @ w + rng.normal(0, 1, size=(n, k)) > 0.8).astype(int)
    y[0] = [1, 1, 1]
    y[1] = [0, 0, 0]
    test = rng.normal(0, 1, size=(8, d))
    scaler = StandardScaler().fit(x)
    model = OneVsRestClassifier(LogisticRegression(C=1.0, class_weight="balanced", max_iter=10000, tol=1e-10))
    model.fit(scaler.transform(x), y)
    return {"c": 1.0, "x": x.tolist(), "labels": [[j for j in range(k) if y[i, j]] for i in range(n)],
            "classes": k, "test": test.tolist(), "proba": model.predict_proba(scaler.transform(test)).tolist()}


ref = {"sklearn": sklearn.__version__, "single": [case_single(1.0), case_single(0.05)], "multi": case_multi()}
with open(OUT, "w") as f:
    json.dump(ref, f, indent=1)
print("wrote", OUT)
