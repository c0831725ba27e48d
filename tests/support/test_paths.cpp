#include "support/test_paths.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <sys/wait.h>
#include <unistd.h>
#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

namespace mlscope::test {

namespace fs = std::filesystem;

fs::path shared_dir() {
  if (const char* env = std::getenv("MLSCOPE_SHARED_DIR")) return env;
  return fs::weakly_canonical(fs::path(MLSCOPE_SHARED_DIR));
}

bool have_shared() {
  std::error_code ec;
  return fs::is_directory(shared_dir() / "corpus", ec) && fs::is_directory(shared_dir() / "corpus-gen", ec);
}

std::vector<CorpusCase> corpus_cases() {
  std::vector<CorpusCase> out;
  if (!have_shared()) return out;
  for (const char* group : {"corpus", "corpus-gen"}) {
    std::vector<fs::path> dirs;
    for (const auto& e : fs::directory_iterator(shared_dir() / group))
      if (e.is_directory() && fs::exists(e.path() / "expected.json")) dirs.push_back(e.path());
    std::sort(dirs.begin(), dirs.end());
    for (const auto& d : dirs) {
      std::ifstream in(d / "expected.json");
      nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
      if (j.is_discarded() || !j.contains("path")) continue;
      out.push_back({std::string(group) + "/" + d.filename().string(), d, d / j["path"].get<std::string>()});
    }
  }
  return out;
}

std::string case_test_name(const std::string& name) {
  std::string s;
  for (char c : name) s += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return s;
}

fs::path source_dir() { return MLSCOPE_SOURCE_DIR; }
fs::path binary_dir() { return MLSCOPE_BINARY_DIR; }
fs::path cli_path() { return MLSCOPE_CLI_PATH; }

fs::path scratch_dir(const std::string& tag) {
  // ctest -j runs tests of one binary as parallel processes: the pid keeps their folders apart.
  fs::path d = binary_dir() / "test-scratch" / (tag + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

int run_command(const std::string& cmd, std::string* out, bool merge_stderr) {
  std::string full = cmd + (merge_stderr ? " 2>&1" : "");
  FILE* p = ::popen(full.c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
    if (out) out->append(buf, n);
  int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace mlscope::test
