"""The reference service of bench/serve.sh: FastAPI + Python jieba + scikit-learn
TfidfVectorizer (word 1-2-grams) + LinearSVC, the pipeline of peer_sklearn.py behind
the same route and request shape as `newsclf serve`.

usage: serve_peer.py train TRAIN.csv MODEL.pkl   fit the pipeline, pickle it
       NEWSCLF_PEER_MODEL=MODEL.pkl uvicorn serve_peer:app --workers 2   serve it
(uvicorn[standard], i.e. with uvloop and httptools, as deployed: plain uvicorn's h11
parser stalls ~40 ms per keep-alive request here)
"""

import os
import pickle
import sys
from contextlib import asynccontextmanager

import numpy as np
from fastapi import FastAPI
from pydantic import BaseModel

from common import init_jieba, read_csv, segment


def train(train_path, model_path):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    init_jieba()
    texts, labels = read_csv(train_path)
    pipeline = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, token_pattern=r"(?u)\S+"),
        LinearSVC(),
    )
    pipeline.fit(segment(texts), labels)
    with open(model_path, "wb") as f:
        pickle.dump(pipeline, f)


class ClassifyRequest(BaseModel):
    texts: list[str]
    top_k: int = 3


PIPELINE = None


def load(path):
    global PIPELINE
    init_jieba()
    with open(path, "rb") as f:
        PIPELINE = pickle.load(f)


@asynccontextmanager
async def lifespan(_app):
    load(os.environ["NEWSCLF_PEER_MODEL"])
    yield


app = FastAPI(lifespan=lifespan)


@app.get("/healthz")
def healthz():
    return {"status": "ok"}


@app.post("/v1/classify")
def classify(req: ClassifyRequest):
    scores = PIPELINE.decision_function(segment(req.texts))
    if scores.ndim == 1:
        scores = scores[:, None]
    classes = PIPELINE.classes_
    results = []
    for i, row in enumerate(scores):
        order = np.argsort(-row)[: req.top_k]
        top = [{"label": str(classes[j]), "score": float(row[j])} for j in order]
        results.append(
            {"id": i + 1, "predictions": {"label": {"label": top[0]["label"], "top": top}}}
        )
    return {"results": results}


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "train":
        train(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
