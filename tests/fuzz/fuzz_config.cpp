// The experiment config reader with overrides. Input: YAML text, then
// optionally a NUL byte and "dotted.key=value" overrides, one per line.
// Promises: nnn::Error (one line) or a config whose resolved YAML reads back
// to the same resolved YAML (comments aside).
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "nnn/config/experiment_config.h"
#include "nnn/util/error.h"

namespace {

// The resolved YAML without its comments (the first one names the wiring's
// generator, which the resolved matrix no longer has).
std::string without_comments(const std::string& yaml) {
  std::string out;
  size_t start = 0;
  while (start < yaml.size()) {
    size_t end = yaml.find('\n', start);
    if (end == std::string::npos) end = yaml.size();
    std::string line = yaml.substr(start, end - start);
    const size_t comment = line.find("  # ");
    if (comment != std::string::npos) line.erase(comment);
    out += line + "\n";
    start = end + 1;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const size_t nul = bytes.find('\0');
  const std::string text = bytes.substr(0, nul);
  std::vector<std::string> overrides;
  if (nul != std::string::npos) {
    std::string line;
    for (size_t i = nul + 1; i <= bytes.size(); ++i) {
      if (i == bytes.size() || bytes[i] == '\n') {
        if (overrides.size() < 8) overrides.push_back(line);
        line.clear();
      } else {
        line += bytes[i];
      }
    }
  }
  nnn::ExperimentConfig config;
  try {
    config = nnn::parse_experiment(text, "fuzz.yaml", overrides);
  } catch (const nnn::Error& e) {
    nnn_fuzz::require_one_line(e.what());
    return 0;
  }
  const std::string resolved = nnn::experiment_to_yaml(config);
  std::string again;
  try {
    again = nnn::experiment_to_yaml(nnn::parse_experiment(resolved, "resolved.yaml"));
  } catch (const nnn::Error& e) {
    std::fprintf(stderr, "resolved config:\n%s\nerror: %s\n", resolved.c_str(), e.what());
    NNN_FUZZ_REQUIRE(false, "the resolved config of an accepted config is refused");
  }
  if (without_comments(again) != without_comments(resolved)) {
    std::fprintf(stderr, "resolved:\n%s\nread back:\n%s\n", resolved.c_str(), again.c_str());
    NNN_FUZZ_REQUIRE(false, "the resolved config does not read back to itself");
  }
  return 0;
}
