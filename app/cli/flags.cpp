#include "app/cli/flags.h"

#include "app/cli/verb.h"

namespace mlscope::cli {

void reject_unknown_flags(const std::vector<std::string>& argv, std::initializer_list<const char*> known) {
  for (const auto& a : argv) {
    if (a.size() <= 2 || a.rfind("--", 0) != 0) continue;
    std::string key = a.substr(2, a.find('=') == std::string::npos ? std::string::npos : a.find('=') - 2);
    bool ok = false;
    for (const char* k : known) ok = ok || key == k;
    if (!ok) throw UsageError{"unknown option --" + key};
  }
}

}  // namespace mlscope::cli
