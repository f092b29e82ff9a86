// A run's TensorBoard events.
#include "nnn/tracking/run_events.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "nnn/util/error.h"
#include "nnn/util/files.h"

namespace nnn {

namespace fs = std::filesystem;

namespace {

constexpr const char* kRecordsKey = "tensorboard_records";
constexpr const char* kNameKey = "tensorboard_file";
constexpr const char* kHparamsKey = "tensorboard_hparams";

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "localhost";
  std::string out;
  for (const char* c = name; *c != '\0'; ++c) {
    out += std::isalnum(static_cast<unsigned char>(*c)) || *c == '-' || *c == '.' ? *c : '_';
  }
  return out;
}

// "| step | accuracy | ... |" rows of an evaluation.
std::string step_table(const Evaluation& e) {
  std::string md = fmt::format("Test set: {} samples; per thinking step:\n\n", e.samples);
  md += "| step | accuracy | top-3 | confidence | ECE |\n|---:|---:|---:|---:|---:|\n";
  for (size_t t = 0; t < e.accuracy.size(); ++t) {
    md += fmt::format("| {} | {:.2f}% | {:.2f}% | {:.3f} | {:.3f} |\n", t + 1, 100 * e.accuracy[t],
                      100 * e.top3[t], e.confidence[t], e.ece[t]);
  }
  return md;
}

std::string code_block(const std::string& text) {
  // Four spaces per line: Markdown's code block, whatever backticks the text holds.
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    out += "    " + text.substr(start, end == std::string::npos ? std::string::npos : end - start) +
           "\n";
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

}  // namespace

RunEvents::RunEvents(int64_t steps) : steps_(steps) {}

void RunEvents::restore(const std::map<std::string, std::string>& extra) {
  const auto records = extra.find(kRecordsKey);
  const auto name = extra.find(kNameKey);
  if (records == extra.end() || name == extra.end()) return;
  bool complete = false;
  read_tf_records(records->second, "the checkpoint's TensorBoard records", &complete);
  NNN_CHECK(complete, "the checkpoint's TensorBoard records end in a partial record");
  NNN_CHECK(name->second.rfind("events.out.tfevents.", 0) == 0 &&
                name->second.find('/') == std::string::npos,
            "the checkpoint names an event file ", quoted(name->second, 80),
            "; expected events.out.tfevents.*");
  records_ = records->second;
  name_ = name->second;
  hparams_ = extra.count(kHparamsKey) > 0;
  written_ = std::string::npos;
}

std::map<std::string, std::string> RunEvents::checkpoint_extra() const {
  std::map<std::string, std::string> extra;
  if (name_.empty()) return extra;
  extra[kRecordsKey] = records_;
  extra[kNameKey] = name_;
  if (hparams_) extra[kHparamsKey] = "1";
  return extra;
}

void RunEvents::start(const std::string& config_yaml, const std::string& wiring_dot,
                      const std::map<std::string, HParamValue>& hparams, const std::string& group) {
  if (!name_.empty()) return;  // a resumed run has its start
  const double now = wall_clock_seconds();
  name_ = fmt::format("events.out.tfevents.{}.{}.{}.nnn", static_cast<int64_t>(now), host_name(),
                      ::getpid());
  records_ = events::file_version(now);
  records_ += events::text("config", 0, code_block(config_yaml), now);
  records_ += events::text(
      "wiring", 0, "The wiring (Graphviz DOT; `dot -Tsvg` draws it):\n\n" + code_block(wiring_dot),
      now);
  if (!hparams.empty()) {
    records_ += events::hparams_session_start(hparams, group, now);
    hparams_ = true;
  }
}

void RunEvents::append(const EpochReport& r) {
  NNN_CHECK(!name_.empty(), "tensorboard: append() before start()");
  const double now = wall_clock_seconds();
  const int64_t step = r.epoch;
  auto scalar = [&](const std::string& tag, double value) {
    if (std::isfinite(value)) records_ += events::scalar(tag, step, value, now);
  };
  scalar("train/loss", r.train_loss);
  scalar("train/lr", r.lr);
  scalar("train/samples_per_second", r.samples_per_second);
  for (size_t t = 0; t < r.train_accuracy.size(); ++t) {
    scalar(fmt::format("train/accuracy/step_{}", t + 1), r.train_accuracy[t]);
  }
  scalar("time/epoch_seconds", r.seconds);
  const Evaluation& e = r.test;
  if (e.samples > 0) {
    scalar("test/loss", e.loss);
    if (!e.accuracy.empty()) scalar("test/accuracy", e.accuracy.back());
    for (size_t t = 0; t < e.accuracy.size(); ++t) {
      const auto s = t + 1;
      scalar(fmt::format("test/accuracy/step_{}", s), e.accuracy[t]);
      scalar(fmt::format("test/top3/step_{}", s), e.top3[t]);
      scalar(fmt::format("test/confidence/step_{}", s), e.confidence[t]);
      scalar(fmt::format("test/ece/step_{}", s), e.ece[t]);
    }
  }
}

void RunEvents::finish(const EpochReport& last) {
  NNN_CHECK(!name_.empty(), "tensorboard: finish() before start()");
  const double now = wall_clock_seconds();
  if (last.test.samples > 0) {
    records_ += events::text("test/accuracy_per_step", last.epoch, step_table(last.test), now);
  }
  if (hparams_) records_ += events::hparams_session_end(true, now);
}

void RunEvents::write(const std::string& run_dir) {
  if (name_.empty()) return;
  const fs::path dir = fs::path(run_dir) / "tensorboard";
  const std::string path = (dir / name_).string();
  if (written_ == std::string::npos) {
    // First write of this session: what is the file's state?
    std::error_code error;
    fs::create_directories(dir, error);
    NNN_CHECK(!error, dir.string(), ": cannot create the TensorBoard folder: ", error.message());
    std::string on_disk;
    if (fs::exists(path)) on_disk = read_file(path);
    const bool prefix =
        on_disk.size() <= records_.size() && records_.compare(0, on_disk.size(), on_disk) == 0;
    if (!prefix) {
      write_file_atomically(path, records_);
      written_ = records_.size();
      return;
    }
    written_ = on_disk.size();
  }
  if (written_ == records_.size()) return;
  // One write of whole records: a kill leaves whole records (TensorBoard
  // also waits out a record cut short by a full disk).
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  NNN_CHECK(fd >= 0, path, ": cannot open for appending: ", std::strerror(errno));
  const std::string pending = records_.substr(written_);
  size_t done = 0;
  while (done < pending.size()) {
    const ssize_t n = ::write(fd, pending.data() + done, pending.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int e = errno;
      ::close(fd);
      // The file now ends in a partial record: rewrite it whole next time.
      written_ = std::string::npos;
      NNN_CHECK(false, path, ": cannot append TensorBoard records: ", std::strerror(e));
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  written_ = records_.size();
}

}  // namespace nnn
