// The what-if backend of the quantization playground: the reference's profile (fp32 when the
// reference is not emulated) with a compare::WhatIfSpec applied (core/compare/what_if.h).
#include "core/compare/what_if.h"
#include "core/session/compare_session.h"

namespace mlscope::session {

std::string CompareSession::set_what_if(const std::string& text) {
  if (!model_) return "open a model first";
  exec::NumericProfile base = exec::NumericProfile::builtin("fp32");
  std::string base_name = "fp32";
  if (const BackendChoice* ref = find(reference); ref && ref->spec.profile && ref->spec.name != "what-if") {
    base = *ref->spec.profile;
    base_name = ref->spec.name;
  }
  BackendChoice c;
  c.selected = true;
  try {
    c.spec = compare::what_if_backend_spec(model_, text, base, base_name);
  } catch (const std::exception& e) {
    return e.what();
  }
  what_if_spec_ = compare::WhatIfSpec::parse(text).text();
  for (auto& b : backends_)
    if (b.spec.name == "what-if") {
      b = std::move(c);
      return "";
    }
  backends_.push_back(std::move(c));
  return "";
}

}  // namespace mlscope::session
