// Shared pieces of the subcommands: the dispatcher, overrides, validators.
#include "apps/nnn/command.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "nnn/train/run_directory.h"
#include "nnn/util/error.h"

namespace nnn::cli {

CLI::App* Commands::add(const std::string& name, const std::string& description,
                        std::function<int()> run) {
  CLI::App* command = app_.add_subcommand(name, description);
  commands_.emplace_back(command, std::move(run));
  return command;
}

int Commands::run_selected() const {
  for (const auto& [command, run] : commands_) {
    if (command->parsed()) return run();
  }
  throw UsageError("a command is required; see 'nnn --help'");
}

CLI::Option* add_overrides(CLI::App* command, std::vector<std::string>& overrides) {
  static const CLI::Validator kKeyValue(
      [](std::string& text) -> std::string {
        const size_t eq = text.find('=');
        if (eq == std::string::npos || eq == 0) {
          return "expected dotted.key=value (e.g. train.lr=0.01), got '" + text + "'";
        }
        return "";
      },
      "KEY=VALUE");
  return command
      ->add_option("overrides", overrides,
                   "Settings that override the config: dotted.key=value, e.g. train.lr=0.01 "
                   "model.steps=6 (values in YAML syntax)")
      ->check(kKeyValue);
}

const CLI::Validator& finite_number() {
  // CLI11's Range and PositiveNumber let NaN through (every comparison with
  // NaN is false); every floating-point option goes through this first.
  static const CLI::Validator kFinite(
      [](std::string& text) -> std::string {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (end == text.c_str() || *end != '\0') return "'" + text + "' is not a number";
        if (!std::isfinite(value)) return "'" + text + "' is not a finite number";
        return "";
      },
      "NUMBER");
  return kFinite;
}

const CLI::Validator& device_setting() {
  static const CLI::Validator kDevice(
      [](std::string& text) -> std::string {
        try {
          DeviceSetting::parse(text);
          return "";
        } catch (const Error& e) {
          return e.what();
        }
      },
      "DEVICE");
  return kDevice;
}

bool render_dot(const std::string& dot, const std::string& format, const std::string& out) {
  const std::string type = "-T" + format;
  std::vector<char*> argv = {const_cast<char*>("dot"),       const_cast<char*>(type.c_str()),
                             const_cast<char*>(dot.c_str()), const_cast<char*>("-o"),
                             const_cast<char*>(out.c_str()), nullptr};
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, "dot", nullptr, nullptr, argv.data(), environ);
  if (spawned == ENOENT) return false;
  NNN_CHECK(spawned == 0, "Graphviz's dot could not be started: ", std::strerror(spawned));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  // posix_spawnp may report a missing program only as the child's exit 127.
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) return false;
  NNN_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "Graphviz's dot failed on ", dot,
            " (exit ", WIFEXITED(status) ? WEXITSTATUS(status) : -1, ")");
  return true;
}

std::optional<DeviceSetting> device_option(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return DeviceSetting::parse(text);
}

const CLI::Validator& run_directory() {
  static const CLI::Validator kRunDirectory(
      [](std::string& dir) -> std::string {
        namespace fs = std::filesystem;
        if (!fs::is_directory(dir)) return "run directory '" + dir + "' does not exist";
        if (!RunDirectory(dir).has(RunFiles::kConfig)) {
          return "'" + dir + "' holds no config.yaml; is it a run directory?";
        }
        return "";
      },
      "RUNDIR");
  return kRunDirectory;
}

}  // namespace nnn::cli
