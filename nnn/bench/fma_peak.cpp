// Independent FMA chains, enough of them to cover the FMA units' latency
// (12 accumulators: 4 cycles of latency times 2 units, with room), each
// ISA in its own function compiled for it and picked at run time.
#include "nnn/bench/fma_peak.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace nnn {
namespace {

constexpr int kChains = 12;

#if defined(__x86_64__)

// Each returns a sum of its accumulators so that the loop is not dropped.
__attribute__((target("avx512f"))) float chains_avx512(int64_t rounds) {
  __m512 acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = _mm512_set1_ps(0.001f * static_cast<float>(k));
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (int64_t r = 0; r < rounds; ++r) {
    for (int k = 0; k < kChains; ++k) acc[k] = _mm512_fmadd_ps(acc[k], a, b);
  }
  alignas(64) float lanes[16];
  float sum = 0;
  for (int k = 0; k < kChains; ++k) {
    _mm512_store_ps(lanes, acc[k]);
    for (float v : lanes) sum += v;
  }
  return sum;
}

__attribute__((target("avx2,fma"))) float chains_avx2(int64_t rounds) {
  __m256 acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = _mm256_set1_ps(0.001f * static_cast<float>(k));
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (int64_t r = 0; r < rounds; ++r) {
    for (int k = 0; k < kChains; ++k) acc[k] = _mm256_fmadd_ps(acc[k], a, b);
  }
  alignas(32) float lanes[8];
  float sum = 0;
  for (int k = 0; k < kChains; ++k) {
    _mm256_store_ps(lanes, acc[k]);
    for (float v : lanes) sum += v;
  }
  return sum;
}

float chains_sse2(int64_t rounds) {
  __m128 acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = _mm_set1_ps(0.001f * static_cast<float>(k));
  const __m128 a = _mm_set1_ps(0.999999f), b = _mm_set1_ps(1e-7f);
  for (int64_t r = 0; r < rounds; ++r) {
    for (int k = 0; k < kChains; ++k) acc[k] = _mm_add_ps(_mm_mul_ps(acc[k], a), b);
  }
  alignas(16) float lanes[4];
  float sum = 0;
  for (int k = 0; k < kChains; ++k) {
    _mm_store_ps(lanes, acc[k]);
    for (float v : lanes) sum += v;
  }
  return sum;
}

#else
// Elsewhere: plain floats, which the compiler may vectorise for the target.
float chains_scalar(int64_t rounds) {
  float acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = 0.001f * static_cast<float>(k);
  for (int64_t r = 0; r < rounds; ++r) {
    for (int k = 0; k < kChains; ++k) acc[k] = acc[k] * 0.999999f + 1e-7f;
  }
  float sum = 0;
  for (float v : acc) sum += v;
  return sum;
}
#endif

}  // namespace

FmaPeak measure_fma_peak(double min_seconds) {
  FmaPeak peak;
#if defined(__x86_64__)
  float (*run)(int64_t) = chains_sse2;
  int lanes = 4;
  peak.isa = "sse2 (no fma)";
  if (__builtin_cpu_supports("avx512f")) {
    run = chains_avx512;
    lanes = 16;
    peak.isa = "avx512f";
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    run = chains_avx2;
    lanes = 8;
    peak.isa = "avx2+fma";
  }
#else
  float (*run)(int64_t) = chains_scalar;
  const int lanes = 1;
  peak.isa = "scalar";
#endif
  // SSE2 has no fused operation: a multiply and an add, 2 FLOPs all the same.
  const double flops_per_round = 2.0 * kChains * lanes;
  volatile float sink = run(1000);  // warm the clocks and the code
  using Clock = std::chrono::steady_clock;
  int64_t rounds = 1 << 16;
  const double round_seconds = std::max(min_seconds / 5, 1e-3);
  for (int round = 0; round < 5; ++round) {
    for (;;) {
      const auto start = Clock::now();
      sink = run(rounds);
      const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      if (seconds < round_seconds) {
        rounds *= 2;
        continue;
      }
      peak.gflops =
          std::max(peak.gflops, flops_per_round * static_cast<double>(rounds) / seconds / 1e9);
      break;
    }
  }
  (void)sink;
  return peak;
}

std::string cpu_model_name() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) break;
    const auto first = line.find_first_not_of(" \t", colon + 1);
    return first == std::string::npos ? "unknown CPU" : line.substr(first);
  }
  return "unknown CPU";
}

}  // namespace nnn
