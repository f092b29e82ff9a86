#!/usr/bin/env bash
# Two ranks on two "hosts": network namespaces joined by a veth pair, so the
# rendezvous and every all-reduce cross a real interface (10.251.7.1 and .2
# exist only inside the namespaces this test makes and removes). The job must
# train what one process trains, and bytes must have crossed the link.
# Skipped (exit 77, reason printed) without root, iproute2 or a kernel that
# lets this process make namespaces.
# Usage: netns_test.sh NNN_BINARY SOURCE_DIR
set -euo pipefail
nnn="$(readlink -f "$1")"
cd "$2"
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../train/same_metrics.sh"
if [[ $(id -u) != 0 ]] || ! command -v ip >/dev/null; then
  echo "netns: needs root and iproute2 (ip): skipped"
  exit 77
fi
tag="nnn$$"
host_a="${tag}a" host_b="${tag}b" link_a="${tag}x" link_b="${tag}y"
work="$(mktemp -d)"
cleanup() {
  ip netns del "$host_a" 2>/dev/null || true
  ip netns del "$host_b" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
if ! ip netns add "$host_a" 2>"$work/err" || ! ip netns add "$host_b" 2>>"$work/err"; then
  echo "netns: cannot make network namespaces here ($(head -1 "$work/err")): skipped"
  exit 77
fi
ip link add "$link_a" netns "$host_a" type veth peer name "$link_b" netns "$host_b"
ip -n "$host_a" addr add 10.251.7.1/30 dev "$link_a"
ip -n "$host_b" addr add 10.251.7.2/30 dev "$link_b"
for host in "$host_a" "$host_b"; do ip -n "$host" link set lo up; done
ip -n "$host_a" link set "$link_a" up
ip -n "$host_b" link set "$link_b" up

common=(experiments/spiral.yaml train.epochs=3 train.batch_size=37 data.train_per_class=100
        data.test_per_class=40 dist.timeout=30)
"$nnn" train "${common[@]}" threads=1 --out "$work/one" >"$work/one.log"
# Rank r on its host; Gloo talks over the veth (GLOO_SOCKET_IFNAME, as for PyTorch).
rank() {
  ip netns exec "$1" env RANK="$2" WORLD_SIZE=2 LOCAL_RANK=0 LOCAL_WORLD_SIZE=1 \
    MASTER_ADDR=10.251.7.1 MASTER_PORT=29517 GLOO_SOCKET_IFNAME="$3" \
    timeout 120 "$nnn" train "${common[@]}" --out "$work/rank$2" >"$work/rank$2.log" 2>&1
}
rank "$host_a" 0 "$link_a" &
first=$!
rank "$host_b" 1 "$link_b" &
second=$!
status=0
wait "$first" || status=$?
wait "$second" || status=$?
if [[ $status != 0 ]]; then
  cat "$work/rank0.log" "$work/rank1.log"
  exit 1
fi
grep -q "distributed: 2 ranks (torchrun)" "$work/rank0.log"
same_metrics "$work/one/metrics.csv" "$work/rank0/metrics.csv"
test ! -e "$work/rank1"  # rank 1 computes, rank 0 writes
# The all-reduces crossed the link: the gradient of 3 epochs of 6 steps,
# 8 bytes per parameter each, is well over 100 kB.
sent="$(ip -n "$host_b" -s -j link show "$link_b" | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["stats64"]["tx"]["bytes"])')"
test "$sent" -gt 100000
echo "netns: 2 ranks on two namespaces over a veth pair ($sent bytes sent by rank 1) train what 1 process trains: ok"
