// nnn's network as torch operators (TORCH_LIBRARY(nnn)): the direct path's
// forward, its saving forward and the hand-written backward, and the calls
// the Python package makes around them (a network's sizes, its first
// parameters, wirings, runs and their data). Built as libnnn_ops.so; Python
// loads it with torch.ops.load_library (python/nnn/_ops.py, which also
// registers the fake kernels torch.compile traces with and the autograd
// formula that calls nnn::backward).
//
// Schemas carry a network as its integer code (network_code.h) and the
// parameters as a list, 4 per cell (w1, b1, w2, b2), in the module's order.
// Every nnn::Error becomes a c10::ValueError (Python: ValueError) with
// nnn's message.
#include <ATen/CPUGeneratorImpl.h>
#include <torch/library.h>
#include <torch/types.h>

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "nnn/config/model_options.h"
#include "nnn/core/cell_types.h"
#include "nnn/core/network.h"
#include "nnn/core/network_plan.h"
#include "nnn/core/weights.h"
#include "nnn/data/dataset.h"
#include "nnn/data/degrade.h"
#include "nnn/ops/network_code.h"
#include "nnn/train/loaded_run.h"
#include "nnn/train/run_directory.h"
#include "nnn/train/run_evaluation.h"
#include "nnn/util/error.h"
#include "nnn/util/files.h"

namespace nnn {
namespace {

// nnn's errors as Python's ValueError, other exceptions as they are.
template <typename F>
auto checked(F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const Error& e) {
    TORCH_CHECK_VALUE(false, e.what());
  }
}

// One module per network code, kept for its plan and executors (its own
// parameters are never read): building a plan costs more than a small
// network's pass. At most kKept codes; each module used by one call at a
// time (the executors keep index tensors per device).
struct Kept {
  NNN model{nullptr};
  std::mutex busy;
};

// The options a code names, checked and bounded, with the fewest steps
// they allow (steps are per call).
NNNOptions module_options(const std::vector<int64_t>& code) {
  NNNOptions options = decode_network(code, -1);
  options.steps(options.wiring().distance() + 1);
  return options;
}

std::shared_ptr<Kept> network_for(const std::vector<int64_t>& code) {
  constexpr size_t kKept = 32;
  static std::mutex mutex;
  static std::map<std::vector<int64_t>, std::shared_ptr<Kept>> kept;
  static std::deque<std::vector<int64_t>> order;
  std::lock_guard<std::mutex> lock(mutex);
  auto found = kept.find(code);
  if (found != kept.end()) return found->second;
  const NNNOptions options = module_options(code);
  auto entry = std::make_shared<Kept>();
  {
    // Its initial parameters are drawn and thrown away: without touching
    // the caller's random stream (a first pass must not move it).
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    at::Tensor state;
    {
      std::lock_guard<std::mutex> generator_lock(generator.mutex());
      state = generator.get_state();
    }
    torch::NoGradGuard no_grad;
    entry->model = NNN(options);
    std::lock_guard<std::mutex> generator_lock(generator.mutex());
    generator.set_state(state);
  }
  entry->model->eval();
  if (kept.size() >= kKept) {
    kept.erase(order.front());
    order.pop_front();
  }
  kept.emplace(code, entry);
  order.push_back(code);
  return entry;
}

std::vector<int64_t> to_vector(at::IntArrayRef values) { return {values.begin(), values.end()}; }

// Below autograd a tensor still says whether it requires a gradient, and
// nnn's vectorised loops only take those that do not.
std::vector<at::Tensor> detached(at::TensorList tensors) {
  std::vector<at::Tensor> out;
  out.reserve(tensors.size());
  for (const auto& t : tensors) out.push_back(t.detach());
  return out;
}

at::Tensor forward(const at::Tensor& x, at::TensorList parameters, at::IntArrayRef network,
                   int64_t steps, int64_t from_step) {
  return checked([&] {
    const auto kept = network_for(to_vector(network));
    std::lock_guard<std::mutex> lock(kept->busy);
    return kept->model->forward_saving(detached(parameters), x.detach(), steps, nullptr, from_step);
  });
}

std::tuple<at::Tensor, at::Tensor> forward_saving(const at::Tensor& x, at::TensorList parameters,
                                                  at::IntArrayRef network, int64_t steps,
                                                  int64_t from_step) {
  return checked([&] {
    const auto kept = network_for(to_vector(network));
    std::lock_guard<std::mutex> lock(kept->busy);
    torch::Tensor saved;
    auto predictions =
        kept->model->forward_saving(detached(parameters), x.detach(), steps, &saved, from_step);
    return std::make_tuple(predictions, saved);
  });
}

std::tuple<at::Tensor, at::Tensor> backward(const at::Tensor& d_predictions, const at::Tensor& x,
                                            at::TensorList parameters, const at::Tensor& saved,
                                            at::IntArrayRef network, int64_t steps,
                                            bool input_gradient, int64_t from_step) {
  return checked([&] {
    const auto kept = network_for(to_vector(network));
    std::lock_guard<std::mutex> lock(kept->busy);
    torch::Tensor d_x;
    auto grad = kept->model->backward_saved(detached(parameters), x.detach(), saved.detach(),
                                            d_predictions.detach(), steps,
                                            input_gradient ? &d_x : nullptr, from_step);
    if (!input_gradient) d_x = torch::zeros({0}, x.options());
    return std::make_tuple(d_x, grad);
  });
}

// [P, S, saved width, distance, then per cell: in_dim, hidden, out_dim,
// message offset].
std::vector<int64_t> describe(at::IntArrayRef network) {
  return checked([&] {
    const auto kept = network_for(to_vector(network));
    const NNNImpl& model = *kept->model;
    const NetworkPlan& plan = model.plan();
    std::vector<int64_t> out = {plan.parameter_count, plan.width, model.saved_width(),
                                model.distance()};
    const Wiring& wiring = model.options.wiring();
    for (int64_t c = 0; c < wiring.size(); ++c) {
      out.insert(out.end(), {wiring.in_dim(c, plan.input_size), model.hidden_size(c),
                             wiring.out_dim(c, plan.output_size), plan.message_offset[c]});
    }
    return out;
  });
}

// A fresh module's parameters: nnn's initialisation, from torch's global
// generator (torch.manual_seed), in float32 on the CPU.
std::vector<at::Tensor> initial_parameters(at::IntArrayRef network) {
  return checked([&] {
    NNN model(module_options(to_vector(network)));
    std::vector<at::Tensor> out;
    for (const auto& p : model->parameters()) out.push_back(p.detach().clone());
    return out;
  });
}

std::vector<int64_t> network_code(at::IntArrayRef adjacency, at::IntArrayRef inputs, int64_t output,
                                  int64_t input_size, int64_t output_size, at::IntArrayRef hidden,
                                  int64_t hidden_activation, int64_t output_activation) {
  return checked([&] {
    const Wiring wiring = wiring_from(to_vector(adjacency), to_vector(inputs), output);
    NNN_CHECK(hidden.size() == 1 || static_cast<int64_t>(hidden.size()) == wiring.size(),
              "hidden: ", hidden.size(), " values; expected one, or one per cell (", wiring.size(),
              ")");
    // Encoded as they come (decode_network bounds the sizes), then checked
    // by every rule that needs them.
    const std::vector<int64_t> code = encode_network(
        NNNOptions(wiring, input_size, output_size, 1)
            .hidden(to_vector(hidden))
            .hidden_activation(activation_of(hidden_activation, "the hidden activation"))
            .output_activation(activation_of(output_activation, "the output activation")));
    decode_network(code, -1);
    return code;
  });
}

// A generated wiring as a network code of unit sizes: the one layout
// Python reads (its wiring part).
std::vector<int64_t> wiring_code(const Wiring& wiring) {
  return encode_network(NNNOptions(wiring, 1, 1, 1));
}

int64_t bounded_count(int64_t n, const char* what) {
  NNN_CHECK(n >= 1 && n <= 1024, what, " is ", n, "; expected 1..1024");
  return n;
}

std::vector<int64_t> generate_wiring(const std::string& kind, at::IntArrayRef sizes,
                                     int64_t channels, bool flag, double density, int64_t seed) {
  return checked([&] {
    NNN_CHECK(channels >= 1 && channels <= (int64_t{1} << 20), "channels is ", channels,
              "; expected 1..2^20");
    if (kind == "chain") return wiring_code(chain(bounded_count(sizes.at(0), "n"), channels));
    if (kind == "fully_connected") {
      return wiring_code(fully_connected(bounded_count(sizes.at(0), "n"), channels, flag));
    }
    if (kind == "random") {
      NNN_CHECK(density >= 0 && density <= 1, "density is ", density, "; expected 0..1");
      return wiring_code(random_wiring(bounded_count(sizes.at(0), "n"), density, channels,
                                       static_cast<uint64_t>(seed)));
    }
    NNN_CHECK(kind == "layered", "wiring generator ", quoted(kind),
              ": expected chain, layered, fully_connected or random");
    int64_t total = 0;
    for (int64_t layer : sizes) total += bounded_count(layer, "a layer's cells");
    bounded_count(total, "the number of cells");
    return wiring_code(layered(to_vector(sizes), channels, flag));
  });
}

std::string dot(at::IntArrayRef network) {
  return checked([&] {
    const NNNOptions options = decode_network(to_vector(network), -1);
    return to_dot(options.wiring(), options.input_size(), options.output_size(), options.hidden());
  });
}

std::vector<std::string> activations() { return activation_names(); }

// A run's network code, steps and parameters (weights.pt, or the
// checkpoint's model), on the CPU.
std::tuple<std::vector<int64_t>, int64_t, std::vector<at::Tensor>> load_run_op(
    const std::string& path) {
  return checked([&] {
    const LoadedRun run = load_run(path, DeviceSetting::cpu());
    std::vector<at::Tensor> parameters;
    for (const auto& p : run.model->parameters()) parameters.push_back(p.detach());
    // Dropout is a training setting; a run trained with it evaluates
    // without (as nnn eval does).
    NNNOptions options = run.model->options;
    options.dropout(0);
    return std::make_tuple(encode_network(options), options.steps(), parameters);
  });
}

// The samples `nnn eval RUN --data SPLIT` scores, as the model reads them
// ([N, D_in], or frames [F, N, D_in]) and their labels [N].
std::tuple<at::Tensor, at::Tensor> load_data_op(const std::string& path, const std::string& split) {
  return checked([&] {
    const RunDirectory run(path);
    run.check_is_run();
    const ExperimentConfig config = load_experiment(run.config());
    const Dataset set = evaluation_set(config, EvaluationData::parse(split));
    const at::Tensor inputs = set.frames.defined() ? feed_frames(set.frames, set.feed) : set.inputs;
    return std::make_tuple(inputs, set.labels);
  });
}

// A new run directory `path` that nnn's commands read: the experiment file
// `config` with its model section replaced by the network's, and the
// parameters as weights.pt.
void save_run_op(const std::string& path, at::IntArrayRef network, int64_t steps,
                 at::TensorList parameters, const std::string& config) {
  checked([&] {
    ExperimentConfig experiment = load_experiment(config_file_of(config));
    const NNNOptions options = decode_network(to_vector(network), steps);
    ModelConfig& model = experiment.model;
    model.wiring = options.wiring();
    model.wiring_origin.clear();
    model.input_size = options.input_size();
    model.output_size = options.output_size();
    model.steps = steps;
    model.hidden = options.hidden();
    model.hidden_activation = options.hidden_activation();
    model.output_activation = options.output_activation();
    model.cell = {kPerceptronCell};
    model.dropout = 0;
    NNN module(options);
    NNN_CHECK(static_cast<int64_t>(parameters.size()) == 4 * options.wiring().size(),
              "save_run: ", parameters.size(), " parameter tensors; the network has ",
              4 * options.wiring().size());
    {
      torch::NoGradGuard no_grad;
      auto own = module->parameters();
      for (size_t i = 0; i < own.size(); ++i) {
        NNN_CHECK(parameters[i].sizes() == own[i].sizes(), "save_run: parameter ", i, " has shape ",
                  parameters[i].sizes(), "; expected ", own[i].sizes());
        own[i].copy_(parameters[i].detach().to(torch::kCPU, torch::kFloat));
      }
    }
    const RunDirectory run(path);
    run.create_for_new_run();
    write_file_atomically(run.config(), experiment_to_yaml(experiment));
    save_weights(*module, run.weights());
    return 0;
  });
}

}  // namespace
}  // namespace nnn

TORCH_LIBRARY(nnn, m) {
  // from_step: the predictions of steps from_step..T only; what cannot
  // reach them is not computed (1: every step's).
  m.def(
      "forward(Tensor x, Tensor[] parameters, int[] network, int steps, int from_step) -> "
      "Tensor");
  m.def(
      "forward_saving(Tensor x, Tensor[] parameters, int[] network, int steps, int from_step) "
      "-> (Tensor, Tensor)");
  m.def(
      "backward(Tensor d_predictions, Tensor x, Tensor[] parameters, Tensor saved, int[] network, "
      "int steps, bool input_gradient, int from_step) -> (Tensor, Tensor)");
  m.def("describe(int[] network) -> int[]", &nnn::describe);
  m.def("initial_parameters(int[] network) -> Tensor[]", &nnn::initial_parameters);
  m.def(
      "network_code(int[] adjacency, int[] inputs, int output, int input_size, int output_size, "
      "int[] hidden, int hidden_activation, int output_activation) -> int[]",
      &nnn::network_code);
  m.def(
      "generate_wiring(str kind, int[] sizes, int channels, bool flag, float density, int seed) "
      "-> int[]",
      &nnn::generate_wiring);
  m.def("dot(int[] network) -> str", &nnn::dot);
  m.def("activations() -> str[]", &nnn::activations);
  m.def("load_run(str path) -> (int[], int, Tensor[])", &nnn::load_run_op);
  m.def("load_data(str path, str split) -> (Tensor, Tensor)", &nnn::load_data_op);
  m.def("save_run(str path, int[] network, int steps, Tensor[] parameters, str config) -> ()",
        &nnn::save_run_op);
}

// The passes on real tensors of either device; torch.compile's fake
// kernels are Python's (python/nnn/_ops.py), and so is the autograd formula
// of forward_saving. forward and backward record no gradient (their
// outputs do not require one): forward is the pass without saving, and
// nnn's backward has no backward of its own.
TORCH_LIBRARY_IMPL(nnn, CPU, m) {
  m.impl("forward", &nnn::forward);
  m.impl("forward_saving", &nnn::forward_saving);
  m.impl("backward", &nnn::backward);
}
TORCH_LIBRARY_IMPL(nnn, CUDA, m) {
  m.impl("forward", &nnn::forward);
  m.impl("forward_saving", &nnn::forward_saving);
  m.impl("backward", &nnn::backward);
}
TORCH_LIBRARY_IMPL(nnn, Autograd, m) {
  m.impl("forward", torch::CppFunction::makeFallthrough());
  m.impl("backward", torch::CppFunction::makeFallthrough());
}
