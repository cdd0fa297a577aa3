"""The service benchmark of bench/serve.sh, in one run on this machine:

1. load: wrk at 1, 8 and 64 connections (one headline per request), and at 64 with 16
   headlines per request, against `newsclf serve` and against the reference service
   (bench/serve_peer.py: FastAPI + jieba + TF-IDF + LinearSVC, uvicorn with one worker
   per core), both trained on thucnews_titles/train.csv and sent its test headlines;
2. soak: newsclf at 64 connections for SOAK seconds, RSS sampled every 5 s;
3. reloads: 20 model reloads (SIGHUP and the admin route, in turn) under load;
4. battery: bench/serve_battery.py's malformed, oversized and hostile requests.

usage: serve_bench.py NEWSCLF_BINARY OUT_DIR COMMIT [--quick]
Prints the tables and PASS/FAIL lines; writes OUT_DIR/results.json and results.md.
"""

import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

DATA = "../shared/data/thucnews_titles"
KEY = "bench-key-5d1c"


def say(message):
    print(f"[serve] {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port, proc, limit=120):
    start = time.monotonic()
    while time.monotonic() - start < limit:
        if proc.poll() is not None:
            raise SystemExit(f"the service on port {port} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the service on port {port} did not become healthy")


def tree(pid):
    """pid and its descendants."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def memory_mb(pid, field):
    """Sum of a /proc status field (VmRSS, VmHWM) over the process tree, in MB."""
    total = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith(field + ":"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total / 1e6


def wrk(port, connections, seconds, bodies, key=""):
    """Runs wrk with bench/serve_load.lua; returns its JSON summary."""
    env = dict(os.environ, BODIES=bodies, KEY=key)
    out = subprocess.run(
        ["wrk", "-t", str(min(connections, 2)), "-c", str(connections), "-d", f"{seconds}s",
         "--timeout", "10s", "-s", "bench/serve_load.lua", f"http://127.0.0.1:{port}"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout
    summary = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
    summary["failed"] = sum(summary[k] for k in (
        "connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))
    summary["rps"] = summary["requests"] / (summary["duration_us"] / 1e6)
    return summary


def write_bodies(out_dir):
    with open(f"{DATA}/test.csv", encoding="utf-8", newline="") as f:
        titles = [row["text"] for row in csv.DictReader(f)]
    paths = {}
    for per in (1, 16):
        path = os.path.join(out_dir, f"bodies_{per}.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(json.dumps({"texts": titles[i:i + per]}, ensure_ascii=False) + "\n" for i in range(0, len(titles) - per + 1, per))
        paths[per] = path
    return paths


def start_newsclf(binary, model, port, log, extra=()):
    return subprocess.Popen(
        [binary, "serve", "--model", model, "--addr", f"127.0.0.1:{port}", *extra],
        stdout=subprocess.DEVNULL, stderr=log, start_new_session=True,
    )


def start_peer(model, port, log):
    env = dict(os.environ, NEWSCLF_PEER_MODEL=os.path.abspath(model))
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "serve_peer:app", "--host", "127.0.0.1", "--port",
         str(port), "--workers", str(os.cpu_count()), "--log-level", "warning", "--no-access-log"],
        cwd="bench", env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True,
    )


def stop(proc):
    """SIGTERM, then the exit code (SIGKILL after 30 s)."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        return proc.wait()


def load_series(name, proc, port, bodies, seconds, key=""):
    rows = []
    for connections, per in ((1, 1), (8, 1), (64, 1), (64, 16)):
        wrk(port, connections, 3, bodies[per], key)  # warm-up
        r = wrk(port, connections, seconds, bodies[per], key)
        r.update(service=name, connections=connections, texts_per_request=per,
                 docs_per_s=r["rps"] * per, peak_rss_mb=memory_mb(proc.pid, "VmHWM"))
        say(f"{name} c={connections} texts={per}: {r['rps']:.0f} req/s, p99 {r['p99_us'] / 1e3:.2f} ms, "
            f"{r['failed']} failed")
        rows.append(r)
    return rows


def soak(proc, port, bodies, seconds, warmup):
    samples = []
    done = threading.Event()

    def sample():
        start = time.monotonic()
        while not done.wait(5):
            samples.append((time.monotonic() - start, memory_mb(proc.pid, "VmRSS")))

    t = threading.Thread(target=sample)
    t.start()
    r = wrk(port, 64, seconds, bodies[1])
    done.set()
    t.join()
    after = [mb for at, mb in samples if at >= warmup]
    r.update(seconds=seconds, warmup_s=warmup, rss_samples=samples,
             rss_after_warmup_min=min(after), rss_after_warmup_max=max(after),
             rss_end=samples[-1][1])
    return r


def admin_reload(port):
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/admin/reload", method="POST",
        headers={"Authorization": f"Bearer {KEY}"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.status


def metric(port, series):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/metrics",
                                 headers={"Authorization": f"Bearer {KEY}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(series + " "):
                return float(line.split()[-1])
    raise SystemExit(f"no {series} in the metrics")


def reloads_under_load(proc, port, bodies, model, live, n=20):
    result = {}

    def load():
        result.update(wrk(port, 64, int(n * 1.2) + 6, bodies[1], KEY))

    before = metric(port, 'newsclf_model_reloads_total{result="ok"}')
    t = threading.Thread(target=load)
    t.start()
    time.sleep(2)
    statuses = []
    for i in range(n):
        shutil.copy(model, live + ".tmp")
        os.replace(live + ".tmp", live)
        if i % 2 == 0:
            proc.send_signal(signal.SIGHUP)
            statuses.append("SIGHUP")
        else:
            statuses.append(admin_reload(port))
        time.sleep(1.2)
    t.join()
    result["reloads_ok"] = metric(port, 'newsclf_model_reloads_total{result="ok"}') - before
    result["reloads_sent"] = n
    result["admin_statuses"] = [s for s in statuses if s != "SIGHUP"]
    return result


def ms(us):
    return f"{us / 1e3:.2f}"


def report(load_rows, soak_r, reload_r, battery, commit, machine, quick, exit_code):
    lines = [(f"Measured by `bash bench/serve.sh{' --quick' if quick else ''}` on "
             f"{time.strftime('%Y-%m-%d')}: {machine}; commit {commit}."), ""]
    lines += [("| service | connections | texts/request | requests/s | documents/s | p50 ms | p99 ms "
              "| failed | peak RSS MB |"), "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in load_rows:
        lines.append(
            f"| {r['service']} | {r['connections']} | {r['texts_per_request']} | {r['rps']:,.0f} | "
            f"{r['docs_per_s']:,.0f} | {ms(r['p50_us'])} | {ms(r['p99_us'])} | {r['failed']} | "
            f"{r['peak_rss_mb']:.0f} |")
    lines += ["", "| connections | texts/request | documents/s newsclf / reference | p99 reference / newsclf |",
              "|---:|---:|---:|---:|"]
    checks = []
    by = {(r["service"], r["connections"], r["texts_per_request"]): r for r in load_rows}
    for (service, c, per), n in by.items():
        if service != "newsclf":
            continue
        p = by[("reference", c, per)]
        speed = n["docs_per_s"] / p["docs_per_s"]
        p99 = p["p99_us"] / n["p99_us"]
        lines.append(f"| {c} | {per} | {speed:.1f}× | {p99:.1f}× |")
        checks.append((speed >= 20 and n["p99_us"] <= p["p99_us"],
                       (f"{c} connections, {per} text(s)/request: newsclf {speed:.1f}× the reference's "
                       f"documents/s (target ≥ 20×) at p99 {ms(n['p99_us'])} vs {ms(p['p99_us'])} ms")))
    failed = sum(r["failed"] for r in load_rows)
    checks.append((failed == 0, f"load runs: {failed} failed requests"))
    growth = soak_r["rss_after_warmup_max"] / soak_r["rss_after_warmup_min"] - 1
    checks.append((soak_r["failed"] == 0,
                   (f"soak {soak_r['seconds']} s at 64 connections: {soak_r['requests']:,} requests, "
                   f"{soak_r['failed']} failed, {soak_r['rps']:,.0f} req/s, p99 {ms(soak_r['p99_us'])} ms")))
    checks.append((growth <= 0.10,
                   (f"soak RSS after {soak_r['warmup_s']} s warm-up: {soak_r['rss_after_warmup_min']:.1f}–"
                   f"{soak_r['rss_after_warmup_max']:.1f} MB (+{100 * growth:.1f}%, target ≤ 10%), "
                   f"{soak_r['rss_end']:.1f} MB at the end")))
    checks.append((reload_r["failed"] == 0 and reload_r["reloads_ok"] == reload_r["reloads_sent"],
                   (f"{reload_r['reloads_sent']} reloads under load (SIGHUP and admin route in turn): "
                   f"{reload_r['reloads_ok']:.0f} done, {reload_r['requests']:,} requests, "
                   f"{reload_r['failed']} failed")))
    checks.append((not battery["unexpected"] and battery["healthy_after"],
                   (f"battery: {battery['requests']} malformed, oversized and hostile requests, "
                   f"{len(battery['unexpected'])} answered other than 4xx or closed; healthy after: "
                   f"{battery['healthy_after']}")))
    checks.append((exit_code == 0, f"SIGTERM after the run: exit code {exit_code}"))
    lines.append("")
    lines += [f"- **{'PASS' if ok else 'FAIL'}** {text}" for ok, text in checks]
    kinds = ", ".join(f"{k} {sum(v.values())}" for k, v in battery["outcomes"].items())
    lines += ["", f"Battery requests by kind: {kinds}."]
    return "\n".join(lines) + "\n"


def main(binary, out_dir, commit, quick=False):
    os.makedirs(out_dir, exist_ok=True)
    seconds, soak_s, warmup = (5, 30, 10) if quick else (15, 300, 60)
    model = os.path.join(out_dir, "titles.model")
    say("training newsclf and the reference pipeline on thucnews_titles/train.csv")
    subprocess.run([binary, "train", "--data", f"{DATA}/train.csv", "--out", model, "--quiet"],
                   check=True)
    peer_model = os.path.join(out_dir, "peer.pkl")
    subprocess.run([sys.executable, "bench/serve_peer.py", "train", f"{DATA}/train.csv", peer_model],
                   check=True)
    bodies = write_bodies(out_dir)

    say("load: newsclf")
    port = free_port()
    proc = start_newsclf(binary, model, port, subprocess.DEVNULL)
    wait_healthy(port, proc)
    load_rows = load_series("newsclf", proc, port, bodies, seconds)
    say(f"soak: {soak_s} s at 64 connections")
    soak_r = soak(proc, port, bodies, soak_s, warmup)
    stop(proc)

    say("load: reference service")
    port = free_port()
    with open(os.path.join(out_dir, "peer.log"), "w") as log:
        peer = start_peer(peer_model, port, log)
        wait_healthy(port, peer)
        load_rows += load_series("reference", peer, port, bodies, seconds)
        stop(peer)

    say("reloads under load, then the battery")
    live = os.path.join(out_dir, "live.model")
    shutil.copy(model, live)
    port = free_port()
    with open(os.path.join(out_dir, "newsclf.log"), "w") as log:
        proc = start_newsclf(binary, live, port, log, ["--api-key", KEY, "--quiet"])
        wait_healthy(port, proc)
        reload_r = reloads_under_load(proc, port, bodies, model, live)
        battery = json.loads(subprocess.run(
            [sys.executable, "bench/serve_battery.py", "127.0.0.1", str(port), KEY,
             str(2 * 1024 * 1024), "10"], capture_output=True, text=True, check=True).stdout)
        exit_code = stop(proc)
    with open(os.path.join(out_dir, "newsclf.log")) as f:
        if "panicked" in f.read():
            battery["unexpected"].append(["log", "a panic in the service's log"])

    with open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")),
                   "unknown CPU")
    machine = f"{os.cpu_count()} cores, {cpu}"

    text = report(load_rows, soak_r, reload_r, battery, commit, machine, quick, exit_code)
    print(text)
    with open(os.path.join(out_dir, "results.md"), "w") as f:
        f.write(text)
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump({"load": load_rows, "soak": soak_r, "reloads": reload_r, "battery": battery,
                   "commit": commit, "machine": machine}, f, indent=1)


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5) or (len(sys.argv) == 5 and sys.argv[4] != "--quick"):
        sys.exit(__doc__)
    main(*sys.argv[1:4], quick=len(sys.argv) == 5)
