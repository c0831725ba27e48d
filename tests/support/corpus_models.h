// Opening shared corpus models by name, for tests that need one particular model.
#pragma once

#include <string>
#include <vector>

#include "core/ir/model.h"
#include "support/test_paths.h"

namespace mlscope::test {

/// corpus-gen/<name>: the model file its meta.json names ("model_file"), opened.
ir::Model open_corpus_gen(const std::string& name);

/// corpus_cases(), or one placeholder case when ../shared is absent, so that a parameterized
/// suite instantiates a test that skips loudly instead of instantiating nothing.
std::vector<CorpusCase> corpus_cases_or_placeholder();

}  // namespace mlscope::test
