// TensorBoard's event files, written on well-kept parts: the records are
// protobuf messages (nnn/tracking/tensorboard.proto, with TensorBoard's
// public field numbers; Debian's protobuf-compiler and libprotobuf-lite),
// framed as TFRecords whose checksums are CRC32C from Google's crcutil
// (Debian's libcrcutil). Torch-free.
//
// A TFRecord: the data's length (uint64, little-endian), the masked CRC32C
// of those 8 bytes, the data, the masked CRC32C of the data.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace nnn {

/// CRC32C (Castagnoli) of `bytes`.
uint32_t crc32c(const std::string& bytes);
/// TensorBoard's masked CRC: rotated right by 15 bits, plus 0xa282ead8.
uint32_t masked_crc32c(const std::string& bytes);

/// `data` framed as one TFRecord.
std::string tf_record(const std::string& data);
/// The records of an event file's bytes, checksums checked. A last record
/// cut short (a writer killed mid-write) ends the list; `complete` says
/// whether every byte belonged to a whole record. nnn::Error naming `name`
/// and the offset for a bad checksum.
std::vector<std::string> read_tf_records(const std::string& bytes, const std::string& name,
                                         bool* complete = nullptr);

/// A hyperparameter's value for TensorBoard's HParams dashboard: a number
/// when `text` reads as one, true/false as a bool, else a string.
struct HParamValue {
  enum class Kind { kNumber, kBool, kString } kind = Kind::kString;
  double number = 0;
  bool flag = false;
  std::string text;
  static HParamValue parse(const std::string& text);
};

/// One hyperparameter of a sweep: its name and the values it takes.
struct HParamAxis {
  std::string name;
  std::vector<std::string> values;
};

/// Serialised Event records (each a tf_record), as TensorBoard reads them.
/// `wall_time` is seconds since the Unix epoch.
namespace events {

/// The first record of every event file: file_version "brain.Event:2".
std::string file_version(double wall_time);
/// A scalar (the Scalars dashboard): tag, step, value.
std::string scalar(const std::string& tag, int64_t step, double value, double wall_time);
/// Markdown text (the Text dashboard).
std::string text(const std::string& tag, int64_t step, const std::string& markdown,
                 double wall_time);
/// The HParams dashboard's experiment: the swept hyperparameters and their
/// values, and the metrics (scalar tags) to show per session.
std::string hparams_experiment(const std::vector<HParamAxis>& axes,
                               const std::vector<std::string>& metric_tags, double wall_time);
/// A session's (one run's) hyperparameters; `group` names the session.
std::string hparams_session_start(const std::map<std::string, HParamValue>& hparams,
                                  const std::string& group, double wall_time);
/// A session's end: finished (or failed).
std::string hparams_session_end(bool success, double wall_time);

}  // namespace events

/// Seconds since the Unix epoch, now.
double wall_clock_seconds();

}  // namespace nnn
