// The what-if backend of the quantization playground: the reference's profile (fp32 when the
// reference is not emulated) with a compare::WhatIfSpec applied (core/compare/what_if.h).
#include <mutex>

#include "widgets/compare_session.h"

#if __has_include("core/compare/what_if.h")
#define MLSCOPE_HAVE_WHAT_IF 1
#include "core/compare/what_if.h"
#endif

namespace mlscope::gui {

bool CompareSession::what_if_available() {
#ifdef MLSCOPE_HAVE_WHAT_IF
  return true;
#else
  return false;
#endif
}

std::string CompareSession::set_what_if(const std::string& text) {
#ifndef MLSCOPE_HAVE_WHAT_IF
  return "what-if engine not available in this build (core/compare/what_if.h); spec kept: " + text;
#else
  if (!model_) return "open a model first";
  compare::WhatIfSpec spec;
  try {
    spec = compare::WhatIfSpec::parse(text);
  } catch (const std::exception& e) {
    return e.what();
  }
  compare::WhatIfOptions opts;
  std::string base_name = "fp32";
  if (const BackendChoice* ref = find(reference); ref && ref->spec.profile && ref->spec.name != "what-if") {
    opts.base = *ref->spec.profile;
    base_name = ref->spec.name;
  }
  BackendChoice c;
  c.selected = true;
  c.spec.name = "what-if";
  c.spec.kind = exec::BackendKind::Emulated;
  c.spec.profile = opts.base;
  c.spec.profile->description = "what-if " + spec.text() + " on profile " + base_name;
  // The base profile's rules are part of the cache key too (edits to a user profile).
  c.spec.variant = spec.text() + "@" + compare::BackendSpec{base_name, exec::BackendKind::Emulated, opts.base, nullptr, "", nullptr, ""}.fingerprint();
  // Calibration (activations) runs the base program K times: done lazily on the job's worker
  // thread, once, and shared by every instance (sweep workers, divergence).
  struct Shared {
    std::once_flag once;
    std::function<std::unique_ptr<exec::Backend>()> factory;
  };
  auto shared = std::make_shared<Shared>();
  auto model = model_;
  c.spec.make = [shared, model, spec, opts]() {
    std::call_once(shared->once, [&] { shared->factory = compare::what_if_backend_factory(*model, spec, opts); });
    return shared->factory();
  };
  for (auto& b : backends_)
    if (b.spec.name == "what-if") {
      b = std::move(c);
      what_if_spec_ = spec.text();
      return "";
    }
  backends_.push_back(std::move(c));
  what_if_spec_ = spec.text();
  return "";
#endif
}

}  // namespace mlscope::gui
