#!/usr/bin/env bash
# Builds the libFuzzer harnesses of tests/fuzz with clang (ASan + UBSan),
# replays every seed and earlier finding (tests/data/fuzz, the example and
# bad configs), then fuzzes each target for SECONDS (default 30).
#   scripts/fuzz.sh [SECONDS] [TARGET...]   targets: config idx pgm csv plates api image
# The growing corpus stays in build/fuzz/corpus/TARGET (out of git); a crash
# leaves build/fuzz/artifacts/TARGET-crash-* and fails the script: copy it
# into tests/data/fuzz/TARGET/ once fixed, so every later replay checks it.
# Prints, per target, the runs, the edges covered and the corpus size.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
shift || true
targets=("$@")
((${#targets[@]})) || targets=(config idx pgm csv plates api image)
cxx="${NNN_FUZZ_CXX:-$(command -v clang++-14 || command -v clang++ || true)}"
if [[ -z "$cxx" ]]; then
  echo "fuzz: no clang++ (scripts/setup.sh installs clang-14 and libclang-rt-14-dev)" >&2
  exit 1
fi
build=build/fuzz
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S tests/fuzz -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" "${launcher[@]}" >/dev/null
cmake --build "$build" -j "$(nproc)"
echo "== fuzz: replaying seeds and earlier findings"
ctest --test-dir "$build" --output-on-failure
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
mkdir -p "$build/artifacts"
summary=()
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"
  mkdir -p "$corpus"
  seeds=(tests/data/fuzz/"$t")
  [[ "$t" == config ]] && seeds+=(experiments tests/data/bad_configs)
  log="$build/$t.log"
  echo "== fuzz: $t for ${seconds}s (log $log)"
  status=0
  "$build/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" "$corpus" "${seeds[@]}" \
    >"$log" 2>&1 || status=$?
  runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}' | tail -1)
  done_line=$(grep -E '^#[0-9]+\s+(DONE|pulse|NEW|REDUCE)' "$log" | tail -1)
  cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$done_line")
  corp=$(sed -n 's/.*corp: \([0-9]*\).*/\1/p' <<<"$done_line")
  line="$t: ${runs:-?} runs, ${cov:-?} edges covered, corpus ${corp:-?} inputs"
  if ((status != 0)); then
    echo "fuzz: $t FAILED (exit $status):" >&2
    grep -E 'ERROR|runtime error|broken promise|terminate|Test unit written' "$log" | head -20 >&2
    summary+=("$line: FAILED")
    printf '%s\n' "${summary[@]}"
    exit 1
  fi
  summary+=("$line")
done
echo "== fuzz summary (${seconds}s each)"
printf '%s\n' "${summary[@]}"
