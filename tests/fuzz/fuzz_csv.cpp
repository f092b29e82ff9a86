// The CSV table reader. Input: one byte, the label column (signed: negative
// counts from the end), then the table. Promises: nnn::Error (one line) or a
// table whose sizes agree, with finite features and labels in range.
#include <cmath>
#include <sstream>
#include <string>

#include "fuzz_util.h"
#include "nnn/data/csv.h"
#include "nnn/util/error.h"
#include "nnn/util/limits.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int64_t label_column = static_cast<int8_t>(data[0]);
  std::istringstream in(std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  nnn::CsvTable table;
  try {
    table = nnn::read_csv_table(in, "fuzz.csv", label_column);
  } catch (const nnn::Error& e) {
    nnn_fuzz::require_one_line(e.what());
    return 0;
  }
  NNN_FUZZ_REQUIRE(table.rows >= 1 && table.features >= 1, "an empty table");
  NNN_FUZZ_REQUIRE(static_cast<int64_t>(table.labels.size()) == table.rows, "labels per row");
  NNN_FUZZ_REQUIRE(static_cast<int64_t>(table.inputs.size()) == table.rows * table.features,
                   "features per row");
  for (int64_t label : table.labels) {
    NNN_FUZZ_REQUIRE(label >= 0 && label < nnn::limits::kMaxWidth, "a label out of range");
  }
  for (float v : table.inputs) NNN_FUZZ_REQUIRE(!std::isnan(v), "a NaN feature");
  return 0;
}
