// Numeric CSV tables (a class label in one column, features in the others),
// parsed without LibTorch: datasets turn a CsvTable into tensors; and the
// quoting of a field for the CSV files nnn writes.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

namespace nnn {

struct CsvTable {
  int64_t rows = 0;
  int64_t features = 0;         // columns but the label's
  std::vector<float> inputs;    // rows x features, row-major
  std::vector<int64_t> labels;  // rows class indices, each in [0, limits::kMaxWidth)
};

/// Every column a finite number, `label_column` (negative: from the end) a
/// class index >= 0 below limits::kMaxWidth. A first row that is not numeric
/// is a header and skipped; blank lines are skipped. Errors name
/// `name`:line, the field and what was found.
CsvTable read_csv_table(std::istream& in, const std::string& name, int64_t label_column);
/// The same from a file; a file that cannot be read is an error naming it.
CsvTable read_csv_table(const std::string& path, int64_t label_column);

/// `text` as one CSV field: as it is, or in double quotes (inner quotes
/// doubled) when it holds a comma, a quote or a line break.
std::string csv_field(const std::string& text);

}  // namespace nnn
