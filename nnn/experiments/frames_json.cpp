// frames.json: the frames comparison written once and read back (by the
// seed summary, which reuses the seeds already done).
#include <filesystem>
#include <limits>

#include <nlohmann/json.hpp>

#include "nnn/experiments/frames_compare.h"
#include "nnn/util/error.h"
#include "nnn/util/files.h"

namespace nnn {

namespace {

// Keys in the order written; NaN, which JSON lacks, as null.
using Json = nlohmann::ordered_json;

Json curve_json(const FrameCurve& c) {
  std::vector<std::string> hits;
  for (const auto& h : c.correct) hits.push_back(hits_text(h));
  return {{"key", c.key},
          {"label", c.label},
          {"parameters", c.parameters},
          {"train_seconds", c.train_seconds},
          {"accuracy", c.accuracy},
          {"top3", c.top3},
          {"confidence", c.confidence},
          {"ece", c.ece},
          {"correct", hits}};
}

double json_number(const nlohmann::json& v) {
  return v.is_number() ? v.get<double>() : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

std::string hits_text(const SampleHits& hits) {
  std::string text(hits.size(), '0');
  for (size_t i = 0; i < hits.size(); ++i) text[i] = hits[i] ? '1' : '0';
  return text;
}

SampleHits hits_from_text(const std::string& text) {
  SampleHits hits(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    NNN_CHECK(text[i] == '0' || text[i] == '1', "hits: expected '0' or '1' per sample; found ",
              quoted(text.substr(i, 1)), " at ", i);
    hits[i] = text[i] == '1';
  }
  return hits;
}

std::string frames_json(const FramesComparison& c) {
  Json report = {{"nnn_config", c.nnn_config}, {"mlp_config", c.mlp_config},
                 {"frames", c.frames},         {"steps", c.steps},
                 {"distance", c.distance},     {"test_samples", c.test_samples},
                 {"degrade", c.degrade}};
  report["by_frames"] = Json::array();
  for (const auto& curve : c.by_frames) report["by_frames"].push_back(curve_json(curve));
  report["nnn_steps"] = Json::array();
  for (const auto& curve : c.nnn_steps) report["nnn_steps"].push_back(curve_json(curve));
  report["halting"] = Json::array();
  for (const auto& h : c.halting) {
    report["halting"].push_back({{"prior", h.prior},
                                 {"beta", h.beta},
                                 {"mean_frames", h.point.mean_frames},
                                 {"accuracy", h.point.accuracy},
                                 {"threshold_accuracy", h.threshold_accuracy}});
  }
  return report.dump(2) + "\n";
}

FramesComparison read_frames_json(const std::string& file) {
  FramesComparison c;
  try {
    const auto j = nlohmann::json::parse(read_file(file));
    c.dir = std::filesystem::path(file).parent_path().string();
    c.nnn_config = j.value("nnn_config", "");
    c.mlp_config = j.value("mlp_config", "");
    c.frames = j.at("frames").get<int64_t>();
    c.steps = j.at("steps").get<int64_t>();
    c.distance = j.at("distance").get<int64_t>();
    c.test_samples = j.at("test_samples").get<int64_t>();
    c.degrade = j.at("degrade").get<std::string>();
    for (const auto& m : j.at("by_frames")) {
      FrameCurve curve;
      curve.key = m.at("key").get<std::string>();
      curve.label = m.at("label").get<std::string>();
      curve.parameters = m.at("parameters").get<int64_t>();
      curve.train_seconds = json_number(m.at("train_seconds"));
      for (const auto& v : m.at("accuracy")) curve.accuracy.push_back(json_number(v));
      for (auto [key, values] : {std::pair{"top3", &curve.top3},
                                 {"confidence", &curve.confidence},
                                 {"ece", &curve.ece}}) {
        if (!m.contains(key)) continue;  // written before they were kept
        for (const auto& v : m.at(key)) values->push_back(json_number(v));
      }
      if (m.contains("correct")) {
        for (const auto& text : m.at("correct").get<std::vector<std::string>>()) {
          curve.correct.push_back(hits_from_text(text));
        }
      }
      c.by_frames.push_back(curve);
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(file + ": not a readable frames comparison (" + e.what() + ")");
  } catch (const Error& e) {
    throw Error(file + ": " + e.what());
  }
  return c;
}

}  // namespace nnn
