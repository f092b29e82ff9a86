// Labelled multi-frame datasets on disk.
#include "nnn/data/frame_set.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "nnn/data/idx.h"
#include "nnn/util/error.h"
#include "nnn/util/files.h"
#include "nnn/util/numbers.h"

namespace nnn {

namespace fs = std::filesystem;

namespace {

const char* kVersionLine = "# nnn frame set, version 1";
const char* kHeader = "label\tplate\tdigit\tvideo\tframes\tboxes";
const char* kFramesFile = "frames-idx4-ubyte";
const char* kLabelsFile = "labels-idx1-ubyte";
constexpr int64_t kSide = 28;
constexpr int64_t kMaxFrames = 1000;

// part_NNNN -> NNNN, or -1 for any other name (a .partial folder included).
int64_t part_number(const std::string& name) {
  if (name.size() != 9 || name.rfind("part_", 0) != 0 || !all_digits(name.substr(5))) return -1;
  return std::stoll(name.substr(5));
}

std::vector<fs::path> parts_of(const std::string& dir) {
  std::vector<fs::path> parts;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_directory() && part_number(entry.path().filename().string()) >= 0) {
      parts.push_back(entry.path());
    }
  }
  std::sort(parts.begin(), parts.end());
  return parts;
}

// A whole decimal number of `cell`, or an error naming the place.
int64_t whole_number(const std::string& cell, const std::string& where) {
  NNN_CHECK(cell.size() <= 9 && all_digits(cell), where, ": expected a whole number; found ",
            quoted(cell, 20));
  return std::stoll(cell);
}

// One part: its IDX files and manifest, checked against each other.
FrameSet read_part(const fs::path& part) {
  const std::string frames_path = (part / kFramesFile).string();
  const std::string labels_path = (part / kLabelsFile).string();
  const std::string manifest_path = (part / "manifest.tsv").string();
  IdxArray x = read_idx(frames_path);
  IdxArray y = read_idx(labels_path);
  NNN_CHECK(x.type == IdxType::kUInt8 && x.dims.size() == 4 && x.dims[2] == kSide &&
                x.dims[3] == kSide && x.dims[1] >= 1 && x.dims[1] <= kMaxFrames,
            frames_path, ": expected uint8 frames [n, F, 28, 28] (F 1..", kMaxFrames, "); found ",
            x.dims.size(), " dimensions");
  NNN_CHECK(y.type == IdxType::kUInt8 && y.dims.size() == 1, labels_path,
            ": expected uint8 labels [n]");
  NNN_CHECK(x.dims[0] == y.dims[0], frames_path, " holds ", x.dims[0], " samples but ", labels_path,
            " holds ", y.dims[0], " labels");
  std::istringstream in(read_file(manifest_path));
  std::string line;
  std::getline(in, line);
  NNN_CHECK(line == kVersionLine, manifest_path,
            ": not a frame set this nnn reads (its first line is ", quoted(line, 40), "; expected ",
            quoted(kVersionLine), ")");
  std::getline(in, line);
  NNN_CHECK(line == kHeader, manifest_path, ": expected the header ", quoted(kHeader, 80));
  FrameSet set;
  const int64_t n = x.dims[0], frames = x.dims[1];
  for (int64_t row = 0; std::getline(in, line); ++row) {
    const std::string where = fmt::format("{}:{}", manifest_path, row + 3);
    std::vector<std::string> cells;
    std::string cell;
    std::istringstream fields(line);
    while (std::getline(fields, cell, '\t')) cells.push_back(cell);
    NNN_CHECK(cells.size() == 6, where, ": expected 6 tab-separated columns; found ", cells.size());
    NNN_CHECK(row < n, manifest_path, ": more rows than the ", n, " samples of ", frames_path);
    FrameSetRow r;
    r.label = whole_number(cells[0], where + " (label)");
    NNN_CHECK(r.label == y.data[static_cast<size_t>(row)], where, ": label ", r.label, " but ",
              labels_path, " says ", static_cast<int>(y.data[static_cast<size_t>(row)]));
    r.plate = cells[1];
    r.digit = whole_number(cells[2], where + " (digit)");
    r.video = cells[3];
    std::istringstream numbers(cells[4]);
    while (std::getline(numbers, cell, ','))
      r.frames.push_back(whole_number(cell, where + " (frames)"));
    NNN_CHECK(static_cast<int64_t>(r.frames.size()) == frames, where, ": ", r.frames.size(),
              " frame numbers for samples of ", frames, " frames");
    r.boxes = cells[5];
    set.rows.push_back(std::move(r));
  }
  NNN_CHECK(static_cast<int64_t>(set.rows.size()) == n, manifest_path, ": ", set.rows.size(),
            " rows for the ", n, " samples of ", frames_path);
  for (uint8_t label : y.data) {
    NNN_CHECK(label <= 9, labels_path, ": label ", static_cast<int>(label), " is not a digit");
  }
  set.frames = torch::from_blob(x.data.data(), {n, frames, kSide * kSide}, torch::kUInt8).clone();
  set.labels = torch::from_blob(y.data.data(), {n}, torch::kUInt8).to(torch::kInt64);
  return set;
}

}  // namespace

std::vector<std::string> FrameSet::videos() const {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& row : rows) {
    if (seen.insert(row.video).second) out.push_back(row.video);
  }
  return out;
}

FrameSet read_frame_set(const std::string& dir) {
  NNN_CHECK(fs::is_directory(dir), dir, ": no such dataset folder");
  const auto parts = parts_of(dir);
  NNN_CHECK(!parts.empty(), dir, ": no samples (no part_NNNN folders; nnn label writes them)");
  FrameSet all;
  std::vector<torch::Tensor> frames, labels;
  for (const auto& part : parts) {
    FrameSet set = read_part(part);
    NNN_CHECK(frames.empty() || set.frame_count() == frames.front().size(1), part.string(),
              " holds samples of ", set.frame_count(), " frames but ", parts.front().string(),
              " of ", frames.empty() ? 0 : frames.front().size(1),
              ": every sample of a frame set has the same number of frames");
    frames.push_back(set.frames);
    labels.push_back(set.labels);
    for (auto& row : set.rows) all.rows.push_back(std::move(row));
  }
  all.frames = torch::cat(frames);
  all.labels = torch::cat(labels);
  return all;
}

std::string append_frame_set(const std::string& dir, const torch::Tensor& frames,
                             const std::vector<FrameSetRow>& rows) {
  NNN_CHECK(frames.dim() == 4 && frames.scalar_type() == torch::kUInt8 && frames.size(2) == kSide &&
                frames.size(3) == kSide && frames.size(1) >= 1 && frames.size(1) <= kMaxFrames,
            "frame set: expected uint8 frames [n, F, 28, 28]; got ", frames.sizes());
  NNN_CHECK(frames.size(0) == static_cast<int64_t>(rows.size()) && frames.size(0) > 0,
            "frame set: ", frames.size(0), " samples but ", rows.size(), " rows");
  fs::create_directories(dir);
  int64_t next = 1;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && name.size() > 8 && name.substr(name.size() - 8) == ".partial") {
      fs::remove_all(entry.path());  // what a killed append left
    }
  }
  const auto parts = parts_of(dir);
  if (!parts.empty()) {
    const FrameSet first = read_part(parts.front());
    NNN_CHECK(first.frame_count() == frames.size(1), dir, " holds samples of ", first.frame_count(),
              " frames; these have ", frames.size(1));
    next = part_number(parts.back().filename().string()) + 1;
    NNN_CHECK(next <= 9999, dir, ": 9999 parts already; start another dataset");
  }
  IdxArray x;
  x.type = IdxType::kUInt8;
  x.dims = {frames.size(0), frames.size(1), kSide, kSide};
  const auto bytes = frames.contiguous();
  x.data.assign(bytes.data_ptr<uint8_t>(), bytes.data_ptr<uint8_t>() + bytes.numel());
  IdxArray y;
  y.type = IdxType::kUInt8;
  y.dims = {frames.size(0)};
  std::string manifest = std::string(kVersionLine) + "\n" + kHeader + "\n";
  for (const FrameSetRow& row : rows) {
    NNN_CHECK(row.label >= 0 && row.label <= 9, "frame set: label ", row.label, " is not a digit");
    NNN_CHECK(static_cast<int64_t>(row.frames.size()) == frames.size(1),
              "frame set: ", row.frames.size(), " frame numbers for samples of ", frames.size(1),
              " frames");
    for (const std::string* text : {&row.plate, &row.video, &row.boxes}) {
      NNN_CHECK(text->find_first_of("\t\n\r") == std::string::npos,
                "frame set: a tab or line break in ", quoted(*text, 40));
    }
    y.data.push_back(static_cast<uint8_t>(row.label));
    manifest += fmt::format("{}\t{}\t{}\t{}\t{}\t{}\n", row.label, row.plate, row.digit, row.video,
                            fmt::join(row.frames, ","), row.boxes);
  }
  const fs::path part = fs::path(dir) / fmt::format("part_{:04d}", next);
  const fs::path partial = fs::path(part.string() + ".partial");
  fs::create_directories(partial);
  write_idx((partial / kFramesFile).string(), x);
  write_idx((partial / kLabelsFile).string(), y);
  write_file_atomically((partial / "manifest.tsv").string(), manifest);
  fs::rename(partial, part);  // the part appears whole, or not at all
  return part.string();
}

}  // namespace nnn
