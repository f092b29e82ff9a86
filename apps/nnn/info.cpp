// `nnn info`: versions, cores and whether CUDA is available.
#include <fmt/core.h>

#include "apps/nnn/command.h"
#include "nnn/runtime/runtime_info.h"
#include "nnn/version.h"

namespace nnn::cli {

void add_info_command(Commands& commands) {
  commands.add("info", "Print versions, cores and whether CUDA is available.", [] {
    fmt::print("nnn {}\n{}", kVersion, runtime_info());
    return 0;
  });
}

}  // namespace nnn::cli
