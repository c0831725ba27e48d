// Paths the tests use, and the loud skip for runs without ../shared.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace mlscope::test {

/// ../shared beside the repo root (or $MLSCOPE_SHARED_DIR).
std::filesystem::path shared_dir();
bool have_shared();
/// The folder listing of ../shared/corpus and ../shared/corpus-gen: one entry per model case.
struct CorpusCase {
  std::string name;              ///< "corpus/mnist-cnn", "corpus-gen/cnn_fp32"
  std::filesystem::path dir;     ///< the case folder
  std::filesystem::path model;   ///< the model inside it (path named by expected.json "path")
};
std::vector<CorpusCase> corpus_cases();
/// gtest printer: test names and failures show "corpus-gen/cnn_fp32", not a byte dump.
inline void PrintTo(const CorpusCase& c, std::ostream* os) { *os << c.name; }
/// gtest-safe name for a case ("corpus_mnist_cnn").
std::string case_test_name(const std::string& name);
std::filesystem::path source_dir();
std::filesystem::path binary_dir();
std::filesystem::path cli_path();
/// A fresh, empty scratch directory under the build folder for this test.
std::filesystem::path scratch_dir(const std::string& tag);

/// Runs a command, captures stdout (and stderr if asked); returns the exit code.
int run_command(const std::string& cmd, std::string* out, bool merge_stderr = false);

}  // namespace mlscope::test

/// Skips the current test with a loud message when ../shared is not present.
#define MLSCOPE_REQUIRE_SHARED()                                                              \
  do {                                                                                        \
    if (!::mlscope::test::have_shared())                                                      \
      GTEST_SKIP() << "SKIPPED: ../shared (corpus) not found at "                             \
                   << ::mlscope::test::shared_dir() << " — corpus tests did NOT run";         \
  } while (0)
