// Experiment YAML -> structs, with located errors for every key.
#include "nnn/config/experiment_config.h"

#include <sstream>

#include "nnn/config/yaml_reader.h"

namespace nnn {

namespace {

Activation read_activation(MapReader& map, const std::string& key, Activation fallback) {
  const std::string name = map.get_choice(key, activation_names(), to_string(fallback));
  return parse_activation(name);
}

Wiring read_wiring(MapReader map) {
  const std::vector<std::string> generators = {"adjacency", "chain", "layered", "fully_connected",
                                               "random"};
  if (!map.has("generator") && !map.has("adjacency")) {
    map.fail("",
             "give either 'adjacency' (with optional 'inputs', 'output') or 'generator' "
             "(chain, layered, fully_connected, random) with its parameters");
  }
  if (!map.has("generator") && !map.has("adjacency")) {
    map.fail("",
             "give either 'adjacency' (with optional 'inputs', 'output') or 'generator' "
             "(chain, layered, fully_connected, random) with its parameters");
  }
  const std::string generator = map.get_choice("generator", generators, "adjacency");
  // Wiring's own checks name rows and cells; put the file position in front.
  auto located = [&](auto make) -> Wiring {
    try {
      return make();
    } catch (const Error& e) {
      throw Error(location(map.file(), map.node()) + ": " + e.what());
    }
  };
  Wiring wiring = Wiring(Matrix64{{0}});
  if (generator == "adjacency") {
    auto adjacency = map.get_int_matrix("adjacency");
    auto inputs = map.get_int_or_list("inputs", {0});
    const int64_t rows = static_cast<int64_t>(adjacency.size());
    const int64_t output = map.get_int("output", rows - 1);
    const YAML::Node& node = map.node();
    // Report shape errors at the offending row.
    if (rows == 0) map.fail("adjacency", "the matrix is empty; need at least one cell");
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t width = static_cast<int64_t>(adjacency[r].size());
      if (width != rows) {
        throw Error(location(map.file(), node["adjacency"][r]) + ": " + map.key_path("adjacency") +
                    ": row " + std::to_string(r) + " has " + std::to_string(width) +
                    " entries but the matrix has " + std::to_string(rows) +
                    " rows; it must be square");
      }
      for (int64_t c = 0; c < rows; ++c) {
        if (adjacency[r][c] < 0) {
          throw Error(location(map.file(), node["adjacency"][r][c]) + ": " +
                      map.key_path("adjacency") + ": entry [" + std::to_string(r) + "][" +
                      std::to_string(c) + "] is " + std::to_string(adjacency[r][c]) +
                      "; channel counts must be >= 0");
        }
      }
    }
    for (int64_t cell : inputs) {
      if (cell < 0 || cell >= rows) {
        map.fail("inputs", "input cell " + std::to_string(cell) + " is out of range [0, " +
                               std::to_string(rows) + ")");
      }
    }
    if (output < 0 || output >= rows) {
      map.fail("output", "output cell " + std::to_string(output) + " is out of range [0, " +
                             std::to_string(rows) + ")");
    }
    wiring = located([&] { return Wiring(adjacency, inputs, output); });
  } else if (generator == "chain") {
    const int64_t n = map.get_int("n");
    const int64_t channels = map.get_int("channels");
    wiring = located([&] { return chain(n, channels); });
  } else if (generator == "layered") {
    const auto layers = map.get_int_list("layers");
    const int64_t channels = map.get_int("channels");
    const bool feedback = map.get_bool("feedback", false);
    wiring = located([&] { return layered(layers, channels, feedback); });
  } else if (generator == "fully_connected") {
    const int64_t n = map.get_int("n");
    const int64_t channels = map.get_int("channels");
    const bool self_loops = map.get_bool("self_loops", false);
    wiring = located([&] { return fully_connected(n, channels, self_loops); });
  } else if (generator == "random") {
    const int64_t n = map.get_int("n");
    const double density = map.get_double("density");
    const int64_t channels = map.get_int("channels");
    const auto seed = static_cast<uint64_t>(map.get_int("seed", 0));
    wiring = located([&] { return random_wiring(n, density, channels, seed); });
  }
  map.finish();
  return wiring;
}

ModelConfig read_model(MapReader map) {
  ModelConfig model;
  model.input_size = map.get_int("input_size");
  model.output_size = map.get_int("output_size");
  model.steps = map.get_int("steps");
  model.hidden = map.get_int_or_list("hidden", {32});
  model.hidden_activation = read_activation(map, "hidden_activation", Activation::kReLU);
  model.output_activation = read_activation(map, "output_activation", Activation::kLogSigmoid);
  if (model.input_size < 1)
    map.fail("input_size", "must be >= 1, found " + std::to_string(model.input_size));
  if (model.output_size < 1)
    map.fail("output_size", "must be >= 1, found " + std::to_string(model.output_size));
  if (model.steps < 1) map.fail("steps", "must be >= 1, found " + std::to_string(model.steps));
  for (int64_t h : model.hidden) {
    if (h < 1) map.fail("hidden", "every hidden size must be >= 1, found " + std::to_string(h));
  }
  model.wiring = read_wiring(map.child("wiring"));
  const int64_t n = model.wiring.size();
  if (model.hidden.size() != 1 && static_cast<int64_t>(model.hidden.size()) != n) {
    map.fail("hidden", "has " + std::to_string(model.hidden.size()) +
                           " values but the wiring has " + std::to_string(n) +
                           " cells; give one value or " + std::to_string(n));
  }
  try {
    model.wiring.validate(model.input_size, model.output_size, model.steps);
  } catch (const Error& e) {
    const std::string message = e.what();
    // The step rule is about model.steps; the others about the wiring.
    const bool about_steps = message.rfind("model.steps", 0) == 0;
    const YAML::Node& node = map.node();
    throw Error(location(map.file(), about_steps ? node["steps"] : node["wiring"]) + ": " +
                message);
  }
  map.finish();
  return model;
}

DataConfig read_data(MapReader map) {
  DataConfig data;
  data.dataset = map.get_choice("dataset", {"spiral"}, "spiral");
  data.classes = map.get_int("classes", data.classes);
  data.train_per_class = map.get_int("train_per_class", data.train_per_class);
  data.test_per_class = map.get_int("test_per_class", data.test_per_class);
  data.noise = map.get_double("noise", data.noise);
  if (data.classes < 2)
    map.fail("classes", "need at least 2 classes, found " + std::to_string(data.classes));
  if (data.train_per_class < 1) map.fail("train_per_class", "must be >= 1");
  if (data.test_per_class < 0) map.fail("test_per_class", "must be >= 0");
  if (data.noise < 0) map.fail("noise", "must be >= 0");
  map.finish();
  return data;
}

TrainConfig read_train(MapReader map) {
  TrainConfig train;
  train.epochs = map.get_int("epochs", train.epochs);
  train.batch_size = map.get_int("batch_size", train.batch_size);
  train.optimizer = map.get_choice("optimizer", {"adam", "sgd"}, train.optimizer);
  train.lr = map.get_double("lr", train.lr);
  train.momentum = map.get_double("momentum", train.momentum);
  train.weight_decay = map.get_double("weight_decay", train.weight_decay);
  if (train.epochs < 1) map.fail("epochs", "must be >= 1, found " + std::to_string(train.epochs));
  if (train.batch_size < 1)
    map.fail("batch_size", "must be >= 1, found " + std::to_string(train.batch_size));
  if (!(train.lr > 0)) map.fail("lr", "must be > 0");
  if (train.momentum < 0 || train.momentum >= 1) map.fail("momentum", "must be in [0, 1)");
  if (train.weight_decay < 0) map.fail("weight_decay", "must be >= 0");
  map.finish();
  return train;
}

LossConfig read_loss(MapReader map) {
  LossConfig loss;
  loss.steps = map.get_choice("steps", {"last", "all"}, loss.steps);
  map.finish();
  return loss;
}

}  // namespace

ExperimentConfig parse_experiment(const std::string& text, const std::string& file) {
  MapReader top(parse_yaml(text, file), "", file);
  ExperimentConfig config;
  config.file = file;
  config.name = top.get_string("name", config.name);
  const int64_t seed = top.get_int("seed", 0);
  if (seed < 0) top.fail("seed", "must be >= 0, found " + std::to_string(seed));
  config.seed = static_cast<uint64_t>(seed);
  config.device = top.get_string("device", config.device);
  config.threads = top.get_int("threads", config.threads);
  if (config.threads < 0) top.fail("threads", "must be >= 0 (0: all cores)");
  config.model = read_model(top.child("model"));
  if (top.has_known("data")) config.data = read_data(top.child("data"));
  if (top.has_known("train")) config.train = read_train(top.child("train"));
  if (top.has_known("loss")) config.loss = read_loss(top.child("loss"));
  top.finish();
  return config;
}

ExperimentConfig load_experiment(const std::string& path) {
  return parse_experiment(read_text_file(path), path);
}

ModelConfig parse_model(const std::string& text, const std::string& file) {
  return read_model(MapReader(parse_yaml(text, file), "model", file));
}

std::string wiring_to_yaml(const Wiring& wiring) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "adjacency" << YAML::Value << YAML::BeginSeq;
  for (const auto& row : wiring.adjacency()) out << YAML::Flow << row;
  out << YAML::EndSeq;
  out << YAML::Key << "inputs" << YAML::Value << YAML::Flow << wiring.inputs();
  out << YAML::Key << "output" << YAML::Value << wiring.output() << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

Wiring wiring_from_yaml(const std::string& text, const std::string& file) {
  return read_wiring(MapReader(parse_yaml(text, file), "wiring", file));
}

}  // namespace nnn
