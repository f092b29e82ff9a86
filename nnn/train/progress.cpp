// The training progress display.
#include "nnn/train/progress.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace nnn {

namespace {

// Steps shown per epoch line: the last ones the input can reach.
constexpr int64_t kShownSteps = 4;

}  // namespace

std::string duration_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  if (seconds < 9.95) return fmt::format("{:.1f} s", seconds);
  const auto s = static_cast<int64_t>(std::llround(seconds));
  if (s < 60) return fmt::format("{} s", s);
  if (s < 3600) return fmt::format("{} min {:02d} s", s / 60, s % 60);
  return fmt::format("{} h {:02d} min", s / 3600, (s % 3600) / 60);
}

TrainingProgress::TrainingProgress(std::ostream& out, bool bar, int64_t epochs, int64_t batch_size,
                                   int64_t log_every, int64_t first_step, int64_t first_epoch)
    : out_(out),
      bar_(bar),
      epochs_(epochs),
      batch_size_(batch_size),
      log_every_(log_every),
      first_step_(std::max<int64_t>(1, first_step)),
      first_epoch_(std::max<int64_t>(1, first_epoch)) {}

void TrainingProgress::batch(int64_t epoch, int64_t batch, int64_t batches,
                             const std::function<double()>& loss) {
  if (!bar_) {
    if ((batch + 1) % log_every_ == 0 && batch + 1 < batches) {
      fmt::print(out_, "epoch {} batch {}/{} loss {:.4f}\n", epoch, batch + 1, batches, loss());
      out_.flush();
    }
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (batch == 0) epoch_start_ = now;
  if (now - last_ < std::chrono::milliseconds(200) && batch + 1 < batches) return;
  last_ = now;
  const double seconds = std::chrono::duration<double>(now - epoch_start_).count();
  const double per_batch = seconds / static_cast<double>(batch + 1);
  const double epoch_left = per_batch * static_cast<double>(batches - batch - 1);
  // The rest of this epoch, then the epochs after it at this epoch's pace.
  const double run_left =
      epoch_left + per_batch * static_cast<double>(batches) * static_cast<double>(epochs_ - epoch);
  const int width = 20;
  const int filled = static_cast<int>(width * (batch + 1) / batches);
  fmt::print(out_, "\r epoch {}/{} [{}{}] {}/{} loss {:.4f} | left: epoch {}, run {}   ", epoch,
             epochs_, std::string(filled, '#'), std::string(width - filled, '.'), batch + 1,
             batches, loss(), duration_text(epoch_left), duration_text(run_left));
  out_.flush();
}

std::string TrainingProgress::epoch_line(const EpochReport& r, double run_left) const {
  std::string line = fmt::format("epoch {:>{}}/{} loss {:.4f}", r.epoch,
                                 std::to_string(epochs_).size(), epochs_, r.train_loss);
  const auto steps = static_cast<int64_t>(r.test.accuracy.size());
  if (r.test.samples > 0 && steps > 0) {
    // The steps the input can reach, the last kShownSteps of them.
    const int64_t last = steps;
    const int64_t first = std::max(std::min(first_step_, last), last - kShownSteps + 1);
    line += first == last ? fmt::format(" | test % at step {}:", last)
                          : fmt::format(" | test % at steps {}-{}:", first, last);
    for (int64_t t = first; t <= last; ++t) {
      line += fmt::format(" {:.1f}", 100.0 * r.test.accuracy[static_cast<size_t>(t - 1)]);
    }
  }
  line += fmt::format(" | {}", duration_text(r.seconds));
  if (r.epoch < epochs_ && run_left >= 0) line += fmt::format(", {} left", duration_text(run_left));
  return line;
}

void TrainingProgress::epoch(const EpochReport& r) {
  clear();
  // The pace of this session's epochs so far, for the ones still to come.
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - session_start_).count();
  const int64_t done = r.epoch - first_epoch_ + 1;
  const double run_left =
      done > 0 ? elapsed / static_cast<double>(done) * static_cast<double>(epochs_ - r.epoch)
               : -1.0;
  fmt::print(out_, "{}\n", epoch_line(r, run_left));
  out_.flush();
}

void TrainingProgress::clear() {
  if (!bar_) return;
  out_ << "\r" << std::string(100, ' ') << "\r";
  out_.flush();
}

}  // namespace nnn
