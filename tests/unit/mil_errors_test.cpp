// MIL text parser on bad and hostile input: every error is an mlscope::Error naming the file,
// line and column (and the op where one is involved) — never a crash, hang or huge allocation.
#include <gtest/gtest.h>

#include "tests/unit/mil_test_util.h"

namespace mlscope::test {
namespace {

const std::string kOk = mil_program("tensor<fp32, [2]> x",
                                    "            tensor<fp32, [2]> y = relu(x = x)[name = tensor<string, []>(\"r\")];\n", "y");

TEST(MilErrors, ValidBaselineParses) { EXPECT_NO_THROW(parse_mil_text(kOk)); }

TEST(MilErrors, SyntaxErrorMissingEquals) {
  // line 4: "            tensor<fp32, [2]> y relu(..." -> 'relu' found where '=' was expected
  expect_mil_error(mil_program("tensor<fp32, [2]> x", "            tensor<fp32, [2]> y relu(x = x);\n", "y"), 4, 33,
                   "expected '=' after the result list");
}

TEST(MilErrors, MissingProgramHeader) { expect_mil_error("func main<ios16>() {} -> ();", 1, 1, "expected 'program'"); }

TEST(MilErrors, UnterminatedString) {
  expect_mil_error(mil_program("", "            tensor<string, []> s = const()[name = tensor<string, []>(\"oops)];\n", "s"), 4,
                   70, "unterminated string");
  // At end of file too.
  expect_mil_error("program(1.0)\n[a = string(\"never closed", 2, 13, "unterminated string");
}

TEST(MilErrors, BadEscapeInString) {
  expect_mil_error(mil_program("", "            string s = const()[val = string(\"a\\qb\")];\n", "s"), 4, 47, "unknown escape");
}

TEST(MilErrors, UndefinedValueNamesOpAndPlace) {
  std::string text = mil_program("tensor<fp32, [2]> x", "            tensor<fp32, [2]> y = relu(x = nope)[name = tensor<string, []>(\"r\")];\n", "y");
  try {
    parse_mil_text(text);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.where().line, 4);
    EXPECT_EQ(e.where().column, 44);
    EXPECT_EQ(e.where().op, "r");
    EXPECT_NE(e.message().find("undefined value 'nope'"), std::string::npos) << e.what();
  }
}

TEST(MilErrors, ForwardReference) {
  std::string body =
      "            tensor<fp32, [2]> a = relu(x = b);\n"
      "            tensor<fp32, [2]> b = relu(x = x);\n";
  expect_mil_error(mil_program("tensor<fp32, [2]> x", body, "a"), 4, 44, "undefined value 'b'");
}

TEST(MilErrors, CycleAndSelfReference) {
  std::string cycle =
      "            tensor<fp32, [2]> a = add(x = x, y = b);\n"
      "            tensor<fp32, [2]> b = add(x = a, y = x);\n";
  expect_mil_error(mil_program("tensor<fp32, [2]> x", cycle, "b"), 4, 50, "undefined value 'b'");
  expect_mil_error(mil_program("tensor<fp32, [2]> x", "            tensor<fp32, [2]> a = relu(x = a);\n", "a"), 4, 44,
                   "undefined value 'a'");
}

TEST(MilErrors, UndefinedOutputAndDuplicateDefinition) {
  expect_mil_error(mil_program("tensor<fp32, [2]> x", "", "ghost"), 4, 15, "undefined value 'ghost'");
  std::string dup =
      "            tensor<fp32, [2]> a = relu(x = x);\n"
      "            tensor<fp32, [2]> a = relu(x = x);\n";
  expect_mil_error(mil_program("tensor<fp32, [2]> x", dup, "a"), 5, 31, "defined twice");
}

TEST(MilErrors, OverflowingShape) {
  std::string body = "            tensor<fp32, [4294967296, 4294967296, 4294967296]> c = const()[val = "
                     "tensor<fp32, [4294967296, 4294967296, 4294967296]>([1])];\n";
  expect_mil_error(mil_program("", body, "c"), 4, 82, "overflows");
  expect_mil_error(mil_program("", "            tensor<fp32, [99999999999999999999]> c = const();\n", "c"), 4, 27,
                   "out of range");
}

TEST(MilErrors, HugeClaimedShapeWithFewValuesIsRejectedWithoutAllocating) {
  std::string body = "            tensor<fp32, [1000000000000]> c = const()[val = tensor<fp32, [1000000000000]>([1, 2])];\n";
  expect_mil_error(mil_program("", body, "c"), 4, 61, "has 2 values, its shape holds 1000000000000");
}

TEST(MilErrors, LiteralCountMismatch) {
  expect_mil_error(mil_program("", "            tensor<int32, [3]> c = const()[val = tensor<int32, [3]>([1, 2])];\n", "c"), 4,
                   50, "has 2 values, its shape holds 3");
  expect_mil_error(mil_program("", "            tensor<int32, [1]> c = const()[val = tensor<int32, [1]>([1, 2])];\n", "c"), 4,
                   73, "more values than the shape");
}

TEST(MilErrors, ValueOutOfRangeAndWrongKind) {
  expect_mil_error(mil_program("", "            uint8 c = const()[val = uint8(300)];\n", "c"), 4, 43, "out of range for uint8");
  expect_mil_error(mil_program("", "            int32 c = const()[val = int32(1.5)];\n", "c"), 4, 43, "expected an integer");
  expect_mil_error(mil_program("", "            fp32 c = const()[val = fp32(true)];\n", "c"), 4, 41, "boolean value");
  expect_mil_error(mil_program("", "            tensor<fp12, []> c = const();\n", "c"), 4, 20, "unknown element type 'fp12'");
}

TEST(MilErrors, DeepNestingIsBounded) {
  std::string deep_list = "            tensor<int32, [1]> c = const()[val = tensor<int32, [1]>(" + std::string(100000, '[') + "\n";
  expect_mil_error(mil_program("", deep_list, "c"), 4, 133, "nested deeper than 64");
  std::string deep_type;
  for (int i = 0; i < 10000; ++i) deep_type += "list<";
  expect_mil_error("program(1.0)\n{\n    func main<ios16>(" + deep_type, 3, 342, "types nested deeper than 64");
}

TEST(MilErrors, MissingWeightFile) {
  std::string body = "            tensor<fp16, [16]> w = const()[val = tensor<fp16, [16]>(BLOBFILE(path = "
                     "string(\"@model_path/weights/absent.bin\"), offset = uint64(64)))];\n";
  expect_mil_error(mil_program("", body, "w"), 4, 69, "weight file '@model_path/weights/absent.bin' not found");
}

TEST(MilErrors, UnexpectedCharacterAndTrailingText) {
  expect_mil_error(mil_program("", "            fp32 c = const()[val = fp32(1)] $;\n", "c"), 4, 45, "unexpected character '$'");
  expect_mil_error(kOk + "junk", 7, 1, "after the end of the program");
}

TEST(MilErrors, EveryTruncationOfAValidFileIsAnError) {
  // Cutting a valid program anywhere must give a located error, never a crash or a hang.
  for (size_t n = 0; n + 1 < kOk.size(); ++n) {
    std::string cut = kOk.substr(0, n);
    if (cut.find_last_not_of(" \n") == kOk.find_last_not_of(" \n")) continue;  // only whitespace removed
    try {
      parse_mil_text(cut);
      ADD_FAILURE() << "prefix of " << n << " bytes parsed without error";
    } catch (const Error& e) {
      EXPECT_EQ(e.where().file, "t.mil");
      EXPECT_GT(e.where().line, 0) << "prefix " << n << ": " << e.what();
    }
  }
}

TEST(MilErrors, EverySingleByteCorruptionIsHandled) {
  // Replacing any byte with a delimiter or junk either still parses or throws mlscope::Error.
  for (char junk : {'(', ']', '"', '\0', '<', '-'}) {
    for (size_t i = 0; i < kOk.size(); ++i) {
      std::string bad = kOk;
      bad[i] = junk;
      try {
        parse_mil_text(bad);
      } catch (const Error& e) {
        EXPECT_GT(e.where().line, 0) << e.what();
      }
    }
  }
}

}  // namespace
}  // namespace mlscope::test
