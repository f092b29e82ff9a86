#!/usr/bin/env bash
# The attack mix of scripts/serve-attack.py against `nnn serve RUNDIR` on
# loopback: starts the server, attacks it for SECONDS while a normal client
# asks for predictions, stops it, prints the JSON report. With --check, exits
# 1 unless the server answered every normal request with 200, gave no 5xx to
# anyone, refused each hostile class with its status (429 for the address
# that opens more connections than it may) and stayed under 300 MB above
# its idle memory (no timing is
# checked: that is measured, not tested).
#   scripts/serve-attack.sh RUNDIR [SECONDS=20] [SLOW_CLIENTS=48] [--check]
# NNN=path/to/nnn picks the binary (default build/release/bin/nnn).
set -euo pipefail
cd "$(dirname "$0")/.."
run="${1:?usage: scripts/serve-attack.sh RUNDIR [SECONDS] [SLOW_CLIENTS] [--check]}"
seconds="${2:-20}"
slow="${3:-48}"
check="${4:-}"
nnn="${NNN:-build/release/bin/nnn}"
work="$(mktemp -d)"
server=""
trap '[[ -n "$server" ]] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
source scripts/serve-start.sh
start_server "$nnn" "$run" $((seconds + 120)) "$work" serve-attack
python3 scripts/serve-attack.py --port "$port" --pid "$server" --seconds "$seconds" --slow "$slow" \
  | tee "$work/report.json"
[[ "$check" == --check ]] || exit 0
python3 - "$work/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
normal = r["normal"]["answers"]
problems = []
if set(normal) != {"200"} or normal["200"] < 1:
    problems.append(f"normal requests answered {normal}")
if r["server_errors_5xx"]:
    problems.append(f"{r['server_errors_5xx']} answers with 5xx")
if r["rss_peak_mb"] - r["rss_idle_mb"] > 300:
    problems.append(f"memory grew {r['rss_peak_mb'] - r['rss_idle_mb']:.0f} MB above idle")
for kind, expected in {"huge_pgm_header": "400", "gzip_bomb": "415", "chunked": "411",
                       "header_flood": "431", "multi_range": "416", "greedy": "429"}.items():
    got = r["attackers"].get(kind, {})
    if expected not in got:
        problems.append(f"{kind}: never answered {expected} ({got})")
print("serve-attack:", "; ".join(problems) if problems else "ok")
sys.exit(1 if problems else 0)
PY
