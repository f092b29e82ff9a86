// The training progress display.
#include "nnn/train/progress.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <string>
#include <vector>

namespace nnn {

namespace {

std::string percents(const std::vector<double>& values) {
  std::string out;
  for (double v : values) out += fmt::format(" {:5.1f}", 100.0 * v);
  return out;
}

}  // namespace

TrainingProgress::TrainingProgress(std::ostream& out, bool bar, int64_t epochs, int64_t batch_size,
                                   int64_t log_every)
    : out_(out), bar_(bar), epochs_(epochs), batch_size_(batch_size), log_every_(log_every) {}

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
  const double rate = seconds > 0 ? static_cast<double>((batch + 1) * batch_size_) / seconds : 0;
  const double eta =
      seconds / static_cast<double>(batch + 1) * static_cast<double>(batches - batch - 1);
  const int width = 24;
  const int filled = static_cast<int>(width * (batch + 1) / batches);
  fmt::print(out_, "\r epoch {}/{} [{}{}] {}/{} loss {:.4f} {:.0f} samples/s ETA {:.0f}s   ", epoch,
             epochs_, std::string(filled, '#'), std::string(width - filled, '.'), batch + 1,
             batches, loss(), rate, eta);
  out_.flush();
}

void TrainingProgress::epoch(const EpochReport& r) {
  clear();
  fmt::print(out_, "epoch {:3d}/{} loss {:.4f}", r.epoch, epochs_, r.train_loss);
  if (r.test.samples > 0) {
    fmt::print(out_, " | test loss {:.4f} acc % per step{}", r.test.loss,
               percents(r.test.accuracy));
  }
  fmt::print(out_, " | lr {:.3g} | {:.0f} samples/s | {:.1f} s\n", r.lr, r.samples_per_second,
             r.seconds);
  out_.flush();
}

void TrainingProgress::clear() {
  if (!bar_) return;
  out_ << "\r" << std::string(100, ' ') << "\r";
  out_.flush();
}

}  // namespace nnn
