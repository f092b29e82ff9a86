// GRU and LSTM cells with manual parameters; the state rides the self-loop.
#include "nnn/core/recurrent_cell.h"

#include <cmath>

#include "nnn/util/error.h"

namespace nnn {

namespace {
const char* kind_name(RecurrentKind kind) { return kind == RecurrentKind::kGru ? "gru" : "lstm"; }
int64_t gates(RecurrentKind kind) { return kind == RecurrentKind::kGru ? 3 : 4; }
}  // namespace

RecurrentCellImpl::RecurrentCellImpl(RecurrentKind kind_, const CellSpec& spec_)
    : kind(kind_), spec(spec_) {
  reset();
}

int64_t RecurrentCellImpl::state_width() const {
  return recurrent_state_width(kind_name(kind), spec.hidden);
}

void RecurrentCellImpl::reset() {
  const int64_t s = state_width();
  NNN_CHECK(spec.hidden > 0 && spec.in_dim > s && spec.out_dim > s, "cell ", spec.index, " is a ",
            kind_name(kind), " cell with hidden ", spec.hidden, ": it keeps its state of ", s,
            " channels on its self-loop, so it must read more than ", s,
            " channels (x first) and send more than ", s, " (the read-out first); it reads ",
            spec.in_dim, " and sends ", spec.out_dim, ". Wire it as adjacency [[", s, "]]");
  const int64_t g = gates(kind) * spec.hidden;
  w_ih = register_parameter("w_ih", torch::empty({spec.in_dim - s, g}));
  w_hh = register_parameter("w_hh", torch::empty({spec.hidden, g}));
  b_ih = register_parameter("b_ih", torch::empty({g}));
  b_hh = register_parameter("b_hh", torch::empty({g}));
  w_out = register_parameter("w_out", torch::empty({spec.hidden, spec.out_dim - s}));
  b_out = register_parameter("b_out", torch::empty({spec.out_dim - s}));
  reset_parameters();
}

void RecurrentCellImpl::reset_parameters() {
  torch::NoGradGuard no_grad;
  const double bound = 1.0 / std::sqrt(static_cast<double>(spec.hidden));
  for (auto& p : parameters()) p.uniform_(-bound, bound);
}

void RecurrentCellImpl::pretty_print(std::ostream& stream) const {
  stream << "nnn::RecurrentCell(" << kind_name(kind) << ", in_dim=" << spec.in_dim
         << ", hidden=" << spec.hidden << ", out_dim=" << spec.out_dim << ")";
}

torch::Tensor RecurrentCellImpl::forward(const torch::Tensor& u) {
  const int64_t s = state_width();
  const int64_t h_width = spec.hidden;
  const auto x = u.narrow(1, 0, u.size(1) - s);        // [B, X]
  const auto h = u.narrow(1, u.size(1) - s, h_width);  // [B, H]
  const auto gi = torch::addmm(b_ih, x, w_ih);         // [B, G]
  const auto gh = torch::addmm(b_hh, h, w_hh);         // [B, G]
  torch::Tensor state;                                 // [B, S]
  torch::Tensor h_next;                                // [B, H]
  if (kind == RecurrentKind::kGru) {
    const auto i = gi.chunk(3, 1);
    const auto r_z_n = gh.chunk(3, 1);
    const auto r = torch::sigmoid(i[0] + r_z_n[0]);
    const auto z = torch::sigmoid(i[1] + r_z_n[1]);
    const auto n = torch::tanh(i[2] + r * r_z_n[2]);
    h_next = (1 - z) * n + z * h;
    state = h_next;
  } else {
    const auto c = u.narrow(1, u.size(1) - h_width, h_width);  // [B, H]
    const auto i_f_g_o = (gi + gh).chunk(4, 1);
    const auto c_next =
        torch::sigmoid(i_f_g_o[1]) * c + torch::sigmoid(i_f_g_o[0]) * torch::tanh(i_f_g_o[2]);
    h_next = torch::sigmoid(i_f_g_o[3]) * torch::tanh(c_next);
    state = torch::cat({h_next, c_next}, 1);
  }
  return torch::cat({torch::addmm(b_out, h_next, w_out), state}, 1);
}

}  // namespace nnn
