# Sourced by the distributed tests:
#  - same_metrics A.csv B.csv compares two metrics.csv files, every column
#    but the last two (samples_per_s, seconds), numbers within 1e-5
#    relative; prints the first differences and fails;
#  - same_weights A.pt B.pt reads two weights.pt with torch.load (the Python
#    in $torch_python, default .venv-torch2's, else Debian's) and fails
#    unless every tensor agrees within 1e-5; prints the largest difference;
#  - free_port prints a TCP port free on 127.0.0.1, outside the ephemeral range.
same_metrics() {
  awk -F, 'NR == FNR { a[FNR] = $0; n = FNR; next }
    {
      split(a[FNR], x, ",");
      if (FNR == 1) { if (a[FNR] != $0) { print "headers differ"; bad = 1 }; next }
      for (i = 1; i <= NF - 2; ++i) {
        d = x[i] - $i; if (d < 0) d = -d;
        s = ($i < 0 ? -$i : $i); if (s < 1) s = 1;
        if (d > 1e-5 * s) { printf "row %d column %d: %s vs %s\n", FNR, i, x[i], $i; bad = 1 }
      }
    }
    END { if (FNR != n) { print "row counts differ"; bad = 1 }; exit bad }' "$1" "$2"
}

same_weights() {
  local python="${torch_python:-.venv-torch2/bin/python}"
  [[ -x "$python" ]] || python=/usr/bin/python3
  "$python" - "$1" "$2" <<'PY'
import sys, torch
a, b = (torch.load(p, map_location="cpu") for p in sys.argv[1:3])
assert a.keys() == b.keys(), (sorted(a), sorted(b))
worst = max((a[k].double() - b[k].double()).abs().max().item() for k in a)
assert worst < 1e-5, f"weights differ by {worst}"
print(f"weights: {len(a)} tensors, max |diff| {worst:.3g}")
PY
}

free_port() {
  # Outside the kernel's ephemeral range: a client that connects before the
  # server listens could otherwise get that very port as its own source port
  # and connect to itself, and the server's bind fails (seen once:
  # torchrun's static two-node form, "address already in use").
  python3 - <<'PY'
import random, socket
try:
    low, high = map(int, open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
except (OSError, ValueError):
    low, high = 32768, 60999
ports = [p for p in range(10000, 65536) if not low <= p <= high]
for _ in range(64 if ports else 0):
    p = random.choice(ports)
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", p))
        except OSError:
            continue
    print(p)
    break
else:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])
PY
}
