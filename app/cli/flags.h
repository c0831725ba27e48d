// Strictness for verb flags: a misspelled --flag is a usage error (exit 2), not silently ignored.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

namespace mlscope::cli {

/// Throws UsageError naming the first `--flag` in argv that is not in `known` (names without "--").
/// Flags' values (e.g. the F in `--function F`) are not flags and are not checked.
void reject_unknown_flags(const std::vector<std::string>& argv, std::initializer_list<const char*> known);

}  // namespace mlscope::cli
