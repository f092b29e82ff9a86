// Dataset selection by name.
#include "nnn/data/load.h"

#include "nnn/core/error.h"
#include "nnn/data/spiral.h"

namespace nnn {

DataSplit load_data(const DataConfig& config, uint64_t seed) {
  if (config.dataset == "spiral") {
    // Independent draws: the test points come from a derived seed.
    return {make_spiral(config.classes, config.train_per_class, config.noise, seed),
            make_spiral(config.classes, config.test_per_class, config.noise,
                        seed ^ 0x9E3779B97F4A7C15ULL)};
  }
  throw Error("data.dataset '" + config.dataset + "' is not known; expected spiral");
}

}  // namespace nnn
