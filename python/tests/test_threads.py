"""The GIL is released while texts are segmented, featurized and scored."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import newsclf
import pandas as pd
from conftest import shared_csv


def _reviews() -> list:
    frame = pd.read_csv(shared_csv("online_shopping_10_cats", "test.csv"))
    return list(frame.text.dropna().astype(str))


def test_other_python_threads_run_while_predict_works():
    model = newsclf.Model.default()
    texts = _reviews() * 2
    ticks = 0
    stop = threading.Event()

    def count():
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0)

    counter = threading.Thread(target=count)
    counter.start()
    time.sleep(0.05)
    before = ticks
    start = time.perf_counter()
    model.predict_proba(texts, threads=1)
    elapsed = time.perf_counter() - start
    during = ticks - before
    stop.set()
    counter.join()
    # With the GIL held for the whole call the counter would stand still
    # (Python switches threads only between bytecodes it runs).
    assert elapsed > 0.2, f"the call took only {elapsed:.3f}s: too short to tell"
    assert during > 1000, f"the other thread ran {during} times in {elapsed:.2f}s"


def test_threads_give_the_serial_results():
    model = newsclf.Model.default()
    texts = _reviews()[:2000]
    serial = model.predict(texts, top_k=2, threads=1)
    chunks = [texts[i::4] for i in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda c: model.predict(c, top_k=2), chunks))
    for i, chunk_result in enumerate(results):
        assert [d["predictions"] for d in chunk_result] == [
            d["predictions"] for d in serial[i::4]
        ]
