// Cell layout for the web demo.
#include "nnn/core/wiring_layout.h"

#include <algorithm>
#include <deque>
#include <numeric>

namespace nnn {

std::vector<CellPlace> layout_cells(const Wiring& wiring) {
  const int64_t n = wiring.size();
  std::vector<int64_t> column(static_cast<size_t>(n), -1);
  std::deque<int64_t> queue;
  for (int64_t c : wiring.inputs()) {
    column[static_cast<size_t>(c)] = 0;
    queue.push_back(c);
  }
  while (!queue.empty()) {
    const int64_t i = queue.front();
    queue.pop_front();
    for (int64_t j = 0; j < n; ++j) {
      if (wiring.channels(i, j) > 0 && column[static_cast<size_t>(j)] < 0) {
        column[static_cast<size_t>(j)] = column[static_cast<size_t>(i)] + 1;
        queue.push_back(j);
      }
    }
  }
  const auto out = static_cast<size_t>(wiring.output());
  int64_t last = 0;
  for (size_t c = 0; c < column.size(); ++c) {
    if (column[c] < 0) column[c] = 0;
    if (c != out) last = std::max(last, column[c]);
  }
  // The output cell alone on the right (unless it is the only cell).
  column[out] = n == 1 ? 0 : last + 1;
  const int64_t columns = column[out] + 1;

  std::vector<std::vector<int64_t>> members(static_cast<size_t>(columns));
  for (int64_t c = 0; c < n; ++c)
    members[static_cast<size_t>(column[static_cast<size_t>(c)])].push_back(c);
  std::vector<double> position(static_cast<size_t>(n), 0.0);  // row centre in [0, 1]
  auto place = [&](size_t col) {
    const auto& cells = members[col];
    for (size_t r = 0; r < cells.size(); ++r) {
      position[static_cast<size_t>(cells[r])] =
          (static_cast<double>(r) + 0.5) / static_cast<double>(cells.size());
    }
  };
  for (size_t col = 0; col < members.size(); ++col) place(col);
  for (int sweep = 0; sweep < 4; ++sweep) {
    for (size_t col = 1; col < members.size(); ++col) {
      auto& cells = members[col];
      std::vector<double> key(static_cast<size_t>(n), 0.0);
      for (int64_t j : cells) {
        double sum = 0;
        int64_t count = 0;
        for (int64_t i = 0; i < n; ++i) {
          if (i != j && wiring.channels(i, j) > 0 &&
              column[static_cast<size_t>(i)] < static_cast<int64_t>(col)) {
            sum += position[static_cast<size_t>(i)];
            ++count;
          }
        }
        key[static_cast<size_t>(j)] =
            count ? sum / static_cast<double>(count) : position[static_cast<size_t>(j)];
      }
      std::stable_sort(cells.begin(), cells.end(), [&](int64_t a, int64_t b) {
        const double ka = key[static_cast<size_t>(a)], kb = key[static_cast<size_t>(b)];
        return ka != kb ? ka < kb : a < b;
      });
      place(col);
    }
  }

  std::vector<CellPlace> places(static_cast<size_t>(n));
  for (size_t col = 0; col < members.size(); ++col) {
    const auto& cells = members[col];
    for (size_t r = 0; r < cells.size(); ++r) {
      CellPlace& p = places[static_cast<size_t>(cells[r])];
      p.column = static_cast<int64_t>(col);
      p.row = static_cast<int64_t>(r);
      p.x = (static_cast<double>(col) + 0.5) / static_cast<double>(columns);
      p.y = (static_cast<double>(r) + 0.5) / static_cast<double>(cells.size());
    }
  }
  return places;
}

}  // namespace nnn
