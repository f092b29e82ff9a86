#!/usr/bin/env bash
# The `nnn` command line: every subcommand's --help exits 0 and shows its
# options; an unknown option or a malformed number exits 2 with one line on
# stderr that names the option; an option that exists is used.
#   cli_test.sh NNN_BINARY SOURCE_DIR
set -uo pipefail
nnn="$1"
src="$2"
cd "$src"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/fake_run" && touch "$work/fake_run/config.yaml" "$work/x.pgm"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect CODE PATTERN -- ARGS...: exit code CODE and, for errors, one stderr
# line matching PATTERN.
expect() {
  local code="$1" pattern="$2"
  shift 3
  local err out status
  err="$(mktemp)"
  out="$("$nnn" "$@" 2>"$err")"
  status=$?
  if [[ $status != "$code" ]]; then
    fail "nnn $* exited $status, expected $code (stderr: $(head -c 300 "$err"))"
  elif [[ $code != 0 ]]; then
    if [[ $(wc -l <"$err") != 1 ]]; then
      fail "nnn $*: expected one line on stderr, got: $(cat "$err")"
    elif ! grep -qE -- "$pattern" "$err"; then
      fail "nnn $*: stderr '$(cat "$err")' does not match '$pattern'"
    fi
  elif [[ -n $pattern ]] && ! grep -qE -- "$pattern" <<<"$out"; then
    fail "nnn $*: stdout does not match '$pattern'"
  fi
  rm -f "$err"
}

# Each subcommand with valid positional arguments, so that the unknown
# option is the only mistake.
declare -A valid=(
  [train]="experiments/spiral.yaml" [eval]="$work/fake_run" [wiring]="experiments/spiral.yaml"
  [compare]="experiments/spiral.yaml"
  [frames]="experiments/blurry_frames.yaml experiments/blurry_mlp.yaml"
  [predict]="$work/fake_run $work/x.pgm" [make-plates]="experiments/mnist_nnn.yaml"
  [sweep]="experiments/spiral.yaml train.lr=0.1,0.01" [serve]="$work/fake_run"
  [make-video]="experiments/mnist_nnn.yaml" [track]="$work" [read-video]="$work/fake_run $work"
  [video-eval]="$work/fake_run" [label]="$work --plate 12 --out $work/frame_set"
  [lesion]="$work/fake_run" [search]="experiments/spiral.yaml"
  [bench]="" [micrograd-demo]="" [info]="")
for c in "${!valid[@]}"; do
  expect 0 "Usage: nnn $c" -- "$c" --help
  # shellcheck disable=SC2086
  expect 2 "--no-such-option" -- "$c" ${valid[$c]} --no-such-option
done
expect 0 "Subcommands:" -- --help
expect 0 "^nnn [0-9]+\.[0-9]+\.[0-9]+$" -- --version
expect 2 "no-such-command" -- no-such-command
# Help fits 80 columns, for nnn and every subcommand, and says where to start.
for c in "" "${!valid[@]}"; do
  wide="$("$nnn" $c --help | awk 'length > 80')"
  [[ -z "$wide" ]] || fail "nnn $c --help has lines over 80 columns: $wide"
done
# Captured first: grep -q leaves at its match, and under pipefail the
# writer's SIGPIPE would fail the check whenever the help goes on after it.
help_text="$("$nnn" --help)"
grep -q "Start here: nnn train experiments/mnist_nnn.yaml" <<<"$help_text" || fail "no 'start here'"
help_text="$("$nnn" train --help)"
if grep -q "TEXT:" <<<"$help_text"; then fail "nnn train --help shows CLI11's type names"; fi

# Numbers: trailing junk, out of range, not a number.
expect 2 "--threads" -- bench --threads 2x
expect 2 "--threads" -- bench --threads -1
expect 2 "--seconds" -- bench --seconds abc
expect 2 "--batch" -- bench --batch 0
expect 2 "--gemm" -- bench --gemm blas
expect 2 "--top" -- predict "$work/fake_run" --top 0 "$work/x.pgm"
expect 2 "--plate" -- predict "$work/fake_run" --plate 3x "$work/x.pgm"
expect 2 "--stop-at" -- predict "$work/fake_run" --stop-at 1.5 "$work/x.pgm"
expect 2 "--nproc" -- train experiments/spiral.yaml --nproc 0
expect 2 "--device.*expected auto, cpu, cuda or cuda:N" -- train experiments/spiral.yaml --device gpu
expect 2 "--device" -- eval "$work/fake_run" --device cuda:x
expect 2 "--device" -- bench --device tpu
expect 2 "--port" -- serve "$work/fake_run" --port 70000
expect 2 "--difficulty" -- make-video experiments/mnist_nnn.yaml --difficulty extreme
expect 2 "--digits" -- track "$work" --digits 13
expect 1 "--init: expected x,y,w,h" -- track "$work" --init 1,2,3
expect 1 "no image frames" -- track "$work/fake_run"
expect 2 "--tracker" -- track "$work" --tracker goturn
expect 2 "--tracker" -- video-eval "$work/fake_run" --tracker nnn boosting
expect 2 "--container" -- make-video experiments/mnist_nnn.yaml --container webm
# Videos through OpenCV: a file that is no video, and cameras, each one line
# of nnn's (FFmpeg's and OpenCV's own log lines silenced).
printf 'not a video' >"$work/clip.mp4"
expect 1 "clip.mp4: not a video file that FFmpeg can decode" -- track "$work/clip.mp4"
expect 1 "camera:63: camera 63 could not be opened" -- track camera:63
expect 2 "--plate" -- label "$work" --out "$work/frame_set"
expect 1 "--plate must be the plate's digits \(1 to 12 of 0-9\); found '6a92'" -- \
  label "$work" --plate 6a92 --out "$work/frame_set"
expect 1 "--plate '6892' has 4 digits but --digits is 3" -- \
  label "$work" --plate 6892 --digits 3 --out "$work/frame_set"
expect 1 "--correct: expected FRAME:x,y,w,h with FRAME a frame number from 1; got '0:1,2,30,10'" -- \
  label "$work" --plate 6892 --correct 0:1,2,30,10 --out "$work/frame_set"
expect 1 "--correct: " -- label "$work" --plate 6892 --correct 3:1,2,0,10 --out "$work/frame_set"
expect 2 "--videos" -- serve "$work/fake_run" --label-out "$work/set" --videos "$work/no_such_folder"
expect 1 "expected camera:N with N a camera index from 0 to 63" -- read-video "$work/fake_run" camera:64
expect 2 "--threads" -- serve "$work/fake_run" --threads 0
expect 2 "give a run directory to serve \(or --label-out DATASET" -- serve --port 0
expect 2 "run" -- serve no/such/run
# A run directory whose config cannot be read: exit 1, one line naming it.
expect 1 "fake_run" -- serve "$work/fake_run" --port 0 --exit-after-seconds 1
expect 2 "--seeds" -- sweep experiments/spiral.yaml train.lr=0.1 --seeds 0
expect 1 "sweep axis .train.lr.: expected key=value1,value2" -- sweep experiments/spiral.yaml train.lr
expect 2 "give both, with 0 <= rank < ranks" -- search experiments/spiral.yaml --rank 1
expect 2 "give both, with 0 <= rank < ranks" -- search experiments/spiral.yaml --rank 2 --ranks 2
expect 2 "give --nproc or --rank/--ranks, not both" -- search experiments/spiral.yaml --nproc 2 --ranks 2 --rank 0
expect 2 "--epochs" -- search experiments/spiral.yaml --epochs 0
expect 1 "model.cell is 'layer_norm'; nnn search matches budgets and warm-starts perceptron cells only" -- \
  search experiments/spiral.yaml model.cell=layer_norm --out "$work/search"
expect 2 "--plates" -- make-plates experiments/mnist_nnn.yaml --plates 1.5
expect 2 "--classic" -- compare experiments/spiral.yaml --classic -0.1
# Floating-point options refuse NaN and the infinities (every one of them).
for bad in nan NaN inf -inf 1e999; do
  expect 2 "--stop-at.*not a (finite )?number" -- predict "$work/fake_run" --stop-at "$bad" "$work/x.pgm"
  expect 2 "--stop-at.*not a (finite )?number" -- read-video "$work/fake_run" "$work" --stop-at "$bad"
  expect 2 "--classic.*not a (finite )?number" -- compare experiments/spiral.yaml --classic "$bad"
  expect 2 "--seconds.*not a (finite )?number" -- bench --seconds "$bad"
  expect 2 "--peer-timeout.*not a (finite )?number" -- search experiments/spiral.yaml --peer-timeout "$bad"
  expect 2 "--exit-after-seconds.*not a (finite )?number" -- serve "$work/fake_run" --exit-after-seconds "$bad"
  expect 2 "--request-timeout.*not a (finite )?number" -- serve "$work/fake_run" --request-timeout "$bad"
done
expect 2 "--request-timeout" -- serve "$work/fake_run" --request-timeout 0
expect 2 "--client-connections" -- serve "$work/fake_run" --client-connections 0
# --nproc is bounded by the machine; --max-restarts needs --nproc and --out.
expect 2 "--nproc is 4096; this machine has" -- train experiments/spiral.yaml --nproc 4096
expect 2 "--max-restarts restarts the ranks of --nproc" -- train experiments/spiral.yaml --max-restarts 1
expect 2 "--max-restarts needs --out" -- train experiments/spiral.yaml --nproc 2 --max-restarts 1
# Files named by the user that are not regular files are refused at once
# (a FIFO would block a reader for ever).
mkfifo "$work/fifo.mp4" "$work/fifo.pgm"
expect 1 "fifo.mp4 is a FIFO \(named pipe\); expected a regular file" -- track "$work/fifo.mp4"
expect 1 "fifo.pgm is a FIFO \(named pipe\); expected a regular file" -- track "$work/fifo.pgm"
expect 1 "is a character device; expected a regular file" -- wiring /dev/zero
printf 'name: fifo\nmodel: {input_size: 784, output_size: 10, steps: 1, hidden: 8, wiring: {adjacency: [[0]]}}\ndata: {dataset: idx, train_images: %s, train_labels: /dev/zero, test_images: %s, test_labels: %s}\n' \
  "$work/fifo.pgm" "$work/fifo.pgm" "$work/fifo.pgm" >"$work/fifo.yaml"
expect 1 "data.train_images / data.train_labels: .*fifo.pgm is a FIFO" -- train "$work/fifo.yaml" --out "$work/fifo_run"
printf 'name: fifo\nmodel: {input_size: 4, output_size: 3, steps: 1, hidden: 8, wiring: {adjacency: [[0]]}}\ndata: {dataset: csv, path: /dev/zero}\n' >"$work/csv.yaml"
expect 1 "data.path: /dev/zero is a character device" -- train "$work/csv.yaml" --out "$work/csv_run"
# A finished run says what to do next.
out="$("$nnn" train experiments/spiral.yaml train.epochs=1 --out "$work/next_run")" || fail "train"
grep -q "^next: nnn eval $work/next_run .* nnn serve $work/next_run" <<<"$out" ||
  fail "train does not end with the next commands: $(tail -2 <<<"$out")"
# Messages name what the user set: make-video on a config without images.
expect 1 "data.dataset is spiral, which holds no images" -- \
  make-video experiments/spiral.yaml --out "$work/mv" --videos 1
expect 1 "data.dataset is spiral, which holds no images" -- \
  make-plates experiments/spiral.yaml --out "$work/mp" --plates 1
# A backend that cannot work on the device is refused once, before any rank starts.
expect 1 "dist.backend is nccl, which reduces on GPUs, but the run's device is cpu" -- \
  train experiments/spiral.yaml dist.backend=nccl device=cpu --nproc 2
# Files and run directories that do not exist; overrides without '='.
expect 2 "config" -- train no/such/file.yaml
expect 2 "run" -- eval no/such/run
expect 2 "KEY=VALUE|dotted.key=value" -- wiring experiments/spiral.yaml steps
expect 2 "--resume" -- train experiments/spiral.yaml --resume experiments
# A config error is not a usage error: exit 1, one line with file:line:column.
expect 1 "spiral.yaml|model.steps" -- wiring experiments/spiral.yaml model.steps=0

# Options that exist are used: --batch sets the bench batch, --dot writes DOT
# only when asked.
out="$("$nnn" bench --only mlp --batch 8 --seconds 0.05 --threads 1 --json "$work/b.json")" ||
  fail "bench --batch 8 failed"
grep -qE "mlp 784-128-10 +train +8 " <<<"$out" || fail "bench --batch 8 did not run batch 8: $out"
# The reference's kernels, the column explained, the reference measured again.
grep -qE "reference: sgemm 1024\^3 floats, LibTorch's mm on [A-Za-z]+.*, best of 5 rounds" <<<"$out" ||
  fail "bench does not name its reference: $out"
grep -q "of sgemm: useful GF/s" <<<"$out" || fail "bench does not explain 'of sgemm': $out"
grep -q "measured again after the rows" <<<"$out" || fail "bench does not measure sgemm again: $out"
python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["machine"]; assert m["sgemm_gflops_after"] > 0, m' \
  "$work/b.json" || fail "bench JSON lacks sgemm_gflops_after"
grep -qE " 256 | 32 " <<<"$out" && fail "bench --batch 8 also ran the default batches: $out"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; assert {x["batch"] for x in r} == {8}, r' \
  "$work/b.json" || fail "bench JSON batches"
# --gemm both: each direct-path run twice, the second on LibTorch's products.
out="$("$nnn" bench --only mlp --batch 8 --seconds 0.05 --threads 1 --gemm both)" ||
  fail "bench --gemm both failed"
grep -qE "mlp 784-128-10 +train:torch-mm +8 " <<<"$out" || fail "bench --gemm both: $out"
grep -qE "mlp 784-128-10 +infer:torch-mm +8 " <<<"$out" || fail "bench --gemm both: $out"
# The FMA peak per core beside the sgemm, and each row's share of it.
grep -qE "^cpu .*; FMA peak [0-9.]+ GFLOP/s per core \((avx512f|avx2\+fma|sse2 \(no fma\)|scalar)\)" <<<"$out" ||
  fail "bench does not state the FMA peak: $out"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); m=d["machine"]; assert m["fma_peak_gflops_per_core"] > 0 and m["cpu"], m; assert all(r["fraction_of_peak"] > 0 for r in d["results"]), d' \
  "$work/b.json" || fail "bench JSON lacks the FMA peak"
# --skip-unreachable both: the loss's cells only, then every cell; --loss all.
out="$("$nnn" bench --only "layered[1,3,1]" --batch 8 --seconds 0.05 --threads 1 --skip-unreachable both)" ||
  fail "bench --skip-unreachable both failed"
grep -qE "layered\[1,3,1\]x16 h64 T4 +train +8 " <<<"$out" || fail "bench --skip-unreachable both: $out"
grep -qE "layered\[1,3,1\]x16 h64 T4 +train:all-cells +8 " <<<"$out" || fail "bench --skip-unreachable both: $out"
out="$("$nnn" bench --only "layered[1,3,1]" --batch 8 --seconds 0.05 --threads 1 --loss all)" ||
  fail "bench --loss all failed"
grep -qE "layered\[1,3,1\]x16 h64 T4 +train:loss-all +8 " <<<"$out" || fail "bench --loss all: $out"
expect 2 "--loss" -- bench --loss first
# --model: an experiment's own model, named after it; one hidden size only.
out="$("$nnn" bench --model experiments/spiral.yaml --batch 8 --seconds 0.05 --threads 1)" ||
  fail "bench --model failed"
grep -qE "^spiral +train +8 " <<<"$out" || fail "bench --model did not time spiral: $out"
grep -qE "layered|mlp 784" <<<"$out" && fail "bench --model also ran the standard workloads: $out"
printf 'name: two\nmodel:\n  input_size: 3\n  output_size: 2\n  steps: 2\n  hidden: [4, 5]\n  wiring:\n    adjacency: [[0, 1], [1, 0]]\n    output: 1\n' >"$work/two.yaml"
expect 1 "two.yaml: model.hidden: nnn bench --model times one hidden size" -- bench --model "$work/two.yaml" --seconds 0.05
(cd "$work" && "$nnn" wiring "$src/experiments/spiral.yaml" >/dev/null) || fail "wiring failed"
[[ -z "$(ls "$work"/*.dot 2>/dev/null)" ]] || fail "wiring wrote DOT without --dot"
"$nnn" wiring experiments/spiral.yaml --dot "$work/w.dot" >/dev/null && [[ -s "$work/w.dot" ]] ||
  fail "wiring --dot did not write the file"
# Graphviz (set-up installs it) draws the wiring and the micrograd graph;
# dot runs without a shell, so a quote in a path is only a name.
"$nnn" wiring experiments/spiral.yaml --svg "$work/w.svg" >/dev/null && grep -q "<svg" "$work/w.svg" ||
  fail "wiring --svg did not draw the wiring"
[[ ! -e "$work/w.svg.dot.tmp" ]] || fail "wiring --svg left its DOT file"
"$nnn" micrograd-demo --dot "$work/it's.dot" >/dev/null && grep -q "<svg" "$work/it's.svg" &&
  [[ -s "$work/it's.png" ]] || fail "micrograd-demo did not render its graph"

if ((failures)); then
  echo "$failures failure(s)"
  exit 1
fi
echo "PASS: command line"
