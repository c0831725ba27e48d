#include "support/corpus_models.h"

#include <fstream>

#include <nlohmann/json.hpp>

#include "core/format/open.h"

namespace mlscope::test {

ir::Model open_corpus_gen(const std::string& name) {
  const auto dir = shared_dir() / "corpus-gen" / name;
  std::ifstream in(dir / "meta.json");
  const auto meta = nlohmann::json::parse(in);
  return format::open((dir / meta.at("model_file").get<std::string>()).string());
}

std::vector<CorpusCase> corpus_cases_or_placeholder() {
  auto cases = corpus_cases();
  if (cases.empty()) cases.push_back({"missing_shared", {}, {}});
  return cases;
}

}  // namespace mlscope::test
