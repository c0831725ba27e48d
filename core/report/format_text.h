// Plain-text formatting helpers shared by the CLI verbs: human byte sizes, counts, shapes, and
// column-aligned tables. Pure string functions (no I/O) so the GUI and tests can reuse them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mlscope::report {

/// "512 B", "1.5 KiB", "3.11 MiB", "2.00 GiB" (binary units, 3 significant digits).
std::string human_bytes(uint64_t bytes);
/// "1234567" -> "1,234,567".
std::string group_thousands(int64_t n);
/// Shape as "[1, 3, ?, 224]" from dims (negative = unknown).
std::string dims_text(const std::vector<int64_t>& dims);

/// A table printed with every column padded to its widest cell.
///
///   TextTable t({"name", "type"});
///   t.align_right(1);
///   t.add_row({"x", "fp16"});
///   std::string s = t.render("  ");
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header = {});
  void add_row(std::vector<std::string> cells);
  /// Right-aligns column `col` (numbers); columns are left-aligned by default.
  void align_right(size_t col);
  size_t row_count() const { return rows_.size(); }
  /// Rows joined by newlines, each prefixed by `indent`, columns separated by two spaces.
  /// A dashed rule follows the header when there is one. Trailing spaces are trimmed.
  std::string render(const std::string& indent = "") const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<bool> right_;
};

/// Display width of UTF-8 text in terminal columns (code points; good enough for names).
size_t text_width(const std::string& s);

}  // namespace mlscope::report
