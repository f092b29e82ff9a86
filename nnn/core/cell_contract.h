// The cell contract: what every cell type does, and the registry that lets a
// YAML experiment name a type (`model.cell: NAME`, for all cells or one per
// cell) and an experiment app add its own.
//
// A cell type is a torch::nn::Module that also implements CellContract:
//   - forward(u): u [B, I] -> message [B, O]. u holds x first (input cells),
//     then the channels from cells 0..N-1 in ascending order; the output's
//     first D_out units are the prediction (output cell), then the channels
//     to cells 0..N-1 in ascending order (NNN-SPEC "Wiring").
//   - reset_parameters(): (re-)initialises every parameter (called by
//     NNN::reset_parameters()).
//   - it derives from torch::nn::Cloneable<Impl> so that NNN::clone() works,
//     and registers its parameters with register_parameter (their names
//     become checkpoint keys: cells.<i>.<name>).
//
// Dimension key: B batch, I in_dim, H hidden, O out_dim.
#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "nnn/core/cell_types.h"

namespace nnn {

class CellContract {
 public:
  virtual ~CellContract() = default;
  // u: [B, I] -> [B, O]
  virtual torch::Tensor forward(const torch::Tensor& u) = 0;
  /// Initialises every parameter.
  virtual void reset_parameters() = 0;
};

/// Builds a cell for `spec`: a module that implements CellContract.
using CellFactory = std::function<std::shared_ptr<torch::nn::Module>(const CellSpec& spec)>;

/// The factories of nnn's own cell types (perceptron, layer_norm, gru,
/// lstm), which the registry starts with. Defined beside the cells
/// (nnn/core/builtin_cells.cpp), so the registry includes none of them.
std::map<std::string, CellFactory> builtin_cell_factories();

/// Registers a cell type under `name` (letters, digits and '_'); nnn::Error
/// when the name is taken or malformed. Call it before loading a config that
/// names the type. `perceptron` and `layer_norm` come registered.
void register_cell_type(const std::string& name, CellFactory factory);

/// A new cell of type `name`; nnn::Error naming the registered types for an
/// unknown one, or when the factory's module does not implement CellContract
/// or has no parameters.
std::shared_ptr<torch::nn::Module> make_cell(const std::string& name, const CellSpec& spec);

/// The contract side of a cell module; nnn::Error when it has none.
CellContract& as_cell(torch::nn::Module& module);

}  // namespace nnn
