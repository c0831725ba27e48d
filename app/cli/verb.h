// mlscope-cli verbs: each verb lives in its own file and registers itself with MLSCOPE_CLI_VERB.
//
// Exit codes: 0 success, 1 a gate failed (check, compare --fail-on-flip, golden), 2 bad input
// or usage (one line on stderr naming the file and place).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mlscope::cli {

/// Parsed command line: positionals plus --flag / --flag value / --flag=value options.
class Args {
 public:
  /// `value_flags` lists flags that take a value; other --flags are booleans.
  Args(const std::vector<std::string>& argv, const std::vector<std::string>& value_flags);
  const std::vector<std::string>& positional() const { return positional_; }
  bool has(const std::string& flag) const;
  std::optional<std::string> get(const std::string& flag) const;
  /// All values of a repeatable flag (e.g. --input a=1 --input b=2).
  std::vector<std::string> get_all(const std::string& flag) const;
  std::string get_or(const std::string& flag, const std::string& fallback) const;

 private:
  std::vector<std::string> positional_;
  std::multimap<std::string, std::string> options_;
};

/// Thrown for usage errors (exit code 2).
struct UsageError {
  std::string message;
};

using VerbFn = int (*)(const std::vector<std::string>& args);

struct Verb {
  const char* name;
  const char* usage;    ///< "info MODEL [--json]"
  const char* summary;  ///< one line
  VerbFn run;
};

bool register_verb(const Verb& v);
const std::vector<Verb>& verbs();

}  // namespace mlscope::cli

#define MLSCOPE_CLI_CONCAT2(a, b) a##b
#define MLSCOPE_CLI_CONCAT(a, b) MLSCOPE_CLI_CONCAT2(a, b)
#define MLSCOPE_CLI_VERB(name, usage, summary, fn)                          \
  static const bool MLSCOPE_CLI_CONCAT(registered_verb_, __LINE__) =        \
      ::mlscope::cli::register_verb({name, usage, summary, fn})
