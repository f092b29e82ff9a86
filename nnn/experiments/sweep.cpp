// Sweeps: the grid in order (the last axis fastest), seeds innermost.
#include "nnn/experiments/sweep.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <ostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "nnn/config/experiment_config.h"
#include "nnn/data/csv.h"
#include "nnn/tracking/event_file.h"
#include "nnn/train/run.h"
#include "nnn/util/error.h"
#include "nnn/util/files.h"
#include "nnn/util/numbers.h"

namespace nnn {

namespace fs = std::filesystem;

namespace {

constexpr int64_t kMaxRuns = 10000;

std::string percent(double v) { return fmt::format("{:.2f}", 100 * v); }

}  // namespace

SweepAxis parse_sweep_axis(const std::string& text) {
  const size_t eq = text.find('=');
  NNN_CHECK(eq != std::string::npos && eq > 0 && eq + 1 < text.size(), "sweep axis ", quoted(text),
            ": expected key=value1,value2,... e.g. train.lr=0.01,0.001");
  SweepAxis axis;
  axis.key = text.substr(0, eq);
  std::string value;
  int depth = 0;
  for (size_t i = eq + 1; i <= text.size(); ++i) {
    const char c = i < text.size() ? text[i] : ',';
    if (c == '[' || c == '{') ++depth;
    if (c == ']' || c == '}') --depth;
    NNN_CHECK(depth >= 0, "sweep axis ", quoted(text), ": unbalanced brackets");
    if (c == ',' && depth == 0) {
      NNN_CHECK(!value.empty(), "sweep axis ", quoted(text), ": an empty value");
      axis.values.push_back(value);
      value.clear();
    } else {
      value += c;
    }
  }
  NNN_CHECK(depth == 0, "sweep axis ", quoted(text), ": unbalanced brackets");
  return axis;
}

std::vector<SweepRow> run_sweep(const SweepOptions& options, std::ostream& log) {
  NNN_CHECK(options.seeds >= 1 && options.seeds <= 1000, "sweep: seeds is ", options.seeds,
            "; expected 1..1000");
  NNN_CHECK(!options.out.empty(), "sweep: no output folder");
  int64_t combinations = 1;
  for (const auto& axis : options.axes) {
    NNN_CHECK(!axis.values.empty(), "sweep axis ", axis.key, " has no values");
    combinations *= static_cast<int64_t>(axis.values.size());
    NNN_CHECK(combinations * options.seeds <= kMaxRuns, "sweep: more than ", kMaxRuns,
              " runs (combinations x seeds)");
  }
  // Every combination's settings, the last axis fastest.
  std::vector<std::vector<std::string>> grid(static_cast<size_t>(combinations));
  for (int64_t c = 0; c < combinations; ++c) {
    int64_t rest = c;
    std::vector<std::string> settings(options.axes.size());
    for (size_t a = options.axes.size(); a-- > 0;) {
      const auto& values = options.axes[a].values;
      settings[a] = options.axes[a].key + "=" + values[static_cast<size_t>(rest) % values.size()];
      rest /= static_cast<int64_t>(values.size());
    }
    grid[static_cast<size_t>(c)] = settings;
  }
  // Every axis must reach the runs: a key given twice, the seed (the sweep
  // sets it per run: --seeds), or a key whose values all give the same
  // resolved config (the runs would ignore it) is refused before any run.
  for (size_t a = 0; a < options.axes.size(); ++a) {
    const auto& key = options.axes[a].key;
    NNN_CHECK(key != "seed",
              "sweep axis seed: the sweep sets each run's seed itself (the "
              "config's seed, +1, ...); use --seeds N");
    for (size_t b = 0; b < a; ++b) {
      NNN_CHECK(options.axes[b].key != key, "sweep axis ", key,
                " is given twice; give all its values in one axis (", key, "=v1,v2,...)");
    }
  }
  // A typo in a key or value fails before any run starts.
  const ExperimentConfig base = load_experiment(options.config_path);
  for (const auto& settings : grid) load_experiment(options.config_path, settings);
  for (const auto& axis : options.axes) {
    std::map<std::string, std::string> seen;  // resolved config -> value
    for (const auto& value : axis.values) {
      const std::string resolved =
          experiment_to_yaml(load_experiment(options.config_path, {axis.key + "=" + value}));
      const auto [it, fresh] = seen.emplace(resolved, value);
      NNN_CHECK(fresh, "sweep axis ", axis.key, ": the values ", quoted(it->second), " and ",
                quoted(value),
                " give the same config, so the runs would not differ (the key "
                "does not reach a run, or the values are equal)");
    }
  }

  // The folder remembers its sweep: running the same command again resumes
  // it; another grid in the same folder is refused.
  nlohmann::ordered_json manifest;
  manifest["config"] = options.config_path;
  manifest["seeds"] = options.seeds;
  for (const auto& axis : options.axes) {
    manifest["axes"].push_back({{"key", axis.key}, {"values", axis.values}});
  }
  const std::string manifest_file = options.out + "/sweep.json";
  if (fs::exists(manifest_file)) {
    NNN_CHECK(read_file(manifest_file) == manifest.dump(2) + "\n", options.out,
              " holds another sweep (see its sweep.json); choose another output folder");
  } else {
    fs::create_directories(options.out);
    write_file_atomically(manifest_file, manifest.dump(2) + "\n");
  }
  // TensorBoard's HParams dashboard: the grid (and the seeds) as the
  // experiment, in OUT/tensorboard; each run records its own values.
  const fs::path board = fs::path(options.out) / "tensorboard";
  if (!fs::exists(board)) {
    std::vector<HParamAxis> axes;
    for (const auto& axis : options.axes) axes.push_back({axis.key, axis.values});
    HParamAxis seeds{"seed", {}};
    for (int64_t s = 0; s < options.seeds; ++s) {
      seeds.values.push_back(std::to_string(base.seed + static_cast<uint64_t>(s)));
    }
    axes.push_back(seeds);
    const double now = wall_clock_seconds();
    fs::create_directories(board);
    write_file_atomically(
        (board / fmt::format("events.out.tfevents.{}.sweep.nnn", static_cast<int64_t>(now)))
            .string(),
        events::file_version(now) +
            events::hparams_experiment(axes, {"test/accuracy", "test/loss", "train/loss"}, now));
  }
  std::vector<SweepRow> rows;
  int64_t done = 0;
  const int64_t runs = combinations * options.seeds;
  for (size_t c = 0; c < grid.size(); ++c) {
    SweepRow row;
    row.settings = grid[c];
    std::vector<std::vector<double>> per_seed;
    for (int64_t s = 0; s < options.seeds; ++s) {
      const std::string name = fmt::format("c{:03d}-s{}", static_cast<int>(c), s);
      const RunDirectory dir((fs::path(options.out) / name).string());
      std::vector<std::string> overrides = grid[c];
      overrides.push_back("seed=" + std::to_string(base.seed + static_cast<uint64_t>(s)));
      std::string how = "skipped (finished before)";
      if (!dir.has(RunFiles::kSummary)) {
        RunOptions run;
        if (dir.has(RunFiles::kCheckpoint)) {
          run.resume = dir.path();
          how = "resumed";
        } else {
          fs::remove_all(dir.path());  // stopped before its first checkpoint
          run.config_path = options.config_path;
          run.overrides = overrides;
          run.out = dir.path();
          for (const auto& setting : overrides) {
            const size_t eq = setting.find('=');
            run.hooks.hparams[setting.substr(0, eq)] = setting.substr(eq + 1);
          }
          how = "trained";
        }
        std::ofstream run_log(fs::path(options.out) / (name + ".log"));
        if (!run_training(run, run_log).completed) {
          throw Error("sweep: run " + dir.path() +
                      " was interrupted; run the sweep again to "
                      "resume it");
        }
      }
      per_seed.push_back(dir.recorded_test_accuracy());
      ++done;
      std::string joined;
      for (const auto& setting : overrides) joined += (joined.empty() ? "" : " ") + setting;
      const double last = per_seed.back().empty() ? 0 : per_seed.back().back();
      log << fmt::format("[{}/{}] {}: {}, test accuracy at the last step {}%{}\n", done, runs,
                         joined, how, percent(last),
                         at_chance(last, base.model.output_size)
                             ? fmt::format(" (at chance: {} classes)", base.model.output_size)
                             : "");
      log.flush();
    }
    const size_t steps = per_seed.front().size();
    row.seeds_done = static_cast<int64_t>(per_seed.size());
    row.mean.assign(steps, 0.0);
    row.min.assign(steps, std::numeric_limits<double>::infinity());
    row.max.assign(steps, -std::numeric_limits<double>::infinity());
    for (const auto& accuracy : per_seed) {
      NNN_CHECK(accuracy.size() == steps, "sweep: runs of one combination report different steps");
      for (size_t t = 0; t < steps; ++t) {
        row.mean[t] += accuracy[t] / static_cast<double>(per_seed.size());
        row.min[t] = std::min(row.min[t], accuracy[t]);
        row.max[t] = std::max(row.max[t], accuracy[t]);
      }
    }
    row.collapsed = !row.mean.empty() && at_chance(row.mean.back(), base.model.output_size);
    rows.push_back(row);
  }
  size_t best = 0;
  for (size_t r = 1; r < rows.size(); ++r) {
    if (!rows[r].mean.empty() && rows[r].mean.back() > rows[best].mean.back()) best = r;
  }
  if (!rows.empty()) rows[best].best = true;
  write_file_atomically(options.out + "/sweep.md", sweep_markdown(rows, options.axes));
  write_file_atomically(options.out + "/sweep.csv", sweep_csv(rows, options.axes));
  return rows;
}

bool at_chance(double accuracy, int64_t classes) {
  return classes > 0 && accuracy < 1.5 / static_cast<double>(classes);
}

std::string sweep_markdown(const std::vector<SweepRow>& rows, const std::vector<SweepAxis>& axes) {
  const size_t steps = rows.empty() ? 0 : rows.front().mean.size();
  std::string out = "|";
  for (const auto& axis : axes) out += " " + axis.key + " |";
  out += " seeds |";
  for (size_t t = 0; t < steps; ++t) out += fmt::format(" step {} |", t + 1);
  out += " |\n|";
  for (size_t i = 0; i < axes.size() + 1 + steps; ++i) out += " ---: |";
  out += " --- |\n";
  for (const auto& row : rows) {
    out += "|";
    for (const auto& setting : row.settings)
      out += " " + setting.substr(setting.find('=') + 1) + " |";
    out += fmt::format(" {} |", row.seeds_done);
    for (size_t t = 0; t < row.mean.size(); ++t) {
      out += row.seeds_done > 1 ? fmt::format(" {} ({}-{}) |", percent(row.mean[t]),
                                              percent(row.min[t]), percent(row.max[t]))
                                : fmt::format(" {} |", percent(row.mean[t]));
    }
    out += row.best ? " best |\n" : row.collapsed ? " at chance |\n" : " |\n";
  }
  return out +
         "\nTest accuracy in % per thinking step: mean over seeds (min-max). At chance: the last "
         "step's mean is below 1.5 / classes, no better than guessing.\n";
}

std::string sweep_csv(const std::vector<SweepRow>& rows, const std::vector<SweepAxis>& axes) {
  const size_t steps = rows.empty() ? 0 : rows.front().mean.size();
  std::string out;
  for (const auto& axis : axes) out += axis.key + ",";
  out += "seeds";
  for (const char* what : {"mean", "min", "max"}) {
    for (size_t t = 0; t < steps; ++t) out += fmt::format(",test_acc_{}_{}", what, t + 1);
  }
  out += ",best\n";
  for (const auto& row : rows) {
    for (const auto& setting : row.settings) {
      // A value with a comma or quote (a YAML list) is quoted, CSV-style.
      out += csv_field(setting.substr(setting.find('=') + 1)) + ",";
    }
    out += std::to_string(row.seeds_done);
    for (const auto* values : {&row.mean, &row.min, &row.max}) {
      for (double v : *values) out += "," + shortest(v);
    }
    out += row.best ? ",1\n" : ",0\n";
  }
  return out;
}

}  // namespace nnn
