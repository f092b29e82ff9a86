#!/usr/bin/env python3
"""A scripted attack mix against a running `nnn serve`, on loopback only,
bounded in time: huge-header PGM bodies in parallel, compressed and chunked
bodies, header floods, multi-range requests, slow clients (a byte a
second) and one address opening more connections than it may, while a
normal client keeps asking /api/runs/0/predict. The attackers come from
other loopback addresses than the normal client (127.0.0.2 and up; Linux
routes all of 127/8 to lo), as they would from other machines. Prints one
JSON object: the normal client's answers and latency percentiles, every
status the attackers got, 5xx counts, and the server's resident memory when
idle and at its peak (from /proc/PID/status).

    scripts/serve-attack.py --port PORT --pid PID [--seconds 20] [--slow 48]
"""
import argparse
import gzip
import json
import os
import select
import socket
import threading
import time
import urllib.request


ATTACKER = "127.0.0.2"  # the hostile bodies and headers
SLOW = ["127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6"]  # slow clients, spread
GREEDY = "127.0.0.7"  # more connections at once than one address may open


def connect(port, source, timeout):
    return socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                    source_address=(source, 0))


def raw_request(port, data, read=True, timeout=10.0, source=ATTACKER):
    """Sends `data` on a fresh connection; the reply's status code (0: none)."""
    with connect(port, source, timeout) as s:
        try:
            s.sendall(data)
        except OSError:
            pass  # refused early; the status line may still have come
        if not read:
            return 0
        reply = b""
        try:
            while b"\r\n" not in reply:
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
        except OSError:
            return 0
        return int(reply[9:12]) if reply.startswith(b"HTTP/1.1 ") else 0


def attackers(port):
    head = b"POST /api/runs/0/predict HTTP/1.1\r\nHost: x\r\n"
    claims = b"P5 16384 16384 255\n" + os.urandom(64)
    bomb = gzip.compress(b"\0" * (64 << 20))  # 64 MiB of zeros in ~64 KiB
    return {
        "huge_pgm_header": lambda: raw_request(
            port, head + b"Content-Type: image/x-portable-graymap\r\nContent-Length: %d\r\n\r\n"
            % len(claims) + claims),
        "gzip_bomb": lambda: raw_request(
            port, head + b"Content-Type: application/json\r\nContent-Encoding: gzip\r\n"
            b"Content-Length: %d\r\n\r\n" % len(bomb) + bomb),
        "chunked": lambda: raw_request(
            port, head + b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + b"4000\r\n" + b"a" * 0x4000 + b"\r\n" * 1),
        "header_flood": lambda: raw_request(
            port, b"GET /api/runs HTTP/1.1\r\nHost: x\r\n"
            + b"".join(b"X-F%d: %s\r\n" % (i, b"v" * 100) for i in range(2000)) + b"\r\n"),
        "multi_range": lambda: raw_request(
            port, b"GET / HTTP/1.1\r\nHost: x\r\nRange: bytes="
            + b",".join(b"%d-%d" % (i, i) for i in range(1000)) + b"\r\n\r\n"),
    }


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--slow", type=int, default=48)
    p.add_argument("--parallel", type=int, default=4, help="threads per attack kind")
    p.add_argument("--greedy", type=int, default=40,
                   help="connections opened at once from one address (nnn serve allows 32)")
    a = p.parse_args()
    a.seconds = max(1.0, min(a.seconds, 600.0))
    a.slow = max(0, min(a.slow, 1000))
    a.greedy = max(0, min(a.greedy, 1000))

    def rss_kb():
        with open(f"/proc/{a.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    base = f"http://127.0.0.1:{a.port}/api/runs/0"
    digit = json.load(urllib.request.urlopen(f"{base}/digits/0", timeout=10))["pixels"]
    body = json.dumps({"pixels": digit}).encode()
    idle = rss_kb()
    end = time.monotonic() + a.seconds
    stop = threading.Event()
    lock = threading.Lock()
    statuses = {}
    peak = [idle]

    def record(kind, status):
        with lock:
            statuses.setdefault(kind, {}).setdefault(str(status), 0)
            statuses[kind][str(status)] += 1

    def attack(kind, fn):
        while not stop.is_set() and time.monotonic() < end:
            try:
                record(kind, fn())
            except OSError as e:
                record(kind, type(e).__name__)

    def slow_client(source):
        try:
            s = connect(a.port, source, 5)
            for byte in b"GET /api/runs HTTP/1.1\r\nHost: x\r\n":
                if stop.is_set() or time.monotonic() > end:
                    break
                s.sendall(bytes([byte]))
                time.sleep(1.0)
            s.close()
        except OSError as e:
            record("slow", type(e).__name__)

    def greedy_client():
        """Opens --greedy connections at once from one address, each starting
        a request it never finishes (so the server's 30 s request deadline,
        not its 5 s idle limit, decides when it ends). Those over the limit
        are answered at once: each records its status (429); those the
        server admitted stay silent and record "admitted". Waits for the
        first answer up to 10 s, then 0.5 s for the rest."""
        sockets = []
        try:
            for _ in range(a.greedy):
                s = connect(a.port, GREEDY, 15)
                s.sendall(b"GET /api/ru")
                sockets.append(s)
            waiting, answered = list(sockets), 0
            limit = time.monotonic() + 10
            while waiting and time.monotonic() < limit:
                ready, _, _ = select.select(waiting, [], [], 0.5 if answered else 1.0)
                if not ready and answered:
                    break
                for s in ready:
                    waiting.remove(s)
                    answered += 1
                    try:
                        reply = s.recv(64)
                        record("greedy",
                               int(reply[9:12]) if reply.startswith(b"HTTP/1.1 ") else 0)
                    except OSError as e:
                        record("greedy", type(e).__name__)
            for _ in waiting:
                record("greedy", "admitted")
        finally:
            for s in sockets:
                s.close()

    def watch_memory():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_kb())
            time.sleep(0.05)

    threads = [threading.Thread(target=watch_memory)]
    threads += [threading.Thread(target=slow_client, args=(SLOW[i % len(SLOW)],))
                for i in range(a.slow)]
    threads.append(threading.Thread(target=greedy_client))
    for kind, fn in attackers(a.port).items():
        threads += [threading.Thread(target=attack, args=(kind, fn)) for _ in range(a.parallel)]
    for t in threads:
        t.start()
    time.sleep(min(2.0, a.seconds / 4))  # the slow clients are all connected
    latencies, normal = [], {}
    while time.monotonic() < end:
        start = time.monotonic()
        try:
            req = urllib.request.Request(f"{base}/predict", data=body,
                                         headers={"Content-Type": "application/json"})
            status = urllib.request.urlopen(req, timeout=10).status
        except urllib.error.HTTPError as e:
            status = e.code
        except OSError as e:
            status = type(e).__name__
        latencies.append(1000 * (time.monotonic() - start))
        normal[str(status)] = normal.get(str(status), 0) + 1
    stop.set()
    for t in threads:
        t.join(timeout=15)
    latencies.sort()
    pick = lambda q: round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 2)
    server_errors = sum(n for kinds in [statuses, {"normal": normal}] for per in kinds.values()
                        for s, n in per.items() if s.isdigit() and int(s) >= 500)
    print(json.dumps({
        "seconds": a.seconds, "slow_clients": a.slow, "parallel_per_kind": a.parallel,
        "greedy_connections": a.greedy,
        "normal": {"answers": normal, "p50_ms": pick(0.5), "p99_ms": pick(0.99),
                   "max_ms": round(latencies[-1], 2)},
        "attackers": statuses, "server_errors_5xx": server_errors,
        "rss_idle_mb": round(idle / 1024, 1), "rss_peak_mb": round(peak[0] / 1024, 1),
    }, indent=1))


if __name__ == "__main__":
    main()
