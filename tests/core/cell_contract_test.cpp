// The cell contract: the generic per-cell path equals the fast grouped path
// for the spec's cell (forward and gradients), the layer-normalised cell's
// gradients pass a finite-difference check, user-registered cells plug in by
// name, and the registry's errors are clear.
#include "nnn/core/cell_contract.h"

#include <gtest/gtest.h>

#include <torch/torch.h>
#include <array>

#include "nnn/config/experiment_config.h"
#include "nnn/config/model_options.h"
#include "nnn/core/layer_norm_cell.h"
#include "nnn/core/network.h"
#include "nnn/train/trainer.h"
#include "nnn/util/random.h"
#include "tests/core/reference_nnn.h"
#include "tests/test_util.h"

namespace nnn {
namespace {

using testing::expect_error;

Wiring random_case(Rng& rng, int trial) {
  return testing::random_test_wiring(rng, 5, 300 + static_cast<uint64_t>(trial));
}

void copy_parameters(torch::nn::Module& from, torch::nn::Module& to) {
  torch::NoGradGuard no_grad;
  auto source = from.named_parameters();
  for (auto& item : to.named_parameters()) item.value().copy_(source[item.key()]);
}

TEST(CellContract, GenericPathEqualsFastPathForThePerceptron) {
  torch::manual_seed(11);
  Rng rng(12);
  for (int trial = 0; trial < 8; ++trial) {
    const Wiring wiring = random_case(rng, trial);
    const int64_t steps = wiring.distance() + 2;
    const auto options = NNNOptions(wiring, 5, 3, steps)
                             .hidden({4})
                             .hidden_activation(trial % 2 ? Activation::kTanh : Activation::kReLU);
    NNN fast(options);
    NNN generic(NNNOptions(options).generic_path(true));
    copy_parameters(*fast, *generic);  // same weights
    ASSERT_TRUE(fast->fast_path());
    ASSERT_FALSE(generic->fast_path());
    for (const auto& x : {torch::randn({6, 5}), torch::randn({3, 6, 5})}) {
      const auto weights = torch::randn({steps, 6, 3});
      const auto yf = fast->forward(x);
      const auto yg = generic->forward(x);
      EXPECT_TRUE(torch::allclose(yf, yg, 1e-5, 1e-5)) << "trial " << trial;
      const auto gf = flat_gradient((yf * weights).sum(), fast->parameters());
      const auto gg = flat_gradient((yg * weights).sum(), generic->parameters());
      EXPECT_TRUE(torch::allclose(gf, gg, 1e-5, 1e-5))
          << "trial " << trial << " max diff " << (gf - gg).abs().max().item<float>();
      // Traces agree too: the same message-buffer layout.
      const auto tf = fast->trace(x);
      const auto tg = generic->trace(x);
      for (size_t c = 0; c < tf.messages.size(); ++c) {
        EXPECT_TRUE(torch::allclose(tf.messages[c], tg.messages[c], 1e-5, 1e-5));
      }
    }
  }
}

// Central differences in double through the unrolled steps of a network of
// layer-normalised cells (and one perceptron: types can be mixed).
TEST(CellContract, LayerNormCellGradientsMatchFiniteDifferences) {
  torch::manual_seed(5);
  const Wiring wiring({{1, 2, 0}, {0, 0, 2}, {1, 1, 0}}, {0}, 2);
  NNN model(NNNOptions(wiring, 3, 2, 4)
                .hidden({5})
                .hidden_activation(Activation::kTanh)
                .cell_types({"layer_norm", "perceptron", "layer_norm"}));
  model->to(torch::kDouble);
  EXPECT_FALSE(model->fast_path());
  EXPECT_EQ(model->named_parameters().keys(),
            (std::vector<std::string>{"cells.0.w1", "cells.0.b1", "cells.0.gain", "cells.0.bias",
                                      "cells.0.w2", "cells.0.b2", "cells.1.w1", "cells.1.b1",
                                      "cells.1.w2", "cells.1.b2", "cells.2.w1", "cells.2.b1",
                                      "cells.2.gain", "cells.2.bias", "cells.2.w2", "cells.2.b2"}));
  {  // non-trivial gains and biases
    torch::NoGradGuard no_grad;
    for (auto& p : model->parameters()) p.add_(0.1 * torch::randn_like(p));
  }
  const auto x = torch::randn({2, 3, 3}, torch::kDouble);
  const auto weights = torch::randn({4, 3, 2}, torch::kDouble);
  auto objective = [&] { return (model->forward(x) * weights).sum(); };
  const auto analytic = flat_gradient(objective(), model->parameters());
  std::vector<double> numeric;
  torch::NoGradGuard no_grad;
  for (auto& p : model->parameters()) {
    auto flat = p.view({-1});
    for (int64_t i = 0; i < flat.numel(); ++i) {
      const double original = flat[i].item<double>();
      const double h = 1e-6;
      flat[i] = original + h;
      const double up = objective().item<double>();
      flat[i] = original - h;
      const double down = objective().item<double>();
      flat[i] = original;
      numeric.push_back((up - down) / (2 * h));
    }
  }
  const auto expected = torch::tensor(numeric, torch::kDouble);
  EXPECT_TRUE(torch::allclose(analytic, expected, 1e-5, 1e-6))
      << "max diff " << (analytic - expected).abs().max().item<double>();
}

// A user's cell: the output is a scaled tanh of one linear map.
class TanhCellImpl : public torch::nn::Cloneable<TanhCellImpl>, public CellContract {
 public:
  explicit TanhCellImpl(const CellSpec& spec) : spec_(spec) { reset(); }
  void reset() override {
    w = register_parameter("w", torch::empty({spec_.in_dim, spec_.out_dim}));
    reset_parameters();
  }
  void reset_parameters() override {
    torch::NoGradGuard no_grad;
    w.normal_().div_(std::sqrt(static_cast<double>(spec_.in_dim)));
  }
  torch::Tensor forward(const torch::Tensor& u) override { return torch::tanh(u.matmul(w)); }
  torch::Tensor w;

 private:
  CellSpec spec_;
};
TORCH_MODULE(TanhCell);

TEST(CellContract, UserCellsRegisterAndPlugIn) {
  if (!has_cell_type("test_tanh")) {
    register_cell_type("test_tanh", [](const CellSpec& s) { return TanhCell(s).ptr(); });
  }
  expect_error(
      [] { register_cell_type("test_tanh", [](const CellSpec& s) { return TanhCell(s).ptr(); }); },
      "cell type 'test_tanh' is already registered");
  expect_error([] { register_cell_type("bad name", nullptr); }, "use letters, digits and '_'");
  const auto names = cell_type_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "layer_norm"), names.end());

  // From YAML: one type per cell, checked against the registry.
  const std::string yaml = R"(
model:
  input_size: 4
  output_size: 2
  steps: 3
  hidden: 6
  cell: [test_tanh, perceptron]
  wiring: {adjacency: [[1, 2], [1, 0]]}
)";
  const ExperimentConfig config = parse_experiment(yaml, "cells.yaml");
  EXPECT_EQ(config.model.cell, (std::vector<std::string>{"test_tanh", "perceptron"}));
  NNN model(to_options(config.model));
  EXPECT_EQ(model->named_parameters()["cells.0.w"].sizes(), (std::vector<int64_t>{4 + 1 + 1, 3}));
  EXPECT_EQ(config.model.parameter_count(), model->parameter_count());
  EXPECT_EQ(model->forward(torch::randn({5, 4})).sizes(), (std::vector<int64_t>{3, 5, 2}));
  // The resolved config names the types and reads back to the same model.
  const auto back = parse_experiment(experiment_to_yaml(config), "resolved.yaml");
  EXPECT_EQ(back.model.cell, config.model.cell);

  expect_error([&] { parse_experiment(yaml + "  extra: 1\n", "c.yaml"); }, "unknown key");
  std::string typo = yaml;
  typo.replace(typo.find("[test_tanh, perceptron]"), 23, "[test_tanh, perceptorn]");
  expect_error([&] { parse_experiment(typo, "typo.yaml"); },
               "typo.yaml:7:21: model.cell: 'perceptorn' is not one of");
  expect_error([&] { parse_experiment(typo, "typo.yaml"); }, "did you mean 'perceptron'?");
  std::string three = yaml;
  three.replace(three.find("[test_tanh, perceptron]"), 23, "[layer_norm, layer_norm, layer_norm]");
  expect_error([&] { parse_experiment(three, "three.yaml"); },
               "has 3 types but the wiring has 2 cells");
  expect_error([] { make_cell("no_such_cell", CellSpec{}); },
               "cell type 'no_such_cell' is not registered; known: ");
}

TEST(CellContract, PerceptronHandleOnlyForPerceptrons) {
  NNN model(NNNOptions(Wiring(Matrix64{{0}}), 3, 2, 1).cell_types({"layer_norm"}));
  expect_error([&] { model->cell(0); }, "cell 0 is a 'layer_norm' cell, not a perceptron");
  EXPECT_NE(std::dynamic_pointer_cast<LayerNormCellImpl>(model->cell_module(0)), nullptr);
  // Clones compute what the original computes (cells are read from the list).
  auto clone = std::dynamic_pointer_cast<NNNImpl>(model->clone());
  const auto x = torch::randn({4, 3});
  EXPECT_TRUE(torch::equal(clone->forward(x), model->forward(x)));
}

// The config layer counts the built-in cells' parameters without LibTorch:
// the counts must be those of the modules the network builds.
TEST(CellContract, BuiltinParameterCountsMatchTheModules) {
  for (const std::string& name : builtin_cell_type_names()) {
    EXPECT_TRUE(has_cell_type(name)) << name;
    for (const auto& dims :
         std::vector<std::array<int64_t, 3>>{{3, 1, 3}, {17, 5, 13}, {60, 16, 40}}) {
      CellSpec spec;
      spec.in_dim = dims[0];
      spec.hidden = dims[1];
      spec.out_dim = dims[2];
      int64_t built = 0;
      for (const auto& p : make_cell(name, spec)->parameters()) built += p.numel();
      EXPECT_EQ(builtin_cell_parameter_count(name, spec), built) << name;
      EXPECT_EQ(cell_parameter_count(name, spec), built) << name;
    }
  }
  EXPECT_EQ(builtin_cell_parameter_count("test_tanh", CellSpec{}), -1);
}

// The GRU and LSTM cells compute what PyTorch's GRUCell and LSTMCell do with
// the same weights, and carry the state on the self-loop's channels.
TEST(RecurrentCells, EqualTorchsCellsAndCarryTheirState) {
  torch::manual_seed(12);
  const int64_t x_width = 7, hidden = 5, readout = 3, batch = 4;
  for (const std::string name : {"gru", "lstm"}) {
    const bool gru = name == "gru";
    const int64_t state = gru ? hidden : 2 * hidden;
    CellSpec spec;
    spec.in_dim = x_width + state;
    spec.hidden = hidden;
    spec.out_dim = readout + state;
    auto module = make_cell(name, spec);
    auto& cell = as_cell(*module);
    const auto params = module->named_parameters();
    const auto x = torch::randn({batch, x_width});
    const auto h = torch::randn({batch, hidden});
    const auto c = torch::randn({batch, hidden});
    const auto u = torch::cat({x, gru ? h : torch::cat({h, c}, 1)}, 1);
    const auto out = cell.forward(u);
    ASSERT_EQ(out.sizes(), (std::vector<int64_t>{batch, readout + state}));
    // PyTorch's cell with this cell's weights (PyTorch stores them transposed).
    const auto with_weights = [&](auto reference) {
      torch::NoGradGuard no_grad;
      reference->weight_ih.copy_(params["w_ih"].t());
      reference->weight_hh.copy_(params["w_hh"].t());
      reference->bias_ih.copy_(params["b_ih"]);
      reference->bias_hh.copy_(params["b_hh"]);
      return reference;
    };
    torch::Tensor h_next, c_next;
    torch::NoGradGuard no_grad;
    if (gru) {
      h_next = with_weights(torch::nn::GRUCell(torch::nn::GRUCellOptions(x_width, hidden)))
                   ->forward(x, h);
    } else {
      std::tie(h_next, c_next) =
          with_weights(torch::nn::LSTMCell(torch::nn::LSTMCellOptions(x_width, hidden)))
              ->forward(x, std::make_tuple(h, c));
    }
    EXPECT_TRUE(torch::allclose(out.narrow(1, readout, hidden), h_next, 1e-5, 1e-6)) << name;
    if (!gru) {
      EXPECT_TRUE(torch::allclose(out.narrow(1, readout + hidden, hidden), c_next, 1e-5, 1e-6));
    }
    const auto read = torch::addmm(params["b_out"], h_next, params["w_out"]);
    EXPECT_TRUE(torch::allclose(out.narrow(1, 0, readout), read, 1e-5, 1e-6)) << name;
    // In a one-cell network the state is the self-loop: step 2 reads step 1's.
    NNN model(NNNOptions(Wiring(Matrix64{{state}}), x_width, readout, 3)
                  .hidden({hidden})
                  .cell_types({name}));
    EXPECT_FALSE(model->manual_backward());
    const auto y = model->forward(torch::randn({2, x_width}));
    EXPECT_FALSE(torch::allclose(y[0], y[1])) << name;
  }
  expect_error(
      [] { NNN(NNNOptions(Wiring(Matrix64{{0}}), 4, 2, 1).hidden({3}).cell_types({"gru"})); },
      "cell 0 is a gru cell with hidden 3: it keeps its state of 3 channels on its "
      "self-loop");
}

}  // namespace
}  // namespace nnn
