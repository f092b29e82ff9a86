// The web page's files (nnn/serve/assets/), compiled into the binary at
// build time (cmake/NnnEmbedAssets.cmake), so `nnn serve` fetches nothing.
#pragma once

#include <string_view>

namespace nnn {

struct Asset {
  std::string_view path;          // "/", "/app.js", "/style.css"
  std::string_view content_type;  // with charset
  std::string_view body;
};

/// The asset served at `path`, or nullptr.
const Asset* find_asset(std::string_view path);

}  // namespace nnn
