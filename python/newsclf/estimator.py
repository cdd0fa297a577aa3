"""``newsclf.Classifier``: a scikit-learn estimator over raw texts.

``fit(X, y)`` trains a newsclf model (``X``: texts; ``y``: one label per text,
or several label columns, one head each); it works in ``Pipeline``,
``cross_val_score`` and ``GridSearchCV``, and pickles through the model's bytes.
``partial_fit(X, y, classes)`` trains batch after batch (out-of-core learning).
"""

from __future__ import annotations

import math
import warnings

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin
    from sklearn.utils.validation import check_is_fitted
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError(
        "newsclf.Classifier needs scikit-learn: pip install scikit-learn "
        "(or pip install 'newsclf[sklearn]')"
    ) from e

from ._newsclf import train

# Keyword arguments passed to the library as training settings (the flags of
# `newsclf train`); the other parameters belong to this estimator.
_SETTINGS = (
    "model",
    "loss",
    "C",
    "tol",
    "max_iter",
    "alpha",
    "max_dense_mb",
    "seed",
    "word_ngrams",
    "char_ngrams",
    "min_df",
    "max_df",
    "max_features",
    "sublinear_tf",
    "l2_norm",
    "simplify",
    "hmm",
    "user_dict",
    "stopwords",
)


class SkippedRowsWarning(UserWarning):
    """Rows that ``fit`` could not use (empty text, missing label), with their positions."""


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _label_columns(y):
    """The label columns of ``y`` (lists of values) and their names, if ``y`` has them."""
    if hasattr(y, "columns"):  # a pandas DataFrame
        return [list(y.iloc[:, j]) for j in range(y.shape[1])], [str(c) for c in y.columns]
    arr = np.asarray(y, dtype=object)
    if arr.ndim == 1:
        return [list(arr)], None
    if arr.ndim == 2:
        return [list(arr[:, j]) for j in range(arr.shape[1])], None
    raise ValueError(f"y must be one label per text or a 2-D array of labels, got {arr.ndim} dims")


def _encode_labels(name, column):
    """The labels of one column as the library takes them (text, trimmed as the
    CLI trims them; ``None`` where missing), and the original label of each text."""
    as_text, back = [], {}
    for value in column:
        if _is_missing(value):
            as_text.append(None)
            continue
        key = str(value).strip()
        first = back.setdefault(key, value) if key else value
        # Strings differing only in surrounding spaces are one label; 1 and "1" are not.
        if first != value and not (isinstance(first, str) and isinstance(value, str)):
            raise ValueError(f"labels {first!r} and {value!r} of '{name}' are the same as text")
        as_text.append(key)
    return as_text, back


class Classifier(ClassifierMixin, BaseEstimator):
    """A newsclf model as a scikit-learn classifier of raw (unsegmented) texts.

    Every training setting of ``newsclf train`` is a parameter, with the same
    default: ``model`` ("linear", "nb", "linfa-logistic"), ``word_ngrams``,
    ``char_ngrams`` (a ``(min, max)`` tuple or None), ``min_df``, ``max_df``,
    ``max_features``, ``sublinear_tf``, ``l2_norm``, ``simplify``, ``hmm``,
    ``user_dict`` and ``stopwords`` (file paths). The settings of one
    classifier kind default to None, the kind's own default: for "linear"
    ``loss`` ("svm", the default, "logistic", "ridge"), ``C`` (0.25), ``tol``
    (0.1), ``max_iter`` (200) and ``seed`` (42); for "nb" ``alpha`` (1.0); for
    "linfa-logistic" ``C`` (1.0), ``max_iter`` (100) and ``max_dense_mb``
    (1024). One set for a kind that does not use it makes ``fit`` raise
    ValueError. ``heads`` names the label columns (default: a DataFrame's
    column names, else "label" or "label1", "label2", ...). ``threads``:
    worker threads (None: all cores). ``partial_fit`` trains batch by batch
    (linear models, one label column).

    After ``fit``: ``model_`` (a ``newsclf.Model``; ``model_.save(path)``
    writes a file the CLI reads), ``classes_`` (per head, a list of arrays,
    when ``y`` has several columns), ``heads_`` and ``skipped_`` (the rows not
    used: ``(position, reason)``).
    """

    def __init__(
        self,
        *,
        model="linear",
        loss=None,
        C=None,
        tol=None,
        max_iter=None,
        alpha=None,
        max_dense_mb=None,
        seed=None,
        word_ngrams=(1, 2),
        char_ngrams=(1, 2),
        min_df=2,
        max_df=1.0,
        max_features=None,
        sublinear_tf=True,
        l2_norm=True,
        simplify=False,
        hmm=True,
        user_dict=None,
        stopwords=None,
        heads=None,
        threads=None,
    ):
        self.model = model
        self.loss = loss
        self.C = C
        self.tol = tol
        self.max_iter = max_iter
        self.alpha = alpha
        self.max_dense_mb = max_dense_mb
        self.seed = seed
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf
        self.l2_norm = l2_norm
        self.simplify = simplify
        self.hmm = hmm
        self.user_dict = user_dict
        self.stopwords = stopwords
        self.heads = heads
        self.threads = threads

    def _head_names(self, columns, names):
        """The head names of ``y``'s label columns: ``heads``, a DataFrame's columns, or "label"."""
        if self.heads is not None:
            names = [self.heads] if isinstance(self.heads, str) else list(self.heads)
            if len(names) != len(columns):
                raise ValueError(
                    f"heads has {len(names)} names; y has {len(columns)} label columns"
                )
        elif names is None:
            names = [f"label{j + 1}" for j in range(len(columns))] if len(columns) > 1 else ["label"]
        return names

    def _settings(self):
        settings = {k: getattr(self, k) for k in _SETTINGS}
        if settings["char_ngrams"] is not None:
            settings["char_ngrams"] = tuple(settings["char_ngrams"])
        settings["word_ngrams"] = tuple(settings["word_ngrams"])
        return settings

    def fit(self, X, y):
        """Trains on texts ``X`` and labels ``y`` (one column per head)."""
        columns, names = _label_columns(y)
        names = self._head_names(columns, names)
        encoded = [_encode_labels(name, column) for name, column in zip(names, columns)]
        labels = [as_text for as_text, _ in encoded]
        originals = [back for _, back in encoded]
        model, skipped = train(X, labels, names, self._settings(), threads=self.threads)
        self._set_model(model, names, originals)
        self._record_skipped(skipped)
        return self

    def partial_fit(self, X, y, classes=None):
        """Trains on one batch of texts ``X`` and labels ``y`` (one label column), as
        scikit-learn's incremental estimators do: call it once per chunk of a corpus
        too large to hold, then ``predict`` or ``score``.

        The first call (on an estimator not fitted yet) needs ``classes``, every label
        any batch will have, and fits the featurizer and the model on its batch. The
        vocabulary and IDF come from that first batch and stay fixed: words that only
        later batches have are not learned, so make the first batch large (and
        representative). Each later call continues training the current model on its
        batch (``newsclf train --init``: the weights start from the current ones and
        the calibration is refitted on the batch); it may omit ``classes``. A label
        outside ``classes`` raises ValueError. Linear models only. Returns self.
        """
        columns, names = _label_columns(y)
        if len(columns) != 1:
            raise ValueError(f"partial_fit takes one label column; y has {len(columns)}")
        first = not hasattr(self, "model_")
        if first and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        if classes is not None:
            declared = np.unique(np.asarray(list(classes), dtype=object))
            if not first and not np.array_equal(declared, self._all_classes_):
                raise ValueError(
                    f"classes={list(declared)!r} is not the same as on the last call to "
                    f"partial_fit, was: {list(self._all_classes_)!r}"
                )
        else:
            declared = self._all_classes_
        known = set(declared.tolist())
        unknown = sorted({str(v) for v in columns[0] if not _is_missing(v) and v not in known})
        if unknown:
            raise ValueError(f"y has labels not in classes: {unknown[:10]} (classes: {list(declared)!r})")
        names = self._head_names(columns, names)
        if not first and names != self.heads_:
            raise ValueError(f"y's label column is {names[0]!r}; the model's head is {self.heads_[0]!r}")
        as_text, back = _encode_labels(names[0], columns[0])
        if not first:
            back = {**self._originals_[0], **back}
        init = None if first else self.model_
        model, skipped = train(X, [as_text], names, self._settings(), threads=self.threads, init=init)
        self._set_model(model, names, [back], declared)
        self._record_skipped(skipped)
        return self

    def _set_model(self, model, names, originals, declared=None):
        """Keeps ``model`` and the label bookkeeping of each head; ``declared``: the
        classes given to ``partial_fit`` (the model may not have every one yet)."""
        self.model_ = model
        self.heads_ = names
        self._originals_ = originals
        # Per head: the original label of each of the model's classes (in the
        # model's order), and for each of `classes_` (numpy's order) its
        # column in the model's probability matrix (-1: a declared class the
        # model has not seen yet).
        self._labels_, self._columns_, classes = [], [], []
        for head, back in zip(names, originals):
            keys = model.classes(head)
            if declared is None:
                sorted_labels = np.unique([back[k] for k in keys])
            else:
                sorted_labels = declared
            column = {k: i for i, k in enumerate(keys)}
            self._labels_.append(np.array([back[k] for k in keys], dtype=object))
            self._columns_.append(np.array([column.get(str(c).strip(), -1) for c in sorted_labels]))
            classes.append(sorted_labels)
        self._all_classes_ = classes[0]
        self.classes_ = classes[0] if len(names) == 1 else classes

    def _record_skipped(self, skipped):
        self.skipped_ = [(pos, reason) for pos, reason, _ in skipped]
        if skipped:
            self._warn_skipped(skipped)

    @staticmethod
    def _warn_skipped(skipped):
        by_reason = {}
        for pos, reason, dropped in skipped:
            what = "row skipped" if dropped else "label not used"
            by_reason.setdefault(f"{reason} ({what})", []).append(pos)
        parts = []
        for reason, positions in by_reason.items():
            shown = ", ".join(f"X[{p}]" for p in positions[:10])
            more = f", ... {len(positions) - 10} more" if len(positions) > 10 else ""
            parts.append(f"{reason}: {len(positions)} × {shown}{more}")
        warnings.warn("newsclf: " + "; ".join(parts), SkippedRowsWarning, stacklevel=4)

    def _head_probabilities(self, X):
        """Per head, the model's probability matrix (columns in the model's class order)."""
        check_is_fitted(self, "model_")
        return [
            self.model_.predict_proba(X, head=head, threads=self.threads) for head in self.heads_
        ]

    def predict(self, X):
        """The most probable label of every text (a 2-D array with several heads)."""
        columns = []
        for labels, proba in zip(self._labels_, self._head_probabilities(X)):
            # argmax keeps the first of tied classes, as the CLI's ranking does.
            columns.append(labels[np.argmax(proba, axis=1)] if len(proba) else labels[:0])
        if len(columns) == 1:
            return np.array(columns[0].tolist())
        return np.column_stack([np.array(c.tolist(), dtype=object) for c in columns])

    def predict_proba(self, X):
        """Class probabilities, columns in ``classes_`` order (a list of arrays for several heads)."""
        out = []
        for columns, proba in zip(self._columns_, self._head_probabilities(X)):
            full = np.zeros((len(proba), len(columns)), dtype=np.float64)
            seen = columns >= 0
            full[:, seen] = proba[:, columns[seen]]
            out.append(full)
        return out[0] if len(out) == 1 else out

    def score(self, X, y, sample_weight=None):
        """Accuracy; with several heads, the share of texts with every head right."""
        columns, _ = _label_columns(y)
        predicted = self.predict(X)
        if len(columns) == 1:
            predicted = predicted.reshape(-1, 1)
        right = [
            all(truth == guess for truth, guess in zip(row, guesses))
            for row, guesses in zip(zip(*columns), predicted)
        ]
        return float(np.average(right, weights=sample_weight))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.target_tags.multi_output = True
        return tags

    def _more_tags(self):  # scikit-learn < 1.6
        return {"X_types": ["string"], "multioutput": True}
