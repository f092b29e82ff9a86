// nnn's torch operators (nnn/ops) through the dispatcher, as Python and
// TorchScript call them: the network code round trip and its bounds, the
// passes against the module's, the backward against autograd, errors as
// c10::ValueError with nnn's message, and runs saved and loaded back.
#include <ATen/core/dispatch/Dispatcher.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>

#include "nnn/core/network.h"
#include "nnn/ops/network_code.h"
#include "nnn/util/error.h"
#include "tests/test_util.h"

namespace nnn {
namespace {

c10::OperatorHandle op(const char* name) {
  return c10::Dispatcher::singleton().findSchemaOrThrow(name, "");
}

NNNOptions two_input_options() {
  const Wiring wiring({{1, 2, 0}, {0, 0, 3}, {1, 0, 1}}, {0, 1}, 2);
  return NNNOptions(wiring, 4, 3, 4).hidden({5, 6, 4}).hidden_activation(Activation::kTanh);
}

TEST(NetworkCode, RoundTripsAndBoundsEveryEntry) {
  const NNNOptions options = two_input_options();
  const std::vector<int64_t> code = encode_network(options);
  const NNNOptions back = decode_network(code, 4);
  EXPECT_EQ(back.wiring(), options.wiring());
  EXPECT_EQ(back.hidden(), options.hidden());
  EXPECT_EQ(back.hidden_activation(), Activation::kTanh);
  EXPECT_EQ(encode_network(back), code);
  auto with = [&](size_t at, int64_t value) {
    auto changed = code;
    changed[at] = value;
    return changed;
  };
  testing::expect_error([&] { decode_network(with(0, 7), 4); }, "version 7; expected 1");
  testing::expect_error([&] { decode_network(with(1, 100000), 4); }, "N (cells) is 100000");
  testing::expect_error([&] { decode_network(with(2, 0), 4); }, "D_in is 0; expected 1..");
  testing::expect_error([&] { decode_network(with(4, 9), 4); }, "the hidden activation is 9");
  testing::expect_error([&] { decode_network(with(10, -1), 4); }, "hidden width of cell 0 is -1");
  testing::expect_error([&] { decode_network(with(13, -2), 4); }, "A[0][0] (channels) is -2");
  testing::expect_error([&] { decode_network({1, 3, 4}, 4); }, "3 entries; a code has at least 8");
  auto shorter = code;
  shorter.pop_back();
  testing::expect_error([&] { decode_network(shorter, 4); }, "entries; 3 cells with 2 inputs need");
  auto huge = with(10, 1 << 20);  // cell 0: hidden 2^20 ...
  huge[13] = 1 << 20;             // ... and 2^20 channels to itself
  testing::expect_error([&] { decode_network(huge, 4); }, "parameters; at most 2^31");
  testing::expect_error([&] { decode_network(code, 1); }, "steps");
  testing::expect_error([&] { encode_network(NNNOptions(options).dropout(0.1)); },
                        "nnn's operators train without dropout");
}

TEST(Operators, PassesEqualTheModulesAndBackwardEqualsAutograd) {
  torch::manual_seed(3);
  NNN model(two_input_options());
  model->to(torch::kDouble);
  const auto code = encode_network(model->options);
  const auto x = torch::randn({2, 7, 4}, torch::kDouble);
  const auto parameters = model->parameters();
  const auto forward = op("nnn::forward")
                           .typed<at::Tensor(const at::Tensor&, at::TensorList, at::IntArrayRef,
                                             int64_t, int64_t)>();
  at::Tensor expected;
  {
    torch::NoGradGuard no_grad;
    expected = model->forward(x);
  }
  EXPECT_TRUE(torch::allclose(forward.call(x, parameters, code, 4, 1), expected, 1e-12, 1e-12));
  const auto saving =
      op("nnn::forward_saving")
          .typed<std::tuple<at::Tensor, at::Tensor>(const at::Tensor&, at::TensorList,
                                                    at::IntArrayRef, int64_t, int64_t)>();
  const auto [predictions, saved] = saving.call(x, parameters, code, 4, 1);
  EXPECT_TRUE(torch::allclose(predictions, expected, 1e-12, 1e-12));
  const auto backward = op("nnn::backward")
                            .typed<std::tuple<at::Tensor, at::Tensor>(
                                const at::Tensor&, const at::Tensor&, at::TensorList,
                                const at::Tensor&, at::IntArrayRef, int64_t, bool, int64_t)>();
  const auto weights = torch::randn({4, 7, 3}, torch::kDouble);
  const auto [d_x, grad] = backward.call(weights, x, parameters, saved, code, 4, true, 1);
  const auto xr = x.clone().requires_grad_(true);
  std::vector<torch::Tensor> inputs = {xr};
  for (const auto& p : parameters) inputs.push_back(p);
  const auto grads = torch::autograd::grad({(model->forward(xr) * weights).sum()}, inputs);
  EXPECT_TRUE(torch::allclose(d_x, grads[0], 1e-10, 1e-12));
  std::vector<torch::Tensor> flat;
  for (size_t i = 1; i < grads.size(); ++i) flat.push_back(grads[i].reshape({-1}));
  EXPECT_TRUE(torch::allclose(grad, torch::cat(flat), 1e-10, 1e-12));
  const auto [none, again] = backward.call(weights, x, parameters, saved, code, 4, false, 1);
  EXPECT_EQ(none.numel(), 0);
  EXPECT_TRUE(torch::equal(again, grad));

  // nnn's messages as ValueError.
  try {
    forward.call(torch::randn({7, 5}, torch::kDouble), parameters, code, 4, 1);
    FAIL() << "no error";
  } catch (const c10::ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("x has 5 features"), std::string::npos) << e.what();
  }
  auto bad = code;
  bad[1] = 0;
  EXPECT_THROW(forward.call(x, parameters, bad, 4, 1), c10::ValueError);
}

TEST(Operators, DescribeAndWirings) {
  const auto code = encode_network(two_input_options());
  const auto describe = op("nnn::describe").typed<std::vector<int64_t>(at::IntArrayRef)>();
  NNN model(two_input_options());
  const auto info = describe.call(code);
  ASSERT_EQ(info.size(), 4u + 4u * 3u);
  EXPECT_EQ(info[0], model->parameter_count());
  EXPECT_EQ(info[2], model->saved_width());
  EXPECT_EQ(info[3], model->distance());
  EXPECT_EQ(info[4 + 4 * 2 + 0], model->options.wiring().in_dim(2, 4));
  const auto generate = op("nnn::generate_wiring")
                            .typed<std::vector<int64_t>(const std::string&, at::IntArrayRef,
                                                        int64_t, bool, double, int64_t)>();
  const auto w = generate.call("layered", std::vector<int64_t>{1, 3, 1}, 16, true, 0.0, 0);
  const Wiring expected = layered({1, 3, 1}, 16, true);
  EXPECT_EQ(decode_network(w, -1).wiring(), expected);
  EXPECT_THROW(generate.call("ring", std::vector<int64_t>{3}, 1, false, 0.0, 0), c10::ValueError);
  EXPECT_THROW(generate.call("chain", std::vector<int64_t>{5000}, 1, false, 0.0, 0),
               c10::ValueError);
}

}  // namespace
}  // namespace nnn
