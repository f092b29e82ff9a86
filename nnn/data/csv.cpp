// CSV tables: one line at a time, every field checked.
#include "nnn/data/csv.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "nnn/util/error.h"
#include "nnn/util/files.h"
#include "nnn/util/limits.h"

namespace nnn {

namespace {

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields(1);
  for (char c : line) {
    if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

std::string located(const std::string& name, int64_t line) {
  return name + ":" + std::to_string(line) + ": ";
}

}  // namespace

CsvTable read_csv_table(std::istream& in, const std::string& name, int64_t label_column) {
  CsvTable table;
  int64_t width = -1;
  std::string line;
  for (int64_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    const std::vector<std::string> fields = split_fields(line);
    std::vector<double> values;
    for (size_t f = 0; f < fields.size(); ++f) {
      const char* begin = fields[f].c_str();
      char* end = nullptr;
      const double v = std::strtod(begin, &end);
      while (end && (*end == ' ' || *end == '\t')) ++end;
      // A field holding a NUL byte ends early: not a number either.
      if (end == begin || *end != '\0' || fields[f].find('\0') != std::string::npos) {
        if (number == 1 && table.labels.empty()) {
          values.clear();
          break;  // a header row
        }
        throw Error(located(name, number) + "field " + std::to_string(f + 1) + " is " +
                    quoted(fields[f]) + "; expected a number");
      }
      if (!std::isfinite(v)) {
        throw Error(located(name, number) + "field " + std::to_string(f + 1) + " is " +
                    quoted(fields[f]) + "; expected a finite number");
      }
      values.push_back(v);
    }
    if (values.empty()) continue;
    const auto n = static_cast<int64_t>(values.size());
    if (width < 0) {
      width = n;
      NNN_CHECK(width >= 2, located(name, number), "need at least one feature and a label; found ",
                width, " column(s)");
    }
    NNN_CHECK(n == width, located(name, number), n, " fields but earlier rows have ", width);
    const int64_t label_at = label_column < 0 ? width + label_column : label_column;
    NNN_CHECK(label_at >= 0 && label_at < width, "data.label_column is ", label_column, " but ",
              name, " has ", width, " columns");
    const double label = values[static_cast<size_t>(label_at)];
    NNN_CHECK(label >= 0 && label == std::floor(label), located(name, number), "label ", label,
              " in column ", label_at + 1, " is not a class index (an integer >= 0)");
    NNN_CHECK(label < static_cast<double>(limits::kMaxWidth), located(name, number), "label ",
              label, " in column ", label_at + 1,
              " is beyond the largest class index nnn accepts (", limits::kMaxWidth - 1, ")");
    table.labels.push_back(static_cast<int64_t>(label));
    for (int64_t c = 0; c < width; ++c) {
      if (c != label_at) table.inputs.push_back(static_cast<float>(values[static_cast<size_t>(c)]));
    }
  }
  NNN_CHECK(!table.labels.empty(), name, ": holds no data rows");
  table.rows = static_cast<int64_t>(table.labels.size());
  table.features = width - 1;
  return table;
}

CsvTable read_csv_table(const std::string& path, int64_t label_column) {
  check_regular_file(path, kMaxFileBytes, "CSV file");
  std::ifstream in(path);
  NNN_CHECK(in.good(), "cannot read CSV file ", path, ": ", std::strerror(errno));
  return read_csv_table(in, path, label_column);
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char ch : text) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return quoted + "\"";
}

}  // namespace nnn
