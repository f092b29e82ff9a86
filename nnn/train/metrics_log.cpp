// metrics.csv, metrics.jsonl and the JSON form of an evaluation.
#include "nnn/train/metrics_log.h"

#include <cmath>

#include <fmt/format.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "nnn/train/run.h"
#include "nnn/util/files.h"
#include "nnn/util/numbers.h"

namespace nnn {

namespace {

// nlohmann::ordered_json keeps the keys in the order written; NaN and the
// infinities, which JSON lacks, are dumped as null.
using Json = nlohmann::ordered_json;

constexpr const char* kCsvKey = "metrics_csv";
constexpr const char* kJsonlKey = "metrics_jsonl";

Json evaluation_object(const Evaluation& e) {
  return {{"samples", e.samples},       {"loss", e.loss},
          {"accuracy", e.accuracy},     {"top3", e.top3},
          {"confidence", e.confidence}, {"ece", e.ece}};
}

std::string steps_header(const std::string& prefix, int64_t steps) {
  std::string out;
  for (int64_t t = 1; t <= steps; ++t) out += fmt::format(",{}_t{}", prefix, t);
  return out;
}

std::string csv_values(const std::vector<double>& values, int64_t steps) {
  std::string out;
  for (int64_t t = 0; t < steps; ++t) {
    // Not measured (past the end, or NaN: a step training did not compute): empty.
    const bool known = static_cast<size_t>(t) < values.size() && std::isfinite(values[t]);
    out += "," + (known ? shortest(values[t]) : "");
  }
  return out;
}

std::string csv_header(int64_t steps) {
  return "epoch,lr,train_loss,test_loss" + steps_header("train_acc", steps) +
         steps_header("test_acc", steps) + steps_header("test_top3", steps) +
         steps_header("test_confidence", steps) + steps_header("test_ece", steps) +
         ",samples_per_s,seconds\n";
}

std::string csv_row(const EpochReport& r, int64_t steps) {
  return fmt::format("{},{},{},{}", r.epoch, shortest(r.lr), shortest(r.train_loss),
                     r.test.samples ? shortest(r.test.loss) : "") +
         csv_values(r.train_accuracy, steps) + csv_values(r.test.accuracy, steps) +
         csv_values(r.test.top3, steps) + csv_values(r.test.confidence, steps) +
         csv_values(r.test.ece, steps) +
         fmt::format(",{},{}\n", shortest(r.samples_per_second), shortest(r.seconds));
}

// One JSONL row: the epoch, then the test evaluation's fields as test_*
// (not its sample count), then the speed.
std::string jsonl_row(const EpochReport& r) {
  Json o;
  o["epoch"] = r.epoch;
  o["lr"] = r.lr;
  o["train_loss"] = r.train_loss;
  o["train_accuracy"] = r.train_accuracy;
  if (r.test.samples > 0) {
    const Json test = evaluation_object(r.test);  // alive while items() is walked
    for (const auto& [key, value] : test.items()) {
      if (key != "samples") o["test_" + key] = value;
    }
  }
  o["samples_per_s"] = r.samples_per_second;
  o["seconds"] = r.seconds;
  return o.dump() + "\n";
}

}  // namespace

MetricsLog::MetricsLog(int64_t steps) : steps_(steps), csv_(csv_header(steps)) {}

void MetricsLog::restore(const std::map<std::string, std::string>& extra) {
  const auto csv = extra.find(kCsvKey);
  const auto jsonl = extra.find(kJsonlKey);
  if (jsonl != extra.end()) jsonl_ = jsonl->second;
  if (csv != extra.end()) csv_ = csv->second;
}

std::map<std::string, std::string> MetricsLog::checkpoint_extra() const {
  return {{kJsonlKey, jsonl_}, {kCsvKey, csv_}};
}

void MetricsLog::append(const EpochReport& report) {
  jsonl_ += jsonl_row(report);
  csv_ += csv_row(report, steps_);
}

void MetricsLog::write(const std::string& dir) const {
  const std::filesystem::path path(dir);
  write_file_atomically((path / RunFiles::kMetricsJsonl).string(), jsonl_);
  write_file_atomically((path / RunFiles::kMetricsCsv).string(), csv_);
}

std::string evaluation_json(const Evaluation& evaluation) {
  return evaluation_object(evaluation).dump();
}

}  // namespace nnn
