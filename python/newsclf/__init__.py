"""newsclf: classify Chinese news text by topic and sentiment.

The same Rust library as the ``newsclf`` command line (jieba segmentation,
sparse TF-IDF, linear classifiers), from Python:

>>> import newsclf
>>> model = newsclf.Model.default()
>>> model.predict(["国家电网新建特高压输电线路正式投运"])[0]["predictions"]["topic"]["label"]
'energy'

``newsclf.Classifier`` is a scikit-learn estimator over raw texts (it needs
scikit-learn, imported when it is first used). ``newsclf.train_csv(path,
memory_limit="64M")`` trains on a CSV file of any size in bounded memory, as
``newsclf train --memory-limit`` does.
"""

from ._newsclf import Model, __version__, split_page, train_csv

__all__ = ["Classifier", "Model", "SkippedRowsWarning", "__version__", "split_page", "train_csv"]


def __getattr__(name):
    # The estimator imports scikit-learn: only when it is asked for.
    if name in ("Classifier", "SkippedRowsWarning"):
        from . import estimator

        return getattr(estimator, name)
    raise AttributeError(f"module 'newsclf' has no attribute '{name}'")
