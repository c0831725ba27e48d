// gtest printer for corpus cases: failure messages show "corpus-gen/cnn_fp32", not a byte dump.
#pragma once

#include <ostream>

#include "support/test_paths.h"

namespace mlscope::test {
inline void PrintTo(const CorpusCase& c, std::ostream* os) { *os << c.name; }
}  // namespace mlscope::test
