"""The accuracy peers of bench/accuracy.sh: Python jieba + scikit-learn, two feature sets ×
three classifiers, all at scikit-learn's defaults but for the settings named here.

usage: peer_accuracy.py CACHE.json DATA_DIR DATASET...

For each DATASET, reads DATA_DIR/DATASET/{train,test}.csv, segments every text with jieba once
(bench/common.py), and fits on train and scores on test:
  features     word       TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2) over
                          the jieba tokens
               word+char  FeatureUnion of that word vectorizer and
                          TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True,
                          min_df=2) over the raw text
  classifiers  LinearSVC(), LogisticRegression(max_iter=1000), ComplementNB()
Each result (test accuracy, macro-F1, fit and predict seconds) goes into CACHE.json under
results[DATASET][VARIANT], with the versions used and the data files' SHA-256; other entries
are kept, and the file is rewritten after each dataset. Progress goes to stderr.
"""

import datetime
import hashlib
import json
import platform
import sys
import time
import warnings
from pathlib import Path

import jieba
import scipy.sparse
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC

from common import init_jieba, read_csv, segment

CLASSIFIERS = {
    "LinearSVC": LinearSVC,
    "LogisticRegression": lambda: LogisticRegression(max_iter=1000),
    "ComplementNB": ComplementNB,
}


def word_vectorizer():
    # The documents are jieba tokens joined by spaces: every token is a term, single
    # characters and punctuation included (the default token_pattern would drop them).
    return TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, token_pattern=r"(?u)\S+")


def char_vectorizer():
    # scikit-learn's char analyzer collapses runs of whitespace to one space itself.
    return TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True, min_df=2)


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def say(message):
    print(f"[peers] {message}", file=sys.stderr, flush=True)


def score(x_train, y_train, x_test, y_test):
    """Each classifier's test accuracy, macro-F1 and timings on one feature matrix."""
    out = {}
    for name, make in CLASSIFIERS.items():
        clock = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            model = make().fit(x_train, y_train)
        fit_s = time.perf_counter() - clock
        predicted = model.predict(x_test)
        out[name] = {
            "accuracy": accuracy_score(y_test, predicted),
            "macro_f1": f1_score(y_test, predicted, average="macro"),
            "fit_s": fit_s,
            "predict_s": time.perf_counter() - clock - fit_s,
            "converged": not any(issubclass(w.category, ConvergenceWarning) for w in caught),
        }
    return out


def run(data_dir, name):
    train_path, test_path = Path(data_dir, name, "train.csv"), Path(data_dir, name, "test.csv")
    train_texts, y_train = read_csv(train_path)
    test_texts, y_test = read_csv(test_path)
    say(f"{name}: segmenting {len(train_texts):,} + {len(test_texts):,} texts with jieba")
    clock = time.perf_counter()
    train_docs, test_docs = segment(train_texts), segment(test_texts)
    segment_s = time.perf_counter() - clock

    common = {
        "scikit-learn": sklearn.__version__,
        "jieba": jieba.__version__,
        "python": platform.python_version(),
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "train_rows": len(y_train),
        "test_rows": len(y_test),
        "train_sha256": sha256(train_path),
        "test_sha256": sha256(test_path),
        "segment_s": segment_s,  # shared by both variants
    }
    results = {}

    clock = time.perf_counter()
    word = word_vectorizer()
    xw_train, xw_test = word.fit_transform(train_docs), word.transform(test_docs)
    word_s = time.perf_counter() - clock
    say(f"{name}: word, {xw_train.shape[1]:,} features")
    results["word"] = {**common, "features": xw_train.shape[1], "vectorize_s": word_s,
                       "classifiers": score(xw_train, y_train, xw_test, y_test)}

    # Side by side, the word and char matrices are exactly what FeatureUnion([word, char])
    # outputs; stacking them reuses the word matrix rather than fitting it again.
    clock = time.perf_counter()
    char = char_vectorizer()
    xc_train, xc_test = char.fit_transform(train_texts), char.transform(test_texts)
    x_train = scipy.sparse.hstack([xw_train, xc_train], format="csr")
    x_test = scipy.sparse.hstack([xw_test, xc_test], format="csr")
    both_s = word_s + time.perf_counter() - clock
    say(f"{name}: word+char, {x_train.shape[1]:,} features")
    results["word+char"] = {**common, "features": x_train.shape[1], "vectorize_s": both_s,
                            "classifiers": score(x_train, y_train, x_test, y_test)}
    return results


def main(cache_path, data_dir, *names):
    cache_path = Path(cache_path)
    cache = json.loads(cache_path.read_text()) if cache_path.exists() else {}
    cache.setdefault("results", {})
    init_jieba()
    for name in names:
        cache["results"][name] = run(data_dir, name)
        cache_path.write_text(json.dumps(cache, indent=2, ensure_ascii=False) + "\n")
        best = max(((v, c, r["accuracy"]) for v, e in cache["results"][name].items()
                    for c, r in e["classifiers"].items()), key=lambda t: t[2])
        say(f"{name}: best {best[0]} {best[1]} {best[2]:.4f}")


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
