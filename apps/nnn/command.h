// The `nnn` command line: every subcommand lives in its own file and adds
// itself to the CLI11 app with add_<name>_command(); main() only dispatches.
// Options are bound to variables, so an option that parses is also used.
#pragma once

#include <CLI/CLI.hpp>
#include "nnn/runtime/device_setting.h"

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace nnn::cli {

/// A mistake on the command line found after parsing (two options that do
/// not go together, ...): reported like CLI11's own errors, exit code 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Exit codes: 0 done, 1 failed (bad input, a run that failed), 2 usage
/// error, 130 interrupted (a checkpoint was saved).
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInterrupted = 130;

/// The subcommands and what runs when one is chosen.
class Commands {
 public:
  explicit Commands(CLI::App& app) : app_(app) {}
  /// A new subcommand whose `run` is called after a successful parse.
  CLI::App* add(const std::string& name, const std::string& description, std::function<int()> run);
  /// Runs the chosen subcommand; the exit code.
  int run_selected() const;

 private:
  CLI::App& app_;
  std::vector<std::pair<CLI::App*, std::function<int()>>> commands_;
};

/// Help that fits 80 columns: descriptions wrapped, one line per subcommand
/// in the list (its first sentence; `nnn CMD --help` has it all), value
/// labels without CLI11's type names. Set before the subcommands are added
/// (they copy it).
void use_wrapped_help(CLI::App& app);
/// `text` wrapped to `width` columns, lines joined by '\n'.
std::string wrap_text(const std::string& text, size_t width);

/// Positional `key=value` settings (Hydra-style overrides of the config).
CLI::Option* add_overrides(CLI::App* command, std::vector<std::string>& overrides);
/// A validator for a directory that holds a run (its config.yaml).
const CLI::Validator& run_directory();
/// A finite number: refuses NaN and the infinities (and text that is none).
const CLI::Validator& finite_number();
/// A device: auto, cpu, cuda or cuda:N (DeviceSetting::parse).
const CLI::Validator& device_setting();
/// Renders the Graphviz DOT file `dot` as `format` (svg, png) into `out` with
/// Graphviz's `dot` (run directly, no shell); false when Graphviz is not
/// installed, nnn::Error when it fails on the file.
bool render_dot(const std::string& dot, const std::string& format, const std::string& out);
/// A --device option's text as a setting; nothing when it was not given.
std::optional<DeviceSetting> device_option(const std::string& text);

/// Local ranks (`--nproc`) a machine takes: this many per core, and at
/// least kMinLocalRankBound.
inline constexpr int64_t kLocalRanksPerCore = 4;
inline constexpr int64_t kMinLocalRankBound = 8;
/// UsageError when `nproc` local ranks are more than this machine takes
/// (more only share cores to no one's gain); `elsewhere` says what to use
/// across machines.
void check_local_ranks(const std::string& command, int64_t nproc, const std::string& elsewhere);

void add_train_command(Commands& commands);
void add_eval_command(Commands& commands);
void add_lesion_command(Commands& commands);
void add_wiring_command(Commands& commands);
void add_bench_command(Commands& commands);
void add_compare_command(Commands& commands);
void add_frames_command(Commands& commands);
void add_predict_command(Commands& commands);
void add_sweep_command(Commands& commands);
void add_search_command(Commands& commands);
void add_serve_command(Commands& commands);
/// make-video, track, read-video and video-eval.
void add_video_commands(Commands& commands);
void add_make_plates_command(Commands& commands);
void add_micrograd_demo_command(Commands& commands);
void add_info_command(Commands& commands);

}  // namespace nnn::cli
