// Box parsing.
#include "nnn/video/box.h"

#include <cmath>
#include <sstream>
#include <vector>

#include "nnn/util/error.h"

namespace nnn {

Box parse_box(const std::string& text, const std::string& what) {
  std::vector<double> v;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    size_t used = 0;
    double d = 0;
    try {
      d = std::stod(part, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    NNN_CHECK(used > 0 && used == part.size() && std::isfinite(d), what,
              ": expected x,y,w,h (four numbers), found ", quoted(text, 40));
    v.push_back(d);
  }
  NNN_CHECK(v.size() == 4, what, ": expected x,y,w,h (four numbers), found ", quoted(text, 40));
  NNN_CHECK(v[2] > 0 && v[3] > 0, what, ": the width and height must be > 0; found ",
            quoted(text, 40));
  return {v[0], v[1], v[2], v[3]};
}

}  // namespace nnn
