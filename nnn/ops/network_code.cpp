// Encoding a network's shape as the integer list nnn's operators take.
#include "nnn/ops/network_code.h"

#include <cmath>
#include <string>

#include "nnn/core/cell_types.h"
#include "nnn/util/error.h"

namespace nnn {
namespace {

constexpr int64_t kVersion = 1;
constexpr int64_t kMaxCells = 1024;
constexpr int64_t kMaxWidth = int64_t{1} << 20;
constexpr int64_t kMaxInput = int64_t{1} << 24;
constexpr double kMaxParameters = 2147483648.0;  // 2^31

int64_t bounded(int64_t value, int64_t low, int64_t high, const std::string& what) {
  NNN_CHECK(value >= low && value <= high, "network code: ", what, " is ", value, "; expected ",
            low, "..", high);
  return value;
}

}  // namespace

Activation activation_of(int64_t index, const std::string& what) {
  const auto activations = static_cast<int64_t>(activation_names().size());
  return static_cast<Activation>(bounded(index, 0, activations - 1, what));
}

std::vector<int64_t> encode_network(const NNNOptions& options) {
  const Wiring& wiring = options.wiring();
  const int64_t n = wiring.size();
  for (int64_t c = 0; c < n; ++c) {
    const auto& types = options.cell_types();
    const std::string& type = types.size() == 1 ? types.front() : types[static_cast<size_t>(c)];
    NNN_CHECK(type == kPerceptronCell, "cell ", c, " is a ", quoted(type),
              " cell; nnn's operators run perceptron cells only");
  }
  NNN_CHECK(options.dropout() == 0, "dropout is ", options.dropout(),
            "; nnn's operators train without dropout");
  std::vector<int64_t> code = {kVersion,
                               n,
                               options.input_size(),
                               options.output_size(),
                               static_cast<int64_t>(options.hidden_activation()),
                               static_cast<int64_t>(options.output_activation()),
                               wiring.output(),
                               static_cast<int64_t>(wiring.inputs().size())};
  code.insert(code.end(), wiring.inputs().begin(), wiring.inputs().end());
  const auto& hidden = options.hidden();
  for (int64_t c = 0; c < n; ++c) {
    code.push_back(hidden.size() == 1 ? hidden.front() : hidden[static_cast<size_t>(c)]);
  }
  for (const auto& row : wiring.adjacency()) code.insert(code.end(), row.begin(), row.end());
  return code;
}

Wiring wiring_from(const std::vector<int64_t>& adjacency, const std::vector<int64_t>& inputs,
                   int64_t output) {
  const auto count = static_cast<int64_t>(adjacency.size());
  int64_t n = 0;
  while (n * n < count && n <= kMaxCells) ++n;
  NNN_CHECK(n * n == count && n >= 1 && n <= kMaxCells, "adjacency: ", count,
            " entries; expected N x N for N in 1..", kMaxCells);
  Matrix64 rows(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      rows[static_cast<size_t>(i)].push_back(
          bounded(adjacency[static_cast<size_t>(i * n + j)], 0, kMaxWidth,
                  "A[" + std::to_string(i) + "][" + std::to_string(j) + "] (channels)"));
    }
  }
  return Wiring(std::move(rows), inputs, output);
}

NNNOptions decode_network(const std::vector<int64_t>& code, int64_t steps) {
  const auto size = static_cast<int64_t>(code.size());
  NNN_CHECK(size >= 8, "network code: ", size, " entries; a code has at least 8");
  NNN_CHECK(code[0] == kVersion, "network code: version ", code[0], "; expected ", kVersion);
  const int64_t n = bounded(code[1], 1, kMaxCells, "N (cells)");
  const int64_t d_in = bounded(code[2], 1, kMaxInput, "D_in");
  const int64_t d_out = bounded(code[3], 1, kMaxWidth, "D_out");
  const Activation hidden_act = activation_of(code[4], "the hidden activation");
  const Activation output_act = activation_of(code[5], "the output activation");
  const int64_t output = code[6];
  const int64_t input_count = bounded(code[7], 1, n, "|I| (input cells)");
  NNN_CHECK(size == 8 + input_count + n + n * n, "network code: ", size, " entries; ", n,
            " cells with ", input_count, " inputs need ", 8 + input_count + n + n * n);
  const std::vector<int64_t> inputs(code.begin() + 8, code.begin() + 8 + input_count);
  std::vector<int64_t> hidden;
  for (int64_t c = 0; c < n; ++c) {
    hidden.push_back(bounded(code[static_cast<size_t>(8 + input_count + c)], 1, kMaxWidth,
                             "the hidden width of cell " + std::to_string(c)));
  }
  const std::vector<int64_t> adjacency(code.begin() + 8 + input_count + n, code.end());
  Wiring wiring = wiring_from(adjacency, inputs, output);
  // Bounded before a module allocates them.
  double parameters = 0;
  for (int64_t c = 0; c < n; ++c) {
    const double in = static_cast<double>(wiring.in_dim(c, d_in));
    const double out = static_cast<double>(wiring.out_dim(c, d_out));
    const double h = static_cast<double>(hidden[static_cast<size_t>(c)]);
    parameters += (in + 1) * h + (h + 1) * out;
  }
  NNN_CHECK(parameters <= kMaxParameters, "network code: ", static_cast<int64_t>(parameters),
            " parameters; at most 2^31");
  wiring.validate(d_in, d_out, steps);
  return NNNOptions(std::move(wiring), d_in, d_out, steps)
      .hidden(hidden)
      .hidden_activation(hidden_act)
      .output_activation(output_act);
}

}  // namespace nnn
