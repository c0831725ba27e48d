#include "core/report/format_text.h"

#include <algorithm>
#include <cstdio>

namespace mlscope::report {

std::string human_bytes(uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  static const char* const kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(bytes) / 1024.0;
  size_t u = 0;
  while (v >= 1024.0 && u + 1 < std::size(kUnits)) {
    v /= 1024.0;
    ++u;
  }
  char buf[32];
  // Three significant digits: 1.23, 12.3, 123 (and 1023 when just under the next unit).
  const char* fmt = v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s";
  std::snprintf(buf, sizeof buf, fmt, v, kUnits[u]);
  return buf;
}

std::string group_thousands(int64_t n) {
  // Work on the magnitude as unsigned so INT64_MIN does not overflow.
  uint64_t mag = n < 0 ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
  std::string digits = std::to_string(mag), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string dims_text(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ", ";
    s += dims[i] < 0 ? std::string("?") : std::to_string(dims[i]);
  }
  return s + "]";
}

size_t text_width(const std::string& s) {
  size_t w = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++w;  // count code points, not continuation bytes
  return w;
}

TextTable::TextTable(std::vector<std::string> header) : header_(std::move(header)) {}

void TextTable::add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }

void TextTable::align_right(size_t col) {
  if (right_.size() <= col) right_.resize(col + 1, false);
  right_[col] = true;
}

std::string TextTable::render(const std::string& indent) const {
  size_t cols = header_.size();
  for (const auto& r : rows_) cols = std::max(cols, r.size());
  std::vector<size_t> width(cols, 0);
  auto measure = [&](const std::vector<std::string>& r) {
    for (size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], text_width(r[c]));
  };
  measure(header_);
  for (const auto& r : rows_) measure(r);

  auto line = [&](const std::vector<std::string>& r) {
    std::string s = indent;
    for (size_t c = 0; c < cols; ++c) {
      const std::string cell = c < r.size() ? r[c] : std::string();
      std::string pad(width[c] - text_width(cell), ' ');
      bool right = c < right_.size() && right_[c];
      if (c) s += "  ";
      s += right ? pad + cell : cell + pad;
    }
    while (s.size() > indent.size() && s.back() == ' ') s.pop_back();
    return s + "\n";
  };

  std::string out;
  if (!header_.empty()) {
    out += line(header_);
    std::vector<std::string> rule;
    for (size_t w : width) rule.push_back(std::string(w, '-'));
    out += line(rule);
  }
  for (const auto& r : rows_) out += line(r);
  return out;
}

}  // namespace mlscope::report
