// TensorBoard's event files: the framing (CRC32C, TFRecords) and a run's
// events across a kill and a resume. What TensorBoard itself reads of them
// is tests/tracking/tensorboard_test.py.
#include "nnn/tracking/event_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>

#include <filesystem>
#include <fstream>

#include "nnn/tracking/run_events.h"
#include "nnn/util/files.h"
#include "tests/test_util.h"

namespace nnn {
namespace {

namespace fs = std::filesystem;
using testing::expect_error;

TEST(EventFile, Crc32cIsCastagnolis) {
  // The check value of CRC-32C (RFC 3720's and every CRC catalogue's).
  EXPECT_EQ(crc32c("123456789"), 0xe3069283u);
  EXPECT_EQ(crc32c(""), 0u);
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8a9136aau);  // RFC 3720 B.4: 32 bytes of zeros
}

TEST(EventFile, RecordsRoundTripAndDamageIsNamed) {
  const std::string bytes = tf_record("first") + tf_record(std::string(300, 'x')) + tf_record("");
  bool complete = false;
  const auto records = read_tf_records(bytes, "f", &complete);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0], "first");
  EXPECT_EQ(records[1], std::string(300, 'x'));
  EXPECT_TRUE(complete);
  // A record cut short (a writer killed mid-write): the whole ones before it.
  for (size_t cut : {bytes.size() - 1, bytes.size() - 17, size_t{22}, size_t{3}}) {
    const auto head = read_tf_records(bytes.substr(0, cut), "f", &complete);
    EXPECT_FALSE(complete) << cut;
    EXPECT_LE(head.size(), 2u) << cut;
  }
  std::string damaged = bytes;
  damaged[14] ^= 1;  // a byte of "first"
  expect_error([&] { read_tf_records(damaged, "events.x"); },
               "events.x: the record at byte 0 has a bad data checksum");
  damaged = bytes;
  damaged[5 + 21] ^= 1;  // the second record's length
  expect_error([&] { read_tf_records(damaged, "events.x"); },
               "events.x: the record at byte 21 has a bad length checksum");
}

TEST(EventFile, HParamValuesAreTyped) {
  EXPECT_EQ(HParamValue::parse("0.03").kind, HParamValue::Kind::kNumber);
  EXPECT_EQ(HParamValue::parse("0.03").number, 0.03);
  EXPECT_EQ(HParamValue::parse("true").kind, HParamValue::Kind::kBool);
  EXPECT_EQ(HParamValue::parse("[64, 32]").kind, HParamValue::Kind::kString);
  EXPECT_EQ(HParamValue::parse("nan").kind, HParamValue::Kind::kString);
  EXPECT_EQ(HParamValue::parse("").kind, HParamValue::Kind::kString);
}

EpochReport report(int64_t epoch) {
  EpochReport r;
  r.epoch = epoch;
  r.lr = 0.01;
  r.train_loss = 1.0 / static_cast<double>(epoch);
  r.train_accuracy = {std::nan(""), 0.5};
  r.test.samples = 10;
  r.test.loss = 0.5;
  r.test.accuracy = {0.3, 0.6};
  r.test.top3 = {0.9, 1.0};
  r.test.confidence = {0.4, 0.7};
  r.test.ece = {0.1, 0.05};
  return r;
}

TEST(EventFile, ARunsEventsSurviveAKillAndAResume) {
  const fs::path dir = fs::temp_directory_path() / ("nnn_events_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  RunEvents events(2);
  events.start("name: x\n", "digraph nnn {}\n", {}, "x");
  events.write(dir.string());
  const fs::path file = dir / "tensorboard" / events.file_name();
  ASSERT_TRUE(fs::exists(file));
  events.append(report(1));
  const auto checkpoint = events.checkpoint_extra();  // epoch 1 saved
  events.write(dir.string());
  EXPECT_EQ(read_file(file.string()), events.records());
  // Per epoch: one scalar per figure, NaN left out (train step 1 here).
  bool complete = false;
  const auto records = read_tf_records(read_file(file.string()), file.string(), &complete);
  EXPECT_TRUE(complete);
  // The version and 2 texts; 5 training scalars, test loss and accuracy, 4 x 2 per step.
  EXPECT_EQ(records.size(), 3u + 5u + 2u + 4u * 2u);

  // Killed after epoch 2's events were written but before its checkpoint:
  // the resumed run starts from epoch 1's records and rewrites the file, so
  // epoch 2 is not there twice.
  events.append(report(2));
  events.write(dir.string());
  RunEvents resumed(2);
  resumed.restore(checkpoint);
  EXPECT_EQ(resumed.file_name(), events.file_name());
  resumed.start("ignored", "ignored", {}, "x");  // a resumed run keeps its start
  resumed.append(report(2));
  resumed.write(dir.string());
  EXPECT_EQ(read_file(file.string()), resumed.records());
  EXPECT_EQ(read_tf_records(resumed.records(), "r").size(), records.size() + 15u);

  // A file cut mid-record (a full disk): completed from the records.
  const std::string whole = read_file(file.string());
  {
    std::ofstream cut(file, std::ios::binary | std::ios::trunc);
    cut << whole.substr(0, whole.size() - 7);
  }
  RunEvents again(2);
  again.restore(resumed.checkpoint_extra());
  again.write(dir.string());
  EXPECT_EQ(read_file(file.string()), whole);
  // A checkpoint whose records are damaged is refused by name.
  auto bad = resumed.checkpoint_extra();
  bad["tensorboard_records"].resize(bad["tensorboard_records"].size() - 3);
  expect_error([&] { RunEvents(2).restore(bad); },
               "the checkpoint's TensorBoard records end in a partial record");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace nnn
