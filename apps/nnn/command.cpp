// Shared pieces of the subcommands: the dispatcher, overrides, validators.
#include "apps/nnn/command.h"

#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <sstream>
#include <thread>

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

std::string wrap_text(const std::string& text, size_t width) {
  std::string out, line;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      out += line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    start = end + 1;
  }
  return out + line;
}

namespace {

constexpr size_t kHelpWidth = 80;
constexpr size_t kHelpColumn = 26;

class WrappedHelp : public CLI::Formatter {
 public:
  WrappedHelp() { column_width(kHelpColumn); }
  std::string make_description(const CLI::App* app) const override {
    const std::string& text = app->get_description();
    return text.empty() ? "" : wrap_text(text, kHelpWidth) + "\n\n";
  }
  std::string make_subcommand(const CLI::App* sub) const override {
    // The first sentence, in at most three lines (the third ending in "..."
    // when it goes on).
    const size_t width = kHelpWidth - kHelpColumn;
    std::string text = sub->get_description();
    text = text.substr(0, text.find(". "));
    std::string wrapped = wrap_text(text, width);
    size_t cut = 0;
    for (int line = 0; line < 3 && cut != std::string::npos; ++line) {
      cut = wrapped.find('\n', line == 0 ? 0 : cut + 1);
    }
    if (cut != std::string::npos) {
      wrapped = wrapped.substr(0, cut);
      const size_t last_line = wrapped.rfind('\n') + 1;
      while (wrapped.size() - last_line + 4 > width)
        wrapped = wrapped.substr(0, wrapped.rfind(' '));
      wrapped += " ...";
    }
    std::stringstream out;
    CLI::detail::format_help(out, sub->get_display_name(true), wrapped, kHelpColumn);
    return out.str();
  }
  std::string make_option_opts(const CLI::Option* opt) const override {
    if (opt->get_type_size() == 0) return "";
    // CLI11's type name is "TYPE:VALIDATOR...": keep a validator's own label
    // (FILE, RUNDIR, DEVICE, KEY=VALUE) or the plain type, not the ranges.
    std::string label = opt->get_type_name();
    const size_t colon = label.find(':');
    if (colon != std::string::npos) {
      const std::string after = label.substr(colon + 1);
      label =
          after.find(' ') == std::string::npos && !after.empty() ? after : label.substr(0, colon);
    }
    const std::string given = opt->get_default_str();
    std::string out = " " + label;
    if (!given.empty() && given != "[]" && given != "\"\"") out += "=" + given;
    if (opt->get_expected_max() == CLI::detail::expected_max_vector_size) out += " ...";
    return out;
  }
  std::string make_option_desc(const CLI::Option* opt) const override {
    return wrap_text(opt->get_description(), kHelpWidth - kHelpColumn);
  }
};

}  // namespace

void use_wrapped_help(CLI::App& app) { app.formatter(std::make_shared<WrappedHelp>()); }

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

void check_local_ranks(const std::string& command, int64_t nproc, const std::string& elsewhere) {
  const int64_t cores = std::max<int64_t>(1, std::thread::hardware_concurrency());
  const int64_t most = std::max<int64_t>(kMinLocalRankBound, kLocalRanksPerCore * cores);
  if (nproc > most) {
    throw UsageError(fmt::format(
        "nnn {}: --nproc is {}; this machine has {} cores, so at most {} local ranks ({} per "
        "core); use {} across machines",
        command, nproc, cores, most, kLocalRanksPerCore, elsewhere));
  }
}

}  // namespace nnn::cli
