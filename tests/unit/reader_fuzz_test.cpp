// Robustness sweep: every truncation point (sampled) and random byte flips of a package written
// by our writer must either open or fail with mlscope::Error — never crash, hang or throw
// anything else.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "core/format/mlpackage_writer.h"
#include "core/format/open.h"
#include "core/util/error.h"
#include "support/sample_program.h"
#include "support/test_paths.h"

namespace mlscope {
namespace {

namespace fs = std::filesystem;

std::vector<char> read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(in), {});
}
void write_all(const fs::path& p, const std::vector<char>& b) {
  std::ofstream(p, std::ios::binary | std::ios::trunc).write(b.data(), static_cast<std::streamsize>(b.size()));
}

// Opens; returns true if it opened, false on mlscope::Error; fails the test on anything else.
bool opens_or_errors(const fs::path& pkg) {
  try {
    ir::Model m = format::open(pkg.string());
    (void)m.op_counts();
    return true;
  } catch (const Error& e) {
    EXPECT_FALSE(e.where().file.empty()) << e.what();
    return false;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "unexpected exception type: " << e.what();
    return false;
  }
}

TEST(ReaderFuzz, EveryTruncationOfTheModelProtobufIsHandled) {
  fs::path pkg = test::scratch_dir("fuzz_truncate") / "m.mlpackage";
  format::write_mlpackage(test::sample_program(), pkg.string());
  const fs::path model = pkg / "Data/com.apple.CoreML/model.mlmodel";
  const auto original = read_all(model);
  int errors = 0;
  for (size_t n = 0; n < original.size(); n += 7) {
    write_all(model, std::vector<char>(original.begin(), original.begin() + static_cast<std::ptrdiff_t>(n)));
    if (!opens_or_errors(pkg)) ++errors;
  }
  EXPECT_GT(errors, 0);  // most truncations cut a message in half
}

TEST(ReaderFuzz, RandomByteFlipsAreHandled) {
  fs::path pkg = test::scratch_dir("fuzz_flip") / "m.mlpackage";
  format::write_mlpackage(test::sample_program(), pkg.string());
  const fs::path model = pkg / "Data/com.apple.CoreML/model.mlmodel";
  const fs::path weights = pkg / "Data/com.apple.CoreML/weights/weight.bin";
  const auto model_bytes = read_all(model), weight_bytes = read_all(weights);
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    auto m = model_bytes, w = weight_bytes;
    auto& target = (round % 3 == 0) ? w : m;
    for (int k = 0; k < 1 + round % 4; ++k) target[rng() % target.size()] = static_cast<char>(rng());
    write_all(model, m);
    write_all(weights, w);
    opens_or_errors(pkg);
  }
}

}  // namespace
}  // namespace mlscope
