// mlscope-cli as a subprocess: exit codes and messages for bad input and bad usage, --version.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "support/test_paths.h"

using mlscope::test::cli_path;
using mlscope::test::run_command;

namespace {

struct Result {
  int code;
  std::string out, err;
};

/// Runs the CLI with `args` (already shell-quoted), capturing stdout and stderr separately.
Result cli(const std::string& args) {
  auto err_file = mlscope::test::scratch_dir("cli_stderr") / "stderr.txt";
  Result r;
  r.code = run_command(cli_path().string() + " " + args + " 2>" + err_file.string(), &r.out);
  std::ifstream in(err_file);
  r.err.assign(std::istreambuf_iterator<char>(in), {});
  return r;
}

}  // namespace

TEST(Cli, MissingModelIsExit2NamingThePath) {
  const std::string path = (mlscope::test::scratch_dir("cli_missing") / "no_such_model.mlpackage").string();
  for (const char* verb : {"info", "ops"}) {
    Result r = cli(std::string(verb) + " '" + path + "'");
    EXPECT_EQ(r.code, 2) << verb;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line on stderr: " << r.err;
  }
  EXPECT_EQ(cli("info '" + path + "' --json").code, 2);  // --json does not change the exit code
}

TEST(Cli, DirectoryThatIsNoModelIsExit2) {
  auto dir = mlscope::test::scratch_dir("cli_plain_dir");
  Result r = cli("info '" + dir.string() + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(dir.string()), std::string::npos) << r.err;
}

TEST(Cli, UnknownVerbIsExit2) {
  Result r = cli("frobnicate model.mlpackage");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown verb 'frobnicate'"), std::string::npos) << r.err;
}

TEST(Cli, UsageErrorsAreExit2WithUsage) {
  struct Case { const char* args; const char* message; };
  for (Case c : {Case{"info", "expected exactly one MODEL path"},
                 Case{"info a.mlmodel b.mlmodel", "expected exactly one MODEL path"},
                 Case{"ops", "expected exactly one MODEL path"},
                 Case{"ops a.mlmodel --function", "--function needs a value"},
                 Case{"info a.mlmodel --jsn", "unknown option --jsn"},
                 Case{"ops a.mlmodel --function=", "--function needs a function name"}}) {
    Result r = cli(c.args);
    EXPECT_EQ(r.code, 2) << c.args;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << ": " << r.err;
    EXPECT_NE(r.err.find("usage: mlscope-cli "), std::string::npos) << r.err;
  }
}

TEST(Cli, NoArgumentsIsExit2AndHelpIsExit0) {
  Result none = cli("");
  EXPECT_EQ(none.code, 2);
  EXPECT_NE(none.err.find("usage:"), std::string::npos);
  Result help = cli("--help");
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("info MODEL [--json]"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("ops MODEL [--json] [--function F]"), std::string::npos) << help.out;
}

TEST(Cli, VersionPrintsSemver) {
  Result r = cli("--version");
  EXPECT_EQ(r.code, 0);
  EXPECT_TRUE(std::regex_match(r.out, std::regex(R"(mlscope-cli \d+\.\d+\.\d+\n)"))) << r.out;
}
