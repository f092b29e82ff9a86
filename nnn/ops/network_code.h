// A network's shape as one list of integers: what a torch operator's schema
// can carry (tensors, ints and lists of them; no structs), so that nnn's
// operators (operators.cpp) and the Python package (python/nnn) can name a
// wiring with its sizes in every call.
//
//   [1 (the code's version), N, D_in, D_out, hidden activation, output
//    activation (nnn/core/activation.h's enum order), output cell, |I|,
//    the input cells I..., hidden width of each cell (N)..., A (N x N, row
//    by row)...]
//
// Perceptron cells only, no dropout: the direct path's network.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nnn/core/network.h"

namespace nnn {

/// The code of `options` (its steps and dropout are not part of it);
/// nnn::Error when a cell is not a perceptron or dropout is on.
std::vector<int64_t> encode_network(const NNNOptions& options);

/// The options a code names, with `steps` thinking steps. Every number is
/// checked and bounded before anything is allocated (N <= 1024, widths and
/// channels <= 2^20, D_in <= 2^24, at most 2^31 parameters) and the wiring
/// by Wiring's own rules; nnn::Error naming the entry otherwise.
NNNOptions decode_network(const std::vector<int64_t>& code, int64_t steps);

/// Entry `index` of activation_names() (the code's activations), or
/// nnn::Error naming `what` and the range.
Activation activation_of(int64_t index, const std::string& what);

/// The wiring part of a code from an adjacency matrix given row by row
/// (N x N entries), input cells and output cell, checked by Wiring.
Wiring wiring_from(const std::vector<int64_t>& adjacency, const std::vector<int64_t>& inputs,
                   int64_t output);

}  // namespace nnn
