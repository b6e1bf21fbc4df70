#!/usr/bin/env python3
"""Writes scikit-learn's bundled diabetes data (Debian: python3-sklearn) as train.csv and test.csv, an 80/20 split,
and prints the test R² of scikit-learn's SGDRegressor trained on the same split: the baseline streamlearn must reach.

usage: diabetes_csv.py OUT_DIR   (prints one JSON object: rows, features, sgd_test_r2)
"""
import csv
import json
import sys
from pathlib import Path

from sklearn.datasets import load_diabetes
from sklearn.linear_model import SGDRegressor
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def write(path, ids, x, y, names):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id"] + names + ["target"])
        for i, row, t in zip(ids, x, y):
            w.writerow([i] + [repr(float(v)) for v in row] + [repr(float(t))])


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    data = load_diabetes()
    ids = [f"d{i}" for i in range(len(data.target))]
    x_train, x_test, y_train, y_test, id_train, id_test = train_test_split(
        data.data, data.target, ids, test_size=0.2, random_state=0)
    # The textbook SGD baseline: standardized features, SGDRegressor's defaults, a fixed seed.
    sgd = make_pipeline(StandardScaler(), SGDRegressor(random_state=0)).fit(x_train, y_train)
    names = list(data.feature_names)
    write(out / "train.csv", id_train, x_train, y_train, names)
    write(out / "test.csv", id_test, x_test, y_test, names)
    print(json.dumps({"rows": len(ids), "train_rows": len(id_train), "test_rows": len(id_test),
                      "features": len(names), "sgd_test_r2": sgd.score(x_test, y_test)}))


if __name__ == "__main__":
    main()
