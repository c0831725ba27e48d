// mlscope-cli entry point: dispatches to the registered verbs and maps errors to exit codes.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "app/cli/verb.h"
#include "core/util/error.h"

namespace mlscope::cli {

Args::Args(const std::vector<std::string>& argv, const std::vector<std::string>& value_flags) {
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.size() > 2 && a.rfind("--", 0) == 0) {
      std::string key = a.substr(2), value;
      bool has_value = false;
      if (auto eq = key.find('='); eq != std::string::npos) {
        value = key.substr(eq + 1);
        key = key.substr(0, eq);
        has_value = true;
      }
      bool wants_value = std::find(value_flags.begin(), value_flags.end(), key) != value_flags.end();
      if (wants_value && !has_value) {
        if (i + 1 >= argv.size()) throw UsageError{"--" + key + " needs a value"};
        value = argv[++i];
      }
      options_.emplace(key, value);
    } else {
      positional_.push_back(a);
    }
  }
}

bool Args::has(const std::string& flag) const { return options_.count(flag) != 0; }

std::optional<std::string> Args::get(const std::string& flag) const {
  auto it = options_.find(flag);
  if (it == options_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Args::get_all(const std::string& flag) const {
  std::vector<std::string> out;
  auto [b, e] = options_.equal_range(flag);
  for (auto it = b; it != e; ++it) out.push_back(it->second);
  return out;
}

std::string Args::get_or(const std::string& flag, const std::string& fallback) const {
  return get(flag).value_or(fallback);
}

static std::vector<Verb>& registry() {
  static std::vector<Verb> r;
  return r;
}

bool register_verb(const Verb& v) {
  registry().push_back(v);
  return true;
}

const std::vector<Verb>& verbs() { return registry(); }

}  // namespace mlscope::cli

static void print_usage(FILE* out) {
  std::fprintf(out, "usage: mlscope-cli <verb> MODEL [options]\n       mlscope-cli --version\n\nverbs:\n");
  auto vs = mlscope::cli::verbs();
  std::sort(vs.begin(), vs.end(), [](const auto& a, const auto& b) { return std::string(a.name) < b.name; });
  for (const auto& v : vs) std::fprintf(out, "  %-60s %s\n", v.usage, v.summary);
  std::fprintf(out, "\nexit codes: 0 ok, 1 a gate failed, 2 bad input or usage\n");
}

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_usage(args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version" || args[0] == "version") {
    std::printf("mlscope-cli %s\n", MLSCOPE_VERSION);
    return 0;
  }
  const std::string verb = args[0];
  args.erase(args.begin());
  for (const auto& v : mlscope::cli::verbs()) {
    if (verb != v.name) continue;
    try {
      return v.run(args);
    } catch (const mlscope::Error& e) {
      std::fprintf(stderr, "mlscope-cli: error: %s\n", e.what());
      return 2;
    } catch (const mlscope::cli::UsageError& e) {
      std::fprintf(stderr, "mlscope-cli %s: %s\nusage: mlscope-cli %s\n", v.name, e.message.c_str(), v.usage);
      return 2;
    } catch (const std::bad_alloc&) {
      std::fprintf(stderr, "mlscope-cli: error: out of memory\n");
      return 2;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "mlscope-cli: error: %s\n", e.what());
      return 2;
    }
  }
  std::fprintf(stderr, "mlscope-cli: unknown verb '%s'\n", verb.c_str());
  print_usage(stderr);
  return 2;
}
