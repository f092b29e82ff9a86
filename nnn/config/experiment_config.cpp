// Experiment YAML -> structs, with located errors for every key.
#include "nnn/config/experiment_config.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nnn/config/section_fields.h"
#include "nnn/config/yaml_reader.h"
#include "nnn/data/degrade_fields.h"
#include "nnn/util/enum_names.h"
#include "nnn/util/limits.h"

namespace nnn {

const std::vector<std::string>& optimizer_names() {
  static const std::vector<std::string> names = {"sgd", "adam", "adamw"};
  return names;
}
const std::string& to_string(OptimizerKind kind) { return enum_name(optimizer_names(), kind); }

const std::vector<std::string>& schedule_names() {
  static const std::vector<std::string> names = {"constant", "step", "cosine"};
  return names;
}
const std::string& to_string(LrSchedule schedule) { return enum_name(schedule_names(), schedule); }

const std::vector<std::string>& loss_steps_names() {
  static const std::vector<std::string> names = {"last", "all"};
  return names;
}
const std::string& to_string(LossSteps steps) { return enum_name(loss_steps_names(), steps); }

const std::vector<std::string>& backward_mode_names() {
  static const std::vector<std::string> names = {"auto", "manual", "autograd"};
  return names;
}

const std::string& to_string(BackwardMode mode) { return enum_name(backward_mode_names(), mode); }

const std::vector<std::string>& dist_backend_names() {
  static const std::vector<std::string> names = {"auto", "gloo", "nccl"};
  return names;
}
const std::string& to_string(DistBackend backend) {
  return enum_name(dist_backend_names(), backend);
}

namespace {

// An integer key whose value drives an allocation, a loop or a thread
// count: refused outside [lo, hi] with the bound named.
int64_t bounded(MapReader& map, const std::string& key, int64_t value, int64_t lo, int64_t hi) {
  if (value < lo || value > hi) {
    map.fail(key, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]; found " +
                      std::to_string(value));
  }
  return value;
}

// A run name becomes a folder under runs/: a safe file name only.
void check_run_name(MapReader& top, const std::string& name) {
  const bool safe =
      !name.empty() && static_cast<int64_t>(name.size()) <= limits::kMaxNameLength &&
      name.front() != '.' && name.front() != '-' &&
      std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
      });
  if (!safe) {
    top.fail("name", quoted(name) + " is not a safe run name: use 1 to " +
                         std::to_string(limits::kMaxNameLength) +
                         " letters, digits, '_', '-' and '.', not starting with '.' or '-'");
  }
}

// A key whose value is one of an enum's names (`names` in enum order).
template <typename Enum>
Enum read_enum(MapReader& map, const std::string& key, const std::vector<std::string>& names,
               Enum fallback) {
  const std::string word = map.get_choice(key, names, enum_name(names, fallback));
  return enum_from_name<Enum>(names, word, map.key_path(key));
}

Activation read_activation(MapReader& map, const std::string& key, Activation fallback) {
  const std::string name = map.get_choice(key, activation_names(), to_string(fallback));
  return parse_activation(name);
}

Wiring read_wiring(MapReader map, std::string* origin = nullptr) {
  const std::vector<std::string> generators = {"adjacency", "chain", "layered", "fully_connected",
                                               "random"};
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
    if (inputs.empty()) {
      map.fail("inputs", "the list is empty: no cell would read the input; name at least one");
    }
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
        if (adjacency[r][c] > limits::kMaxWidth) {
          throw Error(location(map.file(), node["adjacency"][r][c]) + ": " +
                      map.key_path("adjacency") + ": entry [" + std::to_string(r) + "][" +
                      std::to_string(c) + "] is " + std::to_string(adjacency[r][c]) + "; at most " +
                      std::to_string(limits::kMaxWidth) + " channels per edge");
        }
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
    const int64_t n = bounded(map, "n", map.get_int("n"), 1, limits::kMaxCells);
    const int64_t channels =
        bounded(map, "channels", map.get_int("channels"), 0, limits::kMaxWidth);
    wiring = located([&] { return chain(n, channels); });
    if (origin) *origin = fmt::format("chain(n={}, channels={})", n, channels);
  } else if (generator == "layered") {
    const auto layers = map.get_int_list("layers");
    int64_t cells = 0;
    for (int64_t width : layers) {
      if (width > limits::kMaxCells) {
        map.fail("layers", "a layer of " + std::to_string(width) + " cells; at most " +
                               std::to_string(limits::kMaxCells));
      }
      cells += std::max<int64_t>(width, 0);
    }
    if (cells > limits::kMaxCells) {
      map.fail("layers", std::to_string(cells) + " cells in all; at most " +
                             std::to_string(limits::kMaxCells));
    }
    const int64_t channels =
        bounded(map, "channels", map.get_int("channels"), 0, limits::kMaxWidth);
    const bool feedback = map.get_bool("feedback", false);
    wiring = located([&] { return layered(layers, channels, feedback); });
    if (origin) {
      *origin = fmt::format("layered(layers=[{}], channels={}, feedback={})",
                            fmt::join(layers, ", "), channels, feedback);
    }
  } else if (generator == "fully_connected") {
    const int64_t n = bounded(map, "n", map.get_int("n"), 1, limits::kMaxCells);
    const int64_t channels =
        bounded(map, "channels", map.get_int("channels"), 0, limits::kMaxWidth);
    const bool self_loops = map.get_bool("self_loops", false);
    wiring = located([&] { return fully_connected(n, channels, self_loops); });
    if (origin) {
      *origin =
          fmt::format("fully_connected(n={}, channels={}, self_loops={})", n, channels, self_loops);
    }
  } else if (generator == "random") {
    const int64_t n = bounded(map, "n", map.get_int("n"), 1, limits::kMaxCells);
    const double density = map.get_double("density");
    const int64_t channels =
        bounded(map, "channels", map.get_int("channels"), 0, limits::kMaxWidth);
    const auto seed = static_cast<uint64_t>(map.get_int("seed", 0));
    wiring = located([&] { return random_wiring(n, density, channels, seed); });
    if (origin) {
      *origin =
          fmt::format("random(n={}, density={}, channels={}, seed={})", n, density, channels, seed);
    }
  }
  map.finish();
  return wiring;
}

// One numeric key of a field table: read (its default when absent),
// checked against its range and rules, stored.
template <typename Options>
void read_field(MapReader& map, const NumberField<Options>& field, Options& options) {
  const double value =
      field.required ? map.get_double(field.key) : map.get_double(field.key, field.get(options));
  const std::string problem = field.problem(value);
  if (!problem.empty()) map.fail(field.key, problem);
  field.set(options, value);
}

ModelConfig read_model(MapReader map) {
  ModelConfig model;
  for (const auto& field : model_fields()) read_field(map, field, model);
  model.hidden = map.get_int_or_list("hidden", {32});
  model.hidden_activation = read_activation(map, "hidden_activation", Activation::kReLU);
  model.output_activation = read_activation(map, "output_activation", Activation::kLogSigmoid);
  model.cell = map.get_choice_or_list("cell", cell_type_names(), model.cell);
  for (int64_t h : model.hidden) {
    if (h < 1) map.fail("hidden", "every hidden size must be >= 1, found " + std::to_string(h));
    bounded(map, "hidden", h, 1, limits::kMaxWidth);
  }
  model.wiring = read_wiring(map.child("wiring"), &model.wiring_origin);
  const int64_t n = model.wiring.size();
  if (model.cell.size() != 1 && static_cast<int64_t>(model.cell.size()) != n) {
    map.fail("cell", "has " + std::to_string(model.cell.size()) + " types but the wiring has " +
                         std::to_string(n) + " cells; give one type or " + std::to_string(n));
  }
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

// Walks the one table of degrade keys (nnn/data/degrade_fields.h).
DegradeOptions read_degrade(MapReader map) {
  DegradeOptions d;
  for (const auto& field : degrade_fields()) {
    read_field(map, field, d);
  }
  map.finish();
  return d;
}

// Each data source reads its own keys: paths, then its numeric table.
void read_source(MapReader& map, MnistFolder& source) {
  source.path = map.get_string("path", source.path);
}
void read_source(MapReader& map, FashionMnistFolder& source) {
  source.path = map.get_string("path", source.path);
}
void read_source(MapReader& map, IdxFiles& source) {
  source.train_images = map.get_string("train_images");
  source.train_labels = map.get_string("train_labels");
  source.test_images = map.get_string("test_images");
  source.test_labels = map.get_string("test_labels");
}
void read_source(MapReader& map, CsvFile& source) {
  source.path = map.get_string("path", "");
  if (source.path.empty()) map.fail("path", "csv needs the table's path");
  source.test_path = map.get_string("test_path", "");
}
void read_source(MapReader& map, FrameSetFolder& source) {
  source.path = map.get_string("path", "");
  if (source.path.empty()) map.fail("path", "frame_set needs the dataset folder's path");
  source.test_path = map.get_string("test_path", "");
}
void read_source(MapReader&, SpiralPoints&) {}
void read_source(MapReader&, ToyPoints&) {}

DataConfig read_data(MapReader map, int64_t steps) {
  DataConfig data;
  data.source = default_source(read_enum(map, "dataset", dataset_names(), DatasetKind::kSpiral));
  std::visit(
      [&](auto& source) {
        read_source(map, source);
        for (const auto& field : source_fields<std::decay_t<decltype(source)>>()) {
          read_field(map, field, source);
        }
      },
      data.source);
  data.normalize =
      read_enum(map, "normalize", normalization_names(),
                is_image_dataset(data.dataset()) ? Normalization::kUnit : Normalization::kNone);
  if (map.has_known("standard")) {
    MapReader stats = map.child("standard");
    if (data.normalize != Normalization::kStandard) {
      map.fail("standard", "holds the statistics of normalize: standard, but normalize is '" +
                               to_string(data.normalize) + "'");
    }
    data.standard.mean = stats.get_double("mean");
    data.standard.std = stats.get_double("std");
    if (!std::isfinite(data.standard.mean)) stats.fail("mean", "must be a finite number");
    if (!(data.standard.std > 0) || !std::isfinite(data.standard.std)) {
      stats.fail("std", "must be a finite number > 0");
    }
    stats.finish();
  }
  for (const auto& field : data_fields()) read_field(map, field, data);
  FrameOptions& frames = data.frames;
  for (const auto& field : frames_fields()) read_field(map, field, frames);
  frames.feed = read_enum(map, "feed", frame_feed_names(), FrameFeed::kSequence);
  if (map.has_known("degrade")) frames.degrade = read_degrade(map.child("degrade"));
  if (frames.active() && frames.feed == FrameFeed::kSequence && frames.count > steps) {
    map.fail("frames", std::to_string(frames.count) + " frames but model.steps is " +
                           std::to_string(steps) + ": frames after step " + std::to_string(steps) +
                           " would never be read (use feed: average or single, or more steps)");
  }
  if (frames.degrade.any() && data.normalize != Normalization::kUnit) {
    map.fail("degrade",
             "degradations work on pixels in [0, 1] and need data.normalize: unit; found '" +
                 to_string(data.normalize) + "'");
  }
  if (data.dataset() == DatasetKind::kFrameSet) {
    // Its frames are recorded: F must be stated (checked against the
    // dataset at load), never generated.
    if (frames.degrade.any()) {
      map.fail("degrade", "a frame_set's frames are recorded, not degraded: remove data.degrade");
    }
    if (data.augment_shift > 0) {
      map.fail("augment_shift", "a frame_set's frames are recorded, not shifted: remove it");
    }
  }
  if (frames.active() && !is_image_dataset(data.dataset())) {
    map.fail(frames.degrade.any() ? "degrade" : "frames",
             "frames need square images (mnist, fashion_mnist, idx or frame_set); found dataset '" +
                 to_string(data.dataset()) + "'");
  }
  map.finish();
  return data;
}

// The numeric keys walk their table (nnn/config/section_fields.h); the rules
// that tie keys together follow.
TrainConfig read_train(MapReader map) {
  TrainConfig train;
  for (const auto& field : train_fields()) read_field(map, field, train);
  train.optimizer = read_enum(map, "optimizer", optimizer_names(), train.optimizer);
  train.nesterov = map.get_bool("nesterov", train.nesterov);
  train.schedule = read_enum(map, "schedule", schedule_names(), train.schedule);
  train.init_from = map.get_string("init_from", train.init_from);
  train.backward = read_enum(map, "backward", backward_mode_names(), train.backward);
  train.skip_unreachable = map.get_bool("skip_unreachable", train.skip_unreachable);
  if (train.nesterov && !(train.momentum > 0)) map.fail("nesterov", "needs momentum > 0");
  if (train.min_lr > train.lr) map.fail("min_lr", "must be in [0, lr]");
  if (train.warmup_epochs > static_cast<double>(train.epochs)) {
    map.fail("warmup_epochs", "must be in [0, epochs]");
  }
  map.finish();
  return train;
}

DistConfig read_dist(MapReader map) {
  DistConfig dist;
  dist.backend = read_enum(map, "backend", dist_backend_names(), dist.backend);
  for (const auto& field : dist_fields()) read_field(map, field, dist);
  map.finish();
  return dist;
}

LossConfig read_loss(MapReader map) {
  LossConfig loss;
  loss.steps = read_enum(map, "steps", loss_steps_names(), loss.steps);
  map.finish();
  return loss;
}

}  // namespace

namespace {

// Applies "a.b.c=value" to the document; the new nodes are remembered so
// that errors about them name the override instead of a file position.
void apply_override(YAML::Node root, const std::string& setting, const std::string& file,
                    OverrideScope& scope) {
  const size_t eq = setting.find('=');
  NNN_CHECK(eq != std::string::npos && eq > 0, "override ", quoted(setting, 120),
            ": expected dotted.key=value, e.g. train.lr=0.01");
  const std::string key = setting.substr(0, eq);
  std::vector<std::string> parts;
  std::stringstream split(key);
  for (std::string part; std::getline(split, part, '.');) {
    NNN_CHECK(!part.empty(), "override ", quoted(setting, 120), ": empty key segment in ",
              quoted(key));
    parts.push_back(part);
  }
  YAML::Node value;
  try {
    value = YAML::Load(setting.substr(eq + 1));
  } catch (const YAML::Exception& e) {
    throw Error("override " + quoted(setting, 120) + ": the value is not valid YAML (" + e.msg +
                ")");
  }
  scope.add(value, setting);
  std::vector<YAML::Node> path = {root};
  for (size_t k = 0; k + 1 < parts.size(); ++k) {
    YAML::Node next = path.back()[parts[k]];
    if (!next.IsDefined() || next.IsNull()) {
      next = YAML::Node(YAML::NodeType::Map);
      path.back()[parts[k]] = next;
      next = path.back()[parts[k]];
      scope.add(next, setting);
    }
    NNN_CHECK(next.IsMap(), "override ", quoted(setting, 120), ": ", quoted(parts[k]), " in ", file,
              " is not a section (a map) but a value");
    path.push_back(next);
  }
  path.back()[parts.back()] = value;
}

}  // namespace

ExperimentConfig parse_experiment(const std::string& text, const std::string& file,
                                  const std::vector<std::string>& overrides) {
  YAML::Node root = parse_yaml(text, file);
  if (root.IsNull() && !overrides.empty()) root = YAML::Node(YAML::NodeType::Map);
  OverrideScope scope;
  for (const auto& setting : overrides) {
    if (root.IsMap()) apply_override(root, setting, file, scope);
  }
  MapReader top(root, "", file);
  ExperimentConfig config;
  config.file = file;
  config.name = top.get_string("name", config.name);
  check_run_name(top, config.name);
  const int64_t seed = top.get_int("seed", 0);
  if (seed < 0) top.fail("seed", "must be >= 0, found " + std::to_string(seed));
  config.seed = static_cast<uint64_t>(seed);
  const std::string device = top.get_string("device", config.device.str());
  try {
    config.device = DeviceSetting::parse(device);
  } catch (const Error& e) {
    top.fail("device", e.what());
  }
  config.threads = top.get_int("threads", config.threads);
  if (config.threads < 0) top.fail("threads", "must be >= 0 (0: all cores)");
  if (config.threads > limits::kMaxThreads) {
    top.fail("threads", std::to_string(config.threads) + " threads; this machine has " +
                            std::to_string(std::thread::hardware_concurrency()) +
                            " cores (0 uses them all; more than the cores are capped to them)");
  }
  config.model = read_model(top.child("model"));
  if (top.has_known("data")) config.data = read_data(top.child("data"), config.model.steps);
  if (top.has_known("train")) config.train = read_train(top.child("train"));
  if (top.has_known("loss")) config.loss = read_loss(top.child("loss"));
  if (top.has_known("dist")) config.dist = read_dist(top.child("dist"));
  top.finish();
  return config;
}

ExperimentConfig load_experiment(const std::string& path,
                                 const std::vector<std::string>& overrides) {
  ExperimentConfig config = parse_experiment(read_text_file(path), path, overrides);
  resolve_data_paths(config.data, path);
  return config;
}

namespace {

// Shortest text that reads back to the same double.
std::string number_text(double v) { return fmt::format("{}", v); }

// One numeric key of a field table as the reader reads it back.
template <typename Options>
void write_field(YAML::Emitter& out, const NumberField<Options>& field, const Options& options) {
  out << YAML::Key << field.key << YAML::Value;
  if (field.is_integer()) {
    out << static_cast<int64_t>(field.get(options));
  } else {
    out << number_text(field.get(options));
  }
}

template <typename Options>
void write_fields(YAML::Emitter& out, const std::vector<NumberField<Options>>& fields,
                  const Options& options) {
  for (const auto& field : fields) write_field(out, field, options);
}

// Each data source writes the paths it reads (its numbers follow from its
// table).
void write_source(YAML::Emitter& out, const MnistFolder& source) {
  out << YAML::Key << "path" << YAML::Value << source.path;
}
void write_source(YAML::Emitter& out, const FashionMnistFolder& source) {
  out << YAML::Key << "path" << YAML::Value << source.path;
}
void write_source(YAML::Emitter& out, const IdxFiles& source) {
  out << YAML::Key << "train_images" << YAML::Value << source.train_images;
  out << YAML::Key << "train_labels" << YAML::Value << source.train_labels;
  out << YAML::Key << "test_images" << YAML::Value << source.test_images;
  out << YAML::Key << "test_labels" << YAML::Value << source.test_labels;
}
void write_source(YAML::Emitter& out, const CsvFile& source) {
  out << YAML::Key << "path" << YAML::Value << source.path;
  out << YAML::Key << "test_path" << YAML::Value << source.test_path;
}
void write_source(YAML::Emitter& out, const FrameSetFolder& source) {
  out << YAML::Key << "path" << YAML::Value << source.path;
  out << YAML::Key << "test_path" << YAML::Value << source.test_path;
}
void write_source(YAML::Emitter&, const SpiralPoints&) {}
void write_source(YAML::Emitter&, const ToyPoints&) {}

}  // namespace

std::string experiment_to_yaml(const ExperimentConfig& c) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << c.name;
  out << YAML::Key << "seed" << YAML::Value << c.seed;
  out << YAML::Key << "device" << YAML::Value << c.device.str();
  out << YAML::Key << "threads" << YAML::Value << c.threads;

  const ModelConfig& m = c.model;
  out << YAML::Key << "model" << YAML::Value << YAML::BeginMap;
  write_fields(out, model_fields(), m);
  out << YAML::Key << "hidden" << YAML::Value << YAML::Flow << m.hidden;
  out << YAML::Key << "hidden_activation" << YAML::Value << to_string(m.hidden_activation);
  out << YAML::Key << "output_activation" << YAML::Value << to_string(m.output_activation);
  if (m.cell.size() == 1) {
    out << YAML::Key << "cell" << YAML::Value << m.cell[0];
  } else {
    out << YAML::Key << "cell" << YAML::Value << YAML::Flow << m.cell;
  }
  out << YAML::Key << "wiring";
  if (!m.wiring_origin.empty()) out << YAML::Comment(m.wiring_origin);
  out << YAML::Value << YAML::BeginMap << YAML::Key << "adjacency" << YAML::Value << YAML::BeginSeq;
  for (const auto& row : m.wiring.adjacency()) out << YAML::Flow << row;
  out << YAML::EndSeq;
  out << YAML::Key << "inputs" << YAML::Value << YAML::Flow << m.wiring.inputs();
  out << YAML::Key << "output" << YAML::Value << m.wiring.output() << YAML::EndMap;
  out << YAML::EndMap;

  const DataConfig& d = c.data;
  out << YAML::Key << "data" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "dataset" << YAML::Value << to_string(d.dataset());
  std::visit([&](const auto& source) { write_source(out, source); }, d.source);
  out << YAML::Key << "normalize" << YAML::Value << to_string(d.normalize);
  if (d.normalize == Normalization::kStandard && d.standard.known()) {
    out << YAML::Key << "standard" << YAML::Value << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "mean" << YAML::Value << number_text(d.standard.mean);
    out << YAML::Key << "std" << YAML::Value << number_text(d.standard.std) << YAML::EndMap;
  }
  write_fields(out, data_fields(), d);
  std::visit(
      [&](const auto& source) {
        write_fields(out, source_fields<std::decay_t<decltype(source)>>(), source);
      },
      d.source);
  write_fields(out, frames_fields(), d.frames);
  out << YAML::Key << "feed" << YAML::Value << to_string(d.frames.feed);
  out << YAML::Key << "degrade" << YAML::Value << YAML::BeginMap;
  write_fields(out, degrade_fields(), d.frames.degrade);
  out << YAML::EndMap;
  out << YAML::EndMap;

  const TrainConfig& t = c.train;
  out << YAML::Key << "train" << YAML::Value << YAML::BeginMap;
  write_fields(out, train_fields(), t);
  out << YAML::Key << "optimizer" << YAML::Value << to_string(t.optimizer);
  out << YAML::Key << "nesterov" << YAML::Value << t.nesterov;
  out << YAML::Key << "schedule" << YAML::Value << to_string(t.schedule);
  out << YAML::Key << "backward" << YAML::Value << to_string(t.backward);
  out << YAML::Key << "skip_unreachable" << YAML::Value << t.skip_unreachable;
  if (!t.init_from.empty()) out << YAML::Key << "init_from" << YAML::Value << t.init_from;
  out << YAML::EndMap;

  out << YAML::Key << "loss" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "steps" << YAML::Value << to_string(c.loss.steps) << YAML::EndMap;
  out << YAML::Key << "dist" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "backend" << YAML::Value << to_string(c.dist.backend);
  write_fields(out, dist_fields(), c.dist);
  out << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
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
