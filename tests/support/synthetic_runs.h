// Backend runs made of given output values (no interpreter), for tests of core/compare.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/compare/compare_runs.h"

namespace mlscope::test {

inline exec::Tensor f32(exec::Dims shape, std::vector<float> v) { return exec::Tensor::from_floats(ir::DType::Float32, shape, v); }

/// A run named `name` whose outputs are `outs`, labelled "synthetic <name>".
inline compare::BackendRun run_of(const std::string& name, std::map<std::string, exec::RunValue> outs) {
  compare::BackendRun r;
  r.name = name;
  r.provenance = "synthetic " + name;
  r.result.outputs = std::move(outs);
  return r;
}

}  // namespace mlscope::test
