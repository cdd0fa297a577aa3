"""The hostile-request battery of bench/serve.sh: malformed, oversized and hostile
requests sent over raw sockets to a running `newsclf serve`; every one must be answered
with a 4xx status or have its connection closed, and the service must stay healthy.

usage: serve_battery.py HOST PORT KEY MAX_BODY_BYTES HEADER_TIMEOUT_S

Prints one JSON object: the number of requests, the outcomes by kind, any request that
got another answer, and the health checks made afterwards.
"""

import json
import random
import socket
import sys
import threading
import time


def send(host, port, data, read_timeout=15.0, pause_after=None):
    """Sends raw bytes and returns the status code, or "closed" when the server closed
    the connection without an answer (or "reset" when it reset it)."""
    s = socket.create_connection((host, port), timeout=read_timeout)
    try:
        try:
            if pause_after is not None:
                s.sendall(data[:pause_after])
                time.sleep(0.2)
                s.sendall(data[pause_after:])
            else:
                s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server closed early; read what it said
        reply = b""
        try:
            while b"\r\n" not in reply:
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
        except ConnectionResetError:
            return "reset" if not reply else status_of(reply)
        except TimeoutError:
            return "no answer"
        return status_of(reply) if reply else "closed"
    finally:
        s.close()


def status_of(reply):
    parts = reply.split(b" ", 2)
    try:
        return int(parts[1])
    except (IndexError, ValueError):
        return "garbled"


def post(path, body, content_type=b"application/json", key=b"", extra=b""):
    auth = b"Authorization: Bearer " + key + b"\r\n" if key else b""
    ct = b"Content-Type: " + content_type + b"\r\n" if content_type is not None else b""
    return (
        b"POST " + path + b" HTTP/1.1\r\nHost: bench\r\n" + auth + ct + extra
        + b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body
    )


def cases(key, max_body):
    """(kind, raw request bytes) pairs."""
    rnd = random.Random(12)
    out = []
    classify = b"/v1/classify"
    # Bad UTF-8 inside otherwise valid JSON, and as the whole body.
    for i in range(25):
        junk = bytes(rnd.randrange(0x80, 0x100) for _ in range(1 + i))
        out.append(("bad utf-8", post(classify, b'{"texts": ["' + junk + b'"]}', key=key)))
    # Deep JSON, in the body and inside a field.
    for depth in (200, 1000, 10_000, 100_000, 500_000):
        out.append(("deep json", post(classify, b"[" * depth, key=key)))
        out.append(("deep json", post(classify, b'{"texts": ' + b"[" * depth, key=key)))
        out.append(("deep json", post(classify, b'{"texts": ["a"], "top_k": ' + b"[" * depth, key=key)))
        out.append(("deep json", post(b"/v1/page", b'{"markdown": ' + b"{" * depth, key=key)))
    # Huge arrays: over --max-texts, and over the body limit.
    for n in (1001, 5000, 50_000, 200_000):
        body = b'{"texts": [' + b",".join([b'"a"'] * n) + b"]}"
        out.append(("huge array", post(classify, body[: max_body * 4], key=key)))
        out.append(("huge array", post(classify, b'{"texts": [' + b",".join([b"1"] * n) + b"]}", key=key)))
    # Oversized bodies: declared, sent, chunked.
    for n in (max_body + 1, 10 * max_body, 10**9, 2**63 - 1):
        head = (
            b"POST /v1/classify HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
            + (b"Authorization: Bearer " + key + b"\r\n" if key else b"")
            + b"Content-Length: " + str(n).encode() + b"\r\n\r\n"
        )
        out.append(("oversized", head + b'{"texts": ["' + b"x" * 1000))
    for n in (2, 4):
        body = b'{"texts": ["' + "经".encode() * (n * max_body // 3) + b'"]}'
        out.append(("oversized", post(classify, body, key=key)))
    for n in (2, 8):
        chunk = b"a" * (max_body // 2)
        chunked = (
            b"POST /v1/classify HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
            + (b"Authorization: Bearer " + key + b"\r\n" if key else b"")
            + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            + (hex(len(chunk))[2:].encode() + b"\r\n" + chunk + b"\r\n") * n + b"0\r\n\r\n"
        )
        out.append(("oversized", chunked))
    # Wrong content types, wrong shapes, wrong values, wrong auth.
    good = b'{"texts": ["\xe5\x9b\xbd\xe9\x99\x85\xe6\xb2\xb9\xe4\xbb\xb7"]}'
    for ct in (b"text/plain", b"application/x-www-form-urlencoded", b"multipart/form-data",
               b"application/jsonx", b"", None, b"application/xml", b"text/json"):
        out.append(("content type", post(classify, good, content_type=ct, key=key)))
    shapes = [b"{}", b"null", b"[]", b'"texts"', b"42", b'{"texts": null}', b'{"texts": {}}',
              b'{"texts": [null]}', b'{"texts": [true]}', b'{"texts": [""]}', b'{"texts": ["  "]}',
              b'{"texts": ["a"], "top_k": 0}', b'{"texts": ["a"], "top_k": -3}',
              b'{"texts": ["a"], "top_k": 1e99}', b'{"texts": ["a"], "top_k": "3"}',
              b'{"texts": ["a"], "extra": 1}', b'{"texts": ["a"], "texts": ["b"]}',
              b'{"texts": ["' + b"a" * 100 + b'"], "top_k": 99999999999999999999999}',
              b'{"texts": ["\\ud800"]}', b'{"texts": ["a\\u0000b"], "top_k": []}',
              b"{'texts': ['a']}", b'{"texts": ["a"],}', b'{"texts": ["a"]', b"\xef\xbb\xbf{}",
              b'{"markdown": 1}', b'{"text": ["a"]}']
    for body in shapes:
        out.append(("shape", post(classify, body, key=key)))
    for path, body in ((b"/v1/page", b'{"markdown": "no heading"}'), (b"/v1/page", b'{"markdown": ""}'),
                       (b"/v1/explain", b'{"text": ""}'), (b"/v1/explain", b'{"text": "a", "top": -1}'),
                       (b"/v1/explain", b"{}"), (b"/v1/page", b'{"markdown": "#"}')):
        out.append(("shape", post(path, body, key=key)))
    for wrong in (b"", b"wrong", key + b"x", key[:-1], b"Bearer " + key):
        auth = b"Authorization: " + (b"Bearer " + wrong if wrong else b"") + b"\r\n"
        out.append(("auth", post(classify, good, key=b"", extra=auth)))
    out.append(("auth", post(b"/v1/admin/reload", b"", key=b"bad")))
    # Unknown routes and methods.
    for path in (b"/", b"/v2/classify", b"/v1/classify/", b"/../../etc/passwd", b"/%00", b"/" + b"a" * 5000):
        out.append(("route", post(path, good, key=key)))
    for method in (b"GET", b"PUT", b"DELETE", b"PATCH", b"TRACE", b"CONNECT", b"FOO"):
        out.append(("method", method + b" /v1/classify HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n"))
    # Malformed HTTP.
    malformed = [b"GARBAGE\r\n\r\n", b"\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                 b"GET / HTTP/1.1\r\nHost: bench\r\nBad Header Line\r\n\r\n",
                 b"GET / HTTP/1.1\r\nHost: bench\r\n: empty name\r\n\r\n",
                 b"POST /v1/classify HTTP/1.1\r\nHost: bench\r\nContent-Length: -1\r\n\r\n",
                 b"POST /v1/classify HTTP/1.1\r\nHost: bench\r\nContent-Length: abc\r\n\r\n",
                 b"POST /v1/classify HTTP/1.1\r\nHost: bench\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
                 b"POST /v1/classify HTTP/1.1\r\nHost: bench\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nzz\r\n",
                 b"POST /v1/classify HTTP/1.1\r\nHost: bench\r\nTransfer-Encoding: chunked\r\n\r\nZZZZ\r\n",
                 b"GET / HTTP/1.1\r\nHost: bench\r\nX: " + b"a" * 200_000 + b"\r\n\r\n",
                 b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(500)) + b"\r\n",
                 b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: bench\r\n\r\n",
                 b"\x00" * 64 + b"\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64]
    out.extend(("malformed http", m) for m in malformed)
    for _ in range(20):
        out.append(("random bytes", bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 4096)))))
    # Truncated bodies: the connection closes before the declared length arrives.
    for i in range(10):
        body = good * 10
        out.append(("truncated", post(classify, body, key=key)[: -(i * 7 + 10)]))
    return out


def slow_clients(host, port, key, header_timeout, n=20):
    """Slowloris (headers never finished) and slow bodies, n of each at once; each must
    end with the connection closed or a 4xx."""
    results = []

    def slow_headers():
        s = socket.create_connection((host, port), timeout=header_timeout + 30)
        try:
            s.sendall(b"POST /v1/classify HTTP/1.1\r\nHost: bench\r\n")
            start = time.monotonic()
            try:
                while time.monotonic() - start < header_timeout + 20:
                    s.sendall(b"X-a: b\r\n")
                    time.sleep(0.5)
                results.append(("slow headers", "never closed"))
            except (BrokenPipeError, ConnectionResetError):
                results.append(("slow headers", "closed"))
        finally:
            s.close()

    def slow_body():
        body = b'{"texts": ["\xe5\x9b\xbd\xe9\x99\x85\xe6\xb2\xb9\xe4\xbb\xb7"]}'
        s = socket.create_connection((host, port), timeout=header_timeout + 60)
        try:
            s.sendall(post(b"/v1/classify", body, key=key)[:-10])
            reply = b""
            while b"\r\n" not in reply:
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
            results.append(("slow body", status_of(reply) if reply else "closed"))
        except (TimeoutError, ConnectionResetError) as e:
            results.append(("slow body", type(e).__name__))
        finally:
            s.close()

    threads = [threading.Thread(target=f) for f in (slow_headers, slow_body) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def healthy(host, port, key):
    ok = send(host, port, b"GET /healthz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n") == 200
    body = '{"texts": ["国际油价大幅上涨"]}'.encode()
    classified = send(host, port, post(b"/v1/classify", body, key=key)) == 200
    return ok and classified


def main(host, port, key, max_body, header_timeout):
    port, max_body, header_timeout = int(port), int(max_body), float(header_timeout)
    key = key.encode()
    outcomes = {}
    unexpected = []
    results = []
    for kind, data in cases(key, max_body):
        pause = len(data) // 2 if kind == "truncated" else None
        results.append((kind, send(host, port, data, pause_after=pause)))
    results.extend(slow_clients(host, port, key, header_timeout))
    for kind, result in results:
        outcomes.setdefault(kind, {}).setdefault(str(result), 0)
        outcomes[kind][str(result)] += 1
        fine = result in ("closed", "reset") or (isinstance(result, int) and 400 <= result < 500)
        if not fine:
            unexpected.append([kind, str(result)])
    print(json.dumps({
        "requests": len(results),
        "outcomes": outcomes,
        "unexpected": unexpected,
        "healthy_after": healthy(host, port, key),
    }))


if __name__ == "__main__":
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    main(*sys.argv[1:])
