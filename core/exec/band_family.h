// The Neural Engine band's members: named variants "<base>:<variant>" of `ane` / `ane-w8a8` that
// differ from their base only in how reductions and long dot products accumulate, each expressed
// as per-op-type overrides of the reduction and dot-product op types (so ops of other types get
// identical numerics in every member and never split the family). Definitions and rationale:
// docs/numeric-profiles.md, "The Neural Engine band".
#pragma once

#include <string>

#include "core/exec/numeric_profile.h"

namespace mlscope::exec {

/// Member `variant` of base "ane" or "ane-w8a8" (NumericProfile::builtin("ane:chunk256-f32")).
/// Throws Error naming the valid variants when base or variant is unknown.
NumericProfile band_member_profile(const std::string& base, const std::string& variant);

}  // namespace mlscope::exec
