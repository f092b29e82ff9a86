// Device settings as text.
#include "nnn/runtime/device_setting.h"

#include "nnn/util/error.h"

namespace nnn {

DeviceSetting DeviceSetting::parse(const std::string& text) {
  if (text == "auto") return {Kind::kAuto, -1};
  if (text == "cpu") return {Kind::kCpu, -1};
  if (text == "cuda") return {Kind::kCuda, -1};
  if (text.rfind("cuda:", 0) == 0) {
    const std::string digits = text.substr(5);
    if (!digits.empty() && digits.size() <= 4 &&
        digits.find_first_not_of("0123456789") == std::string::npos) {
      return {Kind::kCuda, std::stoll(digits)};
    }
  }
  throw Error("expected auto, cpu, cuda or cuda:N (N a GPU index); found " + quoted(text));
}

std::string DeviceSetting::str() const {
  switch (kind) {
    case Kind::kAuto:
      return "auto";
    case Kind::kCpu:
      return "cpu";
    case Kind::kCuda:
      break;
  }
  return index < 0 ? "cuda" : "cuda:" + std::to_string(index);
}

}  // namespace nnn
