// Unit-by-unit warm starts between wirings; see inherit.h.
#include "nnn/search/inherit.h"

#include <torch/torch.h>

#include <fmt/format.h>

#include <algorithm>

#include "nnn/config/model_options.h"
#include "nnn/core/weights.h"
#include "nnn/util/error.h"

namespace nnn {

namespace {

/// Row (or column) ranges of one side of a cell: pairs (child offset,
/// parent offset, length) of the units both have.
struct Span {
  int64_t child = 0, parent = 0, length = 0;
};

/// The units of child cell c and parent cell p that match: on the input
/// side (`receiving`) x and the channels from each shared sender; on the
/// output side the prediction and the channels to each shared receiver.
std::vector<Span> shared_units(const ModelConfig& child, const ModelConfig& parent,
                               const std::vector<int64_t>& parent_cells, int64_t c, int64_t p,
                               bool receiving) {
  const Wiring& cw = child.wiring;
  const Wiring& pw = parent.wiring;
  std::vector<Span> spans;
  if (receiving ? (cw.is_input(c) && pw.is_input(p)) : (cw.output() == c && pw.output() == p)) {
    // x first in u, the prediction first in m.
    spans.push_back({0, 0, receiving ? child.input_size : child.output_size});
  }
  for (int64_t other = 0; other < cw.size(); ++other) {
    const int64_t parent_other = parent_cells[static_cast<size_t>(other)];
    if (parent_other < 0) continue;
    const int64_t width = receiving ? cw.channels(other, c) : cw.channels(c, other);
    const int64_t parent_width =
        receiving ? pw.channels(parent_other, p) : pw.channels(p, parent_other);
    if (width == 0 || parent_width == 0) continue;
    spans.push_back(receiving ? Span{cw.receive_offset(other, c, child.input_size),
                                     pw.receive_offset(parent_other, p, parent.input_size),
                                     std::min(width, parent_width)}
                              : Span{cw.send_offset(c, other, child.output_size),
                                     pw.send_offset(p, parent_other, parent.output_size),
                                     std::min(width, parent_width)});
  }
  return spans;
}

}  // namespace

double inherit_weights(const std::string& parent_weights, const ModelConfig& parent,
                       const ModelConfig& child, const std::vector<int64_t>& parent_cells,
                       uint64_t seed, const std::string& out_file) {
  NNN_CHECK(static_cast<int64_t>(parent_cells.size()) == child.wiring.size(),
            "inherit_weights: ", parent_cells.size(), " parent cells given for ",
            child.wiring.size(), " child cells");
  NNN_CHECK(child.input_size == parent.input_size && child.output_size == parent.output_size,
            "inherit_weights: the parent reads ", parent.input_size, " and predicts ",
            parent.output_size, ", the child ", child.input_size, " and ", child.output_size);
  for (int64_t p : parent_cells) {
    NNN_CHECK(p >= -1 && p < parent.wiring.size(), "inherit_weights: parent cell ", p,
              " is not a cell of the parent's ", parent.wiring.size());
  }
  NNN source(to_options(parent));
  load_weights(*source, parent_weights);
  torch::manual_seed(seed);
  NNN target(to_options(child));
  const auto from = source->named_parameters();
  auto to = target->named_parameters();
  torch::NoGradGuard no_grad;
  int64_t copied = 0;
  for (int64_t c = 0; c < child.wiring.size(); ++c) {
    const int64_t p = parent_cells[static_cast<size_t>(c)];
    if (p < 0) continue;
    auto get = [](const auto& params, int64_t cell, const char* name) -> torch::Tensor {
      return params[fmt::format("cells.{}.{}", cell, name)];
    };
    const int64_t hidden = std::min(child.hidden_size(c), parent.hidden_size(p));
    auto w1 = get(to, c, "w1"), b1 = get(to, c, "b1"), w2 = get(to, c, "w2"), b2 = get(to, c, "b2");
    const auto pw1 = get(from, p, "w1"), pb1 = get(from, p, "b1"), pw2 = get(from, p, "w2"),
               pb2 = get(from, p, "b2");
    b1.narrow(0, 0, hidden).copy_(pb1.narrow(0, 0, hidden));
    copied += hidden;
    for (const Span& s : shared_units(child, parent, parent_cells, c, p, true)) {
      w1.narrow(0, s.child, s.length)
          .narrow(1, 0, hidden)
          .copy_(pw1.narrow(0, s.parent, s.length).narrow(1, 0, hidden));
      copied += s.length * hidden;
    }
    for (const Span& s : shared_units(child, parent, parent_cells, c, p, false)) {
      w2.narrow(1, s.child, s.length)
          .narrow(0, 0, hidden)
          .copy_(pw2.narrow(1, s.parent, s.length).narrow(0, 0, hidden));
      b2.narrow(0, s.child, s.length).copy_(pb2.narrow(0, s.parent, s.length));
      copied += s.length * (hidden + 1);
    }
  }
  save_weights(*target, out_file);
  return static_cast<double>(copied) / static_cast<double>(target->parameter_count());
}

}  // namespace nnn
