// Text helpers: byte sizes at unit boundaries, thousands grouping, table alignment.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "core/report/format_text.h"

using namespace mlscope::report;

TEST(HumanBytes, UnitBoundaries) {
  EXPECT_EQ(human_bytes(0), "0 B");
  EXPECT_EQ(human_bytes(1023), "1023 B");
  EXPECT_EQ(human_bytes(1024), "1.00 KiB");
  EXPECT_EQ(human_bytes(1536), "1.50 KiB");
  EXPECT_EQ(human_bytes(10 * 1024), "10.0 KiB");
  EXPECT_EQ(human_bytes(200 * 1024), "200 KiB");
  EXPECT_EQ(human_bytes(1024 * 1024), "1.00 MiB");
  EXPECT_EQ(human_bytes(3ull * 1024 * 1024 * 1024), "3.00 GiB");
  EXPECT_EQ(human_bytes(std::numeric_limits<uint64_t>::max()), "16.0 EiB");
}

TEST(GroupThousands, SignsAndExtremes) {
  EXPECT_EQ(group_thousands(0), "0");
  EXPECT_EQ(group_thousands(999), "999");
  EXPECT_EQ(group_thousands(1000), "1,000");
  EXPECT_EQ(group_thousands(-1234567), "-1,234,567");
  EXPECT_EQ(group_thousands(std::numeric_limits<int64_t>::min()), "-9,223,372,036,854,775,808");
}

TEST(DimsText, UnknownDims) { EXPECT_EQ(dims_text({1, -1, 224}), "[1, ?, 224]"); }

TEST(TextTable, PadsColumnsToTheWidestCell) {
  TextTable t({"name", "n"});
  t.align_right(1);
  t.add_row({"conv", "5"});
  t.add_row({"reduce_mean", "120"});
  EXPECT_EQ(t.render("  "),
            "  name           n\n"
            "  -----------  ---\n"
            "  conv           5\n"
            "  reduce_mean  120\n");
}

TEST(TextTable, NoHeaderRaggedRowsAndUtf8) {
  TextTable t;
  t.add_row({"ä", "x", "tail"});
  t.add_row({"abc"});  // missing cells are blank; trailing blanks trimmed
  EXPECT_EQ(t.render(), "ä    x  tail\nabc\n");
  EXPECT_EQ(text_width("größe"), 5u);
}
