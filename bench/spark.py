"""Spark benchmark (run by bench/spark.sh): documents/s of the Spark example
(examples/spark/classify_news.py) at local[1] and local[2], both ways
(mapInPandas with the wheel, RDD.pipe with the CLI binary), with the default
model, beside the single-process reference (the Python API on the same texts,
predict and predict_labels with 1 and 2 threads) and what Spark costs without
newsclf (the same jobs with the classification left out: an identity
mapInPandas, and RDD.pipe through `cat`). "cores busy" is the CPU time of
this process and its descendants (the JVM, Spark's Python workers, the CLI
processes) per wall second.

Input: online_shopping_10_cats train + test (62,705 reviews), repeated
--repeat times. Prints a Markdown table (also written to bench/out/spark.md).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import newsclf
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "online_shopping_10_cats"


def load():
    return os.getloadavg()[0]


def _descendants(pid):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        # Each thread's children: the JVM starts Spark's Python daemon from another thread.
        try:
            threads = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for t in threads:
            try:
                with open(f"/proc/{p}/task/{t}/children") as f:
                    todo += [int(c) for c in f.read().split()]
            except OSError:
                pass
    return out


def cpu_seconds():
    """CPU time (user + system, with reaped children's) of this process and its
    descendants: the JVM, Spark's Python workers and the CLI processes they start."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in _descendants(os.getpid()):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return total / tick


def timed(fn, runs):
    """The median wall time of ``runs`` runs of ``fn()``, every run's, and the
    median of the CPU seconds per wall second (cores kept busy)."""
    times, busy = [], []
    for _ in range(runs):
        cpu, start = cpu_seconds(), time.perf_counter()
        fn()
        wall = time.perf_counter() - start
        times.append(wall)
        busy.append((cpu_seconds() - cpu) / wall)
    return statistics.median(times), times, statistics.median(busy)


def api_rows(texts, runs):
    model = newsclf.Model.default()
    rows = []
    data = model.to_bytes()
    s, all_s, cores = timed(lambda: newsclf.Model.from_bytes(data), runs)
    rows.append(("Model.from_bytes (decode the default model)", s, None, all_s, cores, load()))
    for method in ("predict", "predict_labels"):
        for threads in (1, 2):
            call = getattr(model, method)
            s, all_s, cores = timed(lambda c=call, t=threads: c(texts, threads=t), runs)
            rows.append((f"Model.{method}, {threads} thread(s)", s, len(texts), all_s, cores, load()))
    return rows


def import_example(path, name):
    """The Spark example at ``path`` as the module ``name`` (Spark's Python workers
    import it by that name: the file is shipped with addPyFile)."""
    copy = Path(tempfile.mkdtemp()) / f"{name}.py"
    shutil.copy(path, copy)
    spec = importlib.util.spec_from_file_location(name, copy)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module, copy


def spark_rows(texts, runs, newsclf_bin, partitions, batch, baseline):
    from pyspark.sql import SparkSession

    examples = {"": import_example(ROOT / "examples" / "spark" / "classify_news.py", "classify_news")}
    if baseline:
        examples[", baseline example"] = import_example(baseline, "classify_news_baseline")

    os.environ["PYSPARK_PYTHON"] = sys.executable
    model = newsclf.Model.default()
    frame = pd.DataFrame({"row": range(len(texts)), "text": texts})
    command = f"{newsclf_bin} predict --input - --format json --top-k 1 --quiet"
    rows = []
    for workers in (1, 2):
        builder = (
            SparkSession.builder.master(f"local[{workers}]")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.memory", "2g")
        )
        if batch:
            builder = builder.config("spark.sql.execution.arrow.maxRecordsPerBatch", str(batch))
        spark = builder.getOrCreate()
        assert spark.sparkContext.defaultParallelism == workers, spark.sparkContext.master
        spark.sparkContext.setLogLevel("ERROR")
        for _, copy in examples.values():
            spark.sparkContext.addPyFile(str(copy))
        df = spark.createDataFrame(frame).repartition(partitions).cache()
        df.count()

        def identity(batches):
            yield from batches

        jobs = {
            "mapInPandas, identity (no newsclf)": lambda df=df: df.mapInPandas(
                identity, schema=df.schema
            ),
            "RDD.pipe through cat (no newsclf)": lambda df=df: df.rdd.map(
                lambda r: r.text
            ).pipe("cat"),
        }
        for suffix, (example, _) in examples.items():
            jobs[f"mapInPandas (wheel){suffix}"] = lambda df=df, ex=example: ex.classify(df, model)
            jobs[f"RDD.pipe (CLI){suffix}"] = lambda df=df, ex=example: ex.classify_with_cli(
                df, command=command
            )
        for name, job in jobs.items():
            def run(job=job):
                out = job()
                if hasattr(out, "write"):
                    out.write.format("noop").mode("overwrite").save()
                else:
                    out.foreach(lambda _: None)

            run()  # warm-up: Python workers start, the JIT warms
            s, all_s, cores = timed(run, runs)
            rows.append((f"Spark local[{workers}] {name}", s, len(texts), all_s, cores, load()))
            print(f"{rows[-1][0]}: {s:.2f} s", file=sys.stderr)
        spark.stop()
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3, help="runs per timing (median)")
    parser.add_argument("--repeat", type=int, default=2, help="times the input is repeated")
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument(
        "--batch", type=int, default=0,
        help="spark.sql.execution.arrow.maxRecordsPerBatch (0: Spark's default, 10,000)",
    )
    parser.add_argument("--newsclf-bin", required=True)
    parser.add_argument(
        "--baseline", help="another version of examples/spark/classify_news.py, measured beside it"
    )
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "spark.md"))
    args = parser.parse_args()

    frames = [pd.read_csv(DATA / f).dropna() for f in ("train.csv", "test.csv")]
    texts = list(pd.concat(frames).text.astype(str)) * args.repeat
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    print(
        f"input: {len(texts):,} texts, {megabytes:.1f} MB; {args.partitions} partitions; "
        f"{args.runs} runs per timing",
        file=sys.stderr,
    )

    rows = api_rows(texts, args.runs)
    rows += spark_rows(
        texts, args.runs, args.newsclf_bin, args.partitions, args.batch, args.baseline
    )

    lines = [
        (
            f"input: {len(texts):,} texts ({megabytes:.1f} MB), {args.partitions} partitions, "
            f"median of {args.runs} runs"
        ),
        "",
        "| measurement | texts | seconds (median) | docs/s | runs (s) | cores busy | load after |",
        "|---|---:|---:|---:|---|---:|---:|",
    ]
    for what, seconds, n, all_s, cores, after in rows:
        each = ", ".join(f"{t:.2f}" for t in all_s)
        rate = f"{n / seconds:,.0f}" if n else ""
        count = f"{n:,}" if n else ""
        lines.append(f"| {what} | {count} | {seconds:.3f} | {rate} | {each} | {cores:.2f} | {after:.2f} |")
    by_name = {r[0]: r[1] for r in rows}
    for way in ("mapInPandas (wheel)", "RDD.pipe (CLI)"):
        for suffix in ("", ", baseline example") if args.baseline else ("",):
            one = by_name[f"Spark local[1] {way}{suffix}"]
            two = by_name[f"Spark local[2] {way}{suffix}"]
            lines.append(f"- {way}{suffix}: local[2] / local[1] throughput {one / two:.2f}×")
    report = "\n".join(lines)
    print(report)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(report + "\n")


if __name__ == "__main__":
    main()
