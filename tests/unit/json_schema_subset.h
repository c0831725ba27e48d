// A structural check of a JSON document against the subset of JSON Schema that
// docs/recording.schema.json uses (type, const, enum, required, properties, items, $ref into
// $defs, oneOf, pattern, minimum, uniqueItems). Test-only: no maintained C++ validator is
// packaged in Debian, and this subset is small.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mlscope::test {

/// Violations as "JSON-pointer: message"; empty when the document conforms.
std::vector<std::string> schema_errors(const nlohmann::json& schema, const nlohmann::json& doc);

}  // namespace mlscope::test
