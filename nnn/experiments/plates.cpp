// Plate rendering.
#include "nnn/experiments/plates.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <filesystem>

#include "nnn/data/augment.h"
#include "nnn/data/degrade.h"
#include "nnn/data/load_data.h"
#include "nnn/data/pgm.h"
#include "nnn/util/error.h"
#include "nnn/util/files.h"

namespace nnn {

std::vector<Plate> make_plates(const DataConfig& data, uint64_t data_seed,
                               const PlateOptions& options, const std::string& dir) {
  const Dataset source = load_test_digits(data, data_seed);
  return make_plates(source.inputs, source.labels, options, dir);
}

RenderedPlate render_plate(const at::Tensor& images, const at::Tensor& labels,
                           const at::Tensor& chosen, int64_t frame_count,
                           const DegradeOptions& degrade, uint64_t seed) {
  constexpr int64_t kSide = 28;
  const int64_t digits = chosen.size(0);
  const auto cells = images.index_select(0, chosen).to(torch::kFloat32);  // [K, 784]
  const auto frames = degrade_frames(cells, frame_count, degrade, seed)
                          .clamp(0.0, 1.0)
                          .view({frame_count, digits, kSide, kSide});
  RenderedPlate plate;
  for (int64_t k = 0; k < digits; ++k) {
    plate.reading += std::to_string(labels[chosen[k].item<int64_t>()].item<int64_t>());
  }
  for (int64_t f = 0; f < frame_count; ++f) {
    // [K, 28, 28] -> one 28 x 28K strip, dark ink on a light ground.
    const auto strip = (255.0 * (1.0 - frames[f].permute({1, 0, 2}).reshape({kSide, -1})))
                           .round()
                           .to(torch::kUInt8)
                           .contiguous();
    GreyImage image;
    image.width = kSide * digits;
    image.height = kSide;
    image.pixels.assign(strip.data_ptr<uint8_t>(), strip.data_ptr<uint8_t>() + strip.numel());
    plate.frames.push_back(std::move(image));
  }
  return plate;
}

std::vector<Plate> make_plates(const at::Tensor& images, const at::Tensor& labels,
                               const PlateOptions& o, const std::string& dir) {
  namespace fs = std::filesystem;
  constexpr int64_t kSide = 28;
  NNN_CHECK(o.plates >= 1, "the number of plates must be >= 1; got ", o.plates);
  NNN_CHECK(o.digits >= 1, "the digits per plate must be >= 1; got ", o.digits);
  NNN_CHECK(o.frames >= 1, "the frames per plate must be >= 1; got ", o.frames);
  NNN_CHECK(images.dim() == 2 && images.size(1) == kSide * kSide && images.size(0) > 0,
            "make-plates needs 28x28 digit images; got ", images.sizes());
  NNN_CHECK(labels.max().item<int64_t>() <= 9, "make-plates needs digit classes 0-9; found ",
            labels.max().item<int64_t>());
  fs::create_directories(dir);
  auto generator = at::detail::createCPUGenerator(mix_seed(o.seed, salt::kPlateDigits));
  const auto picks = torch::randint(images.size(0), {o.plates, o.digits}, generator, torch::kLong);
  std::vector<Plate> plates;
  std::string table = "plate\treading\tframes\n";
  for (int64_t p = 0; p < o.plates; ++p) {
    RenderedPlate rendered = render_plate(images, labels, picks[p], o.frames, o.degrade,
                                          mix_seed(o.seed, static_cast<uint64_t>(p)));
    Plate plate;
    plate.reading = rendered.reading;
    const std::string name = fmt::format("plate_{:03d}", p + 1);
    fs::create_directories(fs::path(dir) / name);
    for (int64_t f = 0; f < o.frames; ++f) {
      const std::string file =
          (fs::path(dir) / name / fmt::format("frame_{:02d}.pgm", f + 1)).string();
      write_pgm(file, rendered.frames[static_cast<size_t>(f)]);
      plate.files.push_back(file);
    }
    table += name + "\t" + plate.reading;
    for (const auto& file : plate.files) table += "\t" + file;
    table += "\n";
    plates.push_back(std::move(plate));
  }
  write_file_atomically((fs::path(dir) / "plates.tsv").string(), table);
  return plates;
}

}  // namespace nnn
