// Helpers shared by the MIL text unit tests.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "core/format/mil_parser.h"
#include "core/util/error.h"

namespace mlscope::test {

inline ir::Model parse_mil_text(const std::string& text, const std::string& model_path = ".") {
  ir::Model m;
  format::MilSource src;
  src.file = "t.mil";
  src.model_path = model_path;
  format::parse_mil_program(text, src, m);
  return m;
}

/// Parses `text` expecting an mlscope::Error at line:col whose message contains `what`.
inline void expect_mil_error(const std::string& text, int line, int col, const std::string& what) {
  try {
    parse_mil_text(text);
    ADD_FAILURE() << "no error for:\n" << text;
  } catch (const Error& e) {
    EXPECT_EQ(e.where().file, "t.mil");
    EXPECT_EQ(e.where().line, line) << e.what();
    EXPECT_EQ(e.where().column, col) << e.what();
    EXPECT_NE(e.message().find(what), std::string::npos) << e.what();
  }
}

/// Wraps statements in a one-function program (statements start on line 4).
inline std::string mil_program(const std::string& params, const std::string& body, const std::string& outs,
                               const std::string& opset = "ios16") {
  return "program(1.0)\n{\n    func main<" + opset + ">(" + params + ") {\n" + body + "        } -> (" + outs + ");\n}\n";
}

}  // namespace mlscope::test
