// TFRecord framing and TensorBoard's Event records.
#include "nnn/tracking/event_file.h"

#include <generic_crc.h>

#include <chrono>
#include <cmath>
#include <cstring>

#include "nnn/tracking/tensorboard.pb.h"
#include "nnn/util/error.h"

namespace nnn {

namespace {

// crcutil's table-driven CRC for the Castagnoli polynomial (reflected
// 0x82f63b78, 32 bits, canonical: pre- and post-inverted).
const crcutil::GenericCrc<crcutil::uint64, crcutil::uint64, crcutil::uint64, 4>& castagnoli() {
  static const crcutil::GenericCrc<crcutil::uint64, crcutil::uint64, crcutil::uint64, 4> crc(
      0x82f63b78, 32, true);
  return crc;
}

uint32_t masked(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

void put_le(std::string& out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((value >> (8 * i)) & 0xff);
}

uint64_t get_le(const std::string& in, size_t at, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) {
    value |= static_cast<uint64_t>(static_cast<unsigned char>(in[at + static_cast<size_t>(i)]))
             << (8 * i);
  }
  return value;
}

std::string record_of(const tensorboard::Event& event) {
  std::string data;
  NNN_CHECK(event.SerializeToString(&data), "tensorboard: an event could not be serialised");
  return tf_record(data);
}

tensorboard::Event event_at(int64_t step, double wall_time) {
  tensorboard::Event event;
  event.set_wall_time(wall_time);
  event.set_step(step);
  return event;
}

// A summary value of the HParams plugin: its data in the metadata, a null
// tensor (an empty float vector) as the value, as TensorBoard's own writer does.
std::string hparams_record(const std::string& tag, const tensorboard::HParamsPluginData& data,
                           double wall_time) {
  tensorboard::Event event = event_at(0, wall_time);
  auto* value = event.mutable_summary()->add_value();
  value->set_tag(tag);
  auto* plugin = value->mutable_metadata()->mutable_plugin_data();
  plugin->set_plugin_name("hparams");
  NNN_CHECK(data.SerializeToString(plugin->mutable_content()),
            "tensorboard: hparams could not be serialised");
  auto* tensor = value->mutable_tensor();
  tensor->set_dtype(tensorboard::DT_FLOAT);
  tensor->mutable_tensor_shape()->add_dim()->set_size(0);
  return record_of(event);
}

void set_value(tensorboard::Value& out, const HParamValue& v) {
  switch (v.kind) {
    case HParamValue::Kind::kNumber:
      out.set_number_value(v.number);
      break;
    case HParamValue::Kind::kBool:
      out.set_bool_value(v.flag);
      break;
    case HParamValue::Kind::kString:
      out.set_string_value(v.text);
      break;
  }
}

}  // namespace

uint32_t crc32c(const std::string& bytes) {
  return static_cast<uint32_t>(castagnoli().CrcDefault(bytes.data(), bytes.size(), 0));
}

uint32_t masked_crc32c(const std::string& bytes) { return masked(crc32c(bytes)); }

std::string tf_record(const std::string& data) {
  std::string length;
  put_le(length, data.size(), 8);
  std::string out = length;
  put_le(out, masked_crc32c(length), 4);
  out += data;
  put_le(out, masked_crc32c(data), 4);
  return out;
}

std::vector<std::string> read_tf_records(const std::string& bytes, const std::string& name,
                                         bool* complete) {
  std::vector<std::string> records;
  size_t at = 0;
  while (at + 12 <= bytes.size()) {
    const std::string length = bytes.substr(at, 8);
    NNN_CHECK(get_le(bytes, at + 8, 4) == masked_crc32c(length), name, ": the record at byte ", at,
              " has a bad length checksum (not a TFRecord file, or damaged)");
    const uint64_t n = get_le(bytes, at, 8);
    if (n > bytes.size() - at - 12 || bytes.size() - at - 12 - n < 4) break;  // cut short
    std::string data = bytes.substr(at + 12, n);
    NNN_CHECK(get_le(bytes, at + 12 + n, 4) == masked_crc32c(data), name, ": the record at byte ",
              at, " has a bad data checksum (damaged)");
    records.push_back(std::move(data));
    at += 12 + n + 4;
  }
  if (complete != nullptr) *complete = at == bytes.size();
  return records;
}

HParamValue HParamValue::parse(const std::string& text) {
  HParamValue v;
  v.text = text;
  if (text == "true" || text == "false") {
    v.kind = Kind::kBool;
    v.flag = text == "true";
    return v;
  }
  char* end = nullptr;
  const double d = std::strtod(text.c_str(), &end);
  if (!text.empty() && end == text.c_str() + text.size() && std::isfinite(d)) {
    v.kind = Kind::kNumber;
    v.number = d;
  }
  return v;
}

namespace events {

std::string file_version(double wall_time) {
  tensorboard::Event event = event_at(0, wall_time);
  event.set_file_version("brain.Event:2");
  return record_of(event);
}

std::string scalar(const std::string& tag, int64_t step, double value, double wall_time) {
  tensorboard::Event event = event_at(step, wall_time);
  auto* v = event.mutable_summary()->add_value();
  v->set_tag(tag);
  v->set_simple_value(static_cast<float>(value));
  return record_of(event);
}

std::string text(const std::string& tag, int64_t step, const std::string& markdown,
                 double wall_time) {
  tensorboard::Event event = event_at(step, wall_time);
  auto* v = event.mutable_summary()->add_value();
  v->set_tag(tag);
  v->mutable_metadata()->mutable_plugin_data()->set_plugin_name("text");
  auto* tensor = v->mutable_tensor();
  tensor->set_dtype(tensorboard::DT_STRING);
  tensor->mutable_tensor_shape();  // a scalar: no dimensions
  tensor->add_string_val(markdown);
  return record_of(event);
}

std::string hparams_experiment(const std::vector<HParamAxis>& axes,
                               const std::vector<std::string>& metric_tags, double wall_time) {
  tensorboard::HParamsPluginData data;
  data.set_version(0);
  auto* experiment = data.mutable_experiment();
  experiment->set_time_created_secs(wall_time);
  for (const HParamAxis& axis : axes) {
    auto* info = experiment->add_hparam_infos();
    info->set_name(axis.name);
    std::vector<HParamValue> values;
    bool numbers = true, bools = true;
    for (const auto& text : axis.values) {
      values.push_back(HParamValue::parse(text));
      numbers = numbers && values.back().kind == HParamValue::Kind::kNumber;
      bools = bools && values.back().kind == HParamValue::Kind::kBool;
    }
    info->set_type(numbers ? tensorboard::DATA_TYPE_FLOAT64
                   : bools ? tensorboard::DATA_TYPE_BOOL
                           : tensorboard::DATA_TYPE_STRING);
    for (HParamValue& v : values) {
      if (!numbers && !bools) v.kind = HParamValue::Kind::kString;  // one type per hparam
      set_value(*info->mutable_domain_discrete()->add_values(), v);
    }
  }
  for (const std::string& tag : metric_tags) {
    auto* metric = experiment->add_metric_infos();
    metric->mutable_name()->set_tag(tag);
    metric->set_display_name(tag);
  }
  return hparams_record("_hparams_/experiment", data, wall_time);
}

std::string hparams_session_start(const std::map<std::string, HParamValue>& hparams,
                                  const std::string& group, double wall_time) {
  tensorboard::HParamsPluginData data;
  data.set_version(0);
  auto* start = data.mutable_session_start_info();
  for (const auto& [name, value] : hparams) set_value((*start->mutable_hparams())[name], value);
  start->set_group_name(group);
  start->set_start_time_secs(wall_time);
  return hparams_record("_hparams_/session_start_info", data, wall_time);
}

std::string hparams_session_end(bool success, double wall_time) {
  tensorboard::HParamsPluginData data;
  data.set_version(0);
  auto* end = data.mutable_session_end_info();
  end->set_status(success ? tensorboard::STATUS_SUCCESS : tensorboard::STATUS_FAILURE);
  end->set_end_time_secs(wall_time);
  return hparams_record("_hparams_/session_end_info", data, wall_time);
}

}  // namespace events

double wall_clock_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace nnn
