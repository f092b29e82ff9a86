// A minimal JSON writer for metrics and summaries (nnn writes JSON, it never
// needs to read it). Doubles are written in shortest round-trip form; NaN
// and infinities, which JSON lacks, become null.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace nnn::json {

inline std::string quote(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

inline std::string number(double v) { return std::isfinite(v) ? fmt::format("{}", v) : "null"; }
inline std::string number(int64_t v) { return std::to_string(v); }

inline std::string array(const std::vector<double>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + number(values[i]);
  return out + "]";
}

/// Builds one object: add("key", already-encoded JSON value) in order.
class Object {
 public:
  Object& raw(const std::string& key, const std::string& encoded) {
    body_ += (body_.empty() ? "" : ", ") + quote(key) + ": " + encoded;
    return *this;
  }
  Object& add(const std::string& key, const std::string& text) { return raw(key, quote(text)); }
  Object& add(const std::string& key, const char* text) { return raw(key, quote(text)); }
  Object& add(const std::string& key, double v) { return raw(key, number(v)); }
  Object& add(const std::string& key, int64_t v) { return raw(key, number(v)); }
  Object& add(const std::string& key, bool v) { return raw(key, v ? "true" : "false"); }
  Object& add(const std::string& key, const std::vector<double>& v) { return raw(key, array(v)); }
  std::string str() const { return "{" + body_ + "}"; }

 private:
  std::string body_;
};

}  // namespace nnn::json
