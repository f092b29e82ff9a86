#!/usr/bin/env bash
# A bounded load test of `nnn serve` on loopback with wrk (Debian: wrk):
# CONNECTIONS connections for SECONDS seconds on each of predict (JSON, a
# test digit), predict (an 8-bit PGM photo, cropped and centred by the
# server) and trace; prints requests/s, p50/p99 latency and errors.
#   scripts/serve-load.sh RUNDIR [SECONDS=10] [CONNECTIONS=16]
# NNN=path/to/nnn picks the binary (default build/release/bin/nnn).
set -euo pipefail
cd "$(dirname "$0")/.."
run="${1:?usage: scripts/serve-load.sh RUNDIR [SECONDS] [CONNECTIONS]}"
seconds="${2:-10}"
connections="${3:-16}"
nnn="${NNN:-build/release/bin/nnn}"
command -v wrk >/dev/null || { echo "serve-load: wrk is not installed (apt-get install wrk)"; exit 2; }
work="$(mktemp -d)"
server=""
trap '[[ -n "$server" ]] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

source scripts/serve-start.sh
start_server "$nnn" "$run" $((4 * seconds + 60)) "$work" serve-load
base="http://127.0.0.1:$port/api/runs/0"

# Bodies: a test digit as JSON, and the same digit as a 3x larger PGM photo.
curl -sf "$base/digits/0" | python3 -c '
import json, sys
d = json.load(sys.stdin)["pixels"]
open(sys.argv[1], "w").write(json.dumps({"pixels": d}))
side = 84
pixels = bytes(255 - round(255 * d[(y // 3) * 28 + x // 3]) for y in range(side) for x in range(side))
open(sys.argv[2], "wb").write(b"P5\n84 84\n255\n" + pixels)' "$work/digit.json" "$work/digit.pgm"

lua() {  # lua BODY_FILE CONTENT_TYPE: a wrk script that POSTs the file
  python3 - "$1" "$2" <<'PY'
import sys
body = open(sys.argv[1], "rb").read()
escaped = "".join("\\%d" % b for b in body)
print('wrk.method = "POST"')
print('wrk.headers["Content-Type"] = "%s"' % sys.argv[2])
print('wrk.body = "%s"' % escaped)
print('''
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %.1f %.3f %.3f %d\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status))
  io.write(string.format("ERRORS connect %d read %d write %d timeout %d status %d\\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    summary.errors.status))
end''')
PY
}
lua "$work/digit.json" application/json >"$work/json.lua"
lua "$work/digit.pgm" image/x-portable-graymap >"$work/pgm.lua"

echo "nnn serve load test: $connections connections, ${seconds} s each, 2 wrk threads, $(nproc) cores, run $run"
echo "| endpoint | body | requests | requests/s | p50 ms | p99 ms | errors |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
for spec in "predict json" "predict pgm" "trace json"; do
  set -- $spec
  out="$(wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$work/$2.lua" "$base/$1")"
  read -r _ requests errors rate p50 p99 _ <<<"$(grep '^RESULT' <<<"$out")"
  echo "| $1 | $2 | $requests | $rate | $p50 | $p99 | $errors |"
  if [[ "$errors" != 0 ]]; then grep '^ERRORS' <<<"$out" >&2; fi
done
curl -sf "http://127.0.0.1:$port/api/runs" >/dev/null && echo "server still answering after the load"
