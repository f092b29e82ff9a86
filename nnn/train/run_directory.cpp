// Run directories: names, creation and the checks before a resume or a read.
#include "nnn/train/run_directory.h"

#include <ctime>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "nnn/util/error.h"
#include "nnn/util/files.h"

namespace nnn {

namespace fs = std::filesystem;

RunDirectory::RunDirectory(std::string path) : path_(std::move(path)) {}

RunDirectory RunDirectory::named(const std::string& name) {
  const std::string base = "runs/" + name + "-" + timestamp();
  std::string dir = base;
  for (int k = 2; fs::exists(dir); ++k) dir = base + "-" + std::to_string(k);
  return RunDirectory(dir);
}

RunDirectory RunDirectory::at_or_named(const std::string& path, const std::string& name) {
  return path.empty() ? named(name) : RunDirectory(path);
}

std::string RunDirectory::file(const char* name) const { return (fs::path(path_) / name).string(); }

bool RunDirectory::has(const char* name) const { return fs::exists(fs::path(path_) / name); }

void RunDirectory::create_for_new_run(bool over_unfinished_attempt) const {
  NNN_CHECK(!has(RunFiles::kCheckpoint) && (over_unfinished_attempt || !has(RunFiles::kConfig)),
            "run directory ", path_, " already holds a run; resume it or choose another directory");
  fs::create_directories(path_);
}

void RunDirectory::check_is_run() const {
  NNN_CHECK(has(RunFiles::kConfig), path_, ": no ", RunFiles::kConfig,
            " there; is it a run directory?");
}

void RunDirectory::check_resumable() const {
  NNN_CHECK(has(RunFiles::kConfig), "run directory ", path_, ": no ", RunFiles::kConfig,
            " there; is it a run directory?");
  NNN_CHECK(has(RunFiles::kCheckpoint), "run directory ", path_, ": no ", RunFiles::kCheckpoint,
            " yet (the run stopped before its first epoch ended); start it again");
}

std::vector<double> RunDirectory::recorded_test_accuracy() const {
  const std::string name = summary();
  try {
    const auto parsed = nlohmann::json::parse(read_file(name));
    return parsed.at("test").at("accuracy").get<std::vector<double>>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(name + ": not a readable run summary (" + e.what() + ")");
  }
}

std::string config_file_of(const std::string& path) {
  return fs::is_directory(path) ? RunDirectory(path).config() : path;
}

std::string timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d-%H%M%S", &local);
  return text;
}

}  // namespace nnn
