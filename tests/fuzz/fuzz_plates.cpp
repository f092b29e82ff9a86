// Plate splitting and the best-first readings. Input: K (one byte), the
// number of readings (one byte), then a PGM file. Promises: nnn::Error (one
// line) or K cells that tile the plate left to right, each read as 784
// values, and readings that are distinct, K digits long and best first.
#include <algorithm>
#include <set>
#include <string>

#include "fuzz_util.h"
#include "nnn/data/digit_image.h"
#include "nnn/data/pgm.h"
#include "nnn/data/plate_readings.h"
#include "nnn/util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const int64_t k = data[0] % 16;  // 0 included: an error to give
  const int64_t count = data[1];
  const std::string path = nnn_fuzz::scratch_path(".plate.pgm");
  nnn_fuzz::write_bytes(path, data + 2, size - 2);
  std::vector<nnn::GreyImage> cells;
  nnn::GreyImage plate;
  try {
    plate = nnn::read_pgm(path);
    if (plate.width * plate.height > 256 * 256) return 0;  // keep each run fast
    cells = nnn::split_plate(plate, k, path);
  } catch (const nnn::Error& e) {
    nnn_fuzz::require_one_line(e.what());
    return 0;
  }
  NNN_FUZZ_REQUIRE(static_cast<int64_t>(cells.size()) == k, "not K cells");
  int64_t width = 0;
  std::vector<std::vector<double>> probabilities;
  for (const auto& cell : cells) {
    NNN_FUZZ_REQUIRE(cell.height == plate.height && cell.width >= 1, "a cell of the wrong shape");
    NNN_FUZZ_REQUIRE(static_cast<int64_t>(cell.pixels.size()) == cell.width * cell.height,
                     "pixels do not fill a cell");
    width += cell.width;
    const std::vector<float> input = nnn::digit_input(cell);
    NNN_FUZZ_REQUIRE(input.size() == 784, "a cell's input is not 28x28");
    // Stand-in class scores from the cell's values (what a model would give).
    std::vector<double> p(10);
    for (size_t c = 0; c < 10; ++c) p[c] = input[c * 78 + 39];
    probabilities.push_back(p);
  }
  NNN_FUZZ_REQUIRE(width == plate.width, "cells do not tile the plate");
  const std::vector<nnn::Reading> readings = nnn::best_readings(probabilities, count);
  std::set<std::string> seen;
  for (size_t i = 0; i < readings.size(); ++i) {
    NNN_FUZZ_REQUIRE(static_cast<int64_t>(readings[i].digits.size()) == k,
                     "a reading of wrong length");
    NNN_FUZZ_REQUIRE(seen.insert(readings[i].digits).second, "a reading given twice");
    if (i > 0)
      NNN_FUZZ_REQUIRE(readings[i].probability <= readings[i - 1].probability, "not best first");
  }
  int64_t possible = 1;  // 10^k readings exist
  for (int64_t i = 0; i < k && possible <= count; ++i) possible *= 10;
  NNN_FUZZ_REQUIRE(static_cast<int64_t>(readings.size()) == std::min(count, possible),
                   "not as many readings as asked (or as exist)");
  return 0;
}
