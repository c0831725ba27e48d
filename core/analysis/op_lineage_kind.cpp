#include "core/analysis/op_lineage_kind.h"

#include <string>
#include <unordered_map>

namespace mlscope::analysis {

std::string_view lineage_kind_name(LineageKind k) {
  switch (k) {
    case LineageKind::Float: return "float (not quantized)";
    case LineageKind::WeightAffine: return "weights: affine / blockwise int";
    case LineageKind::WeightPalettized: return "weights: palettized (LUT)";
    case LineageKind::WeightSparse: return "weights: sparse";
    case LineageKind::WeightCast: return "weights: narrower float (cast)";
    case LineageKind::Activation: return "activations quantized";
    case LineageKind::WeightAndActivation: return "weights + activations (e.g. W8A8)";
    case LineageKind::Plumbing: return "quantization / constant plumbing";
  }
  return "";
}

std::string_view lineage_kind_short(LineageKind k) {
  switch (k) {
    case LineageKind::Float: return "float";
    case LineageKind::WeightAffine: return "W int";
    case LineageKind::WeightPalettized: return "W LUT";
    case LineageKind::WeightSparse: return "W sparse";
    case LineageKind::WeightCast: return "W cast";
    case LineageKind::Activation: return "A int";
    case LineageKind::WeightAndActivation: return "W+A int";
    case LineageKind::Plumbing: return "plumbing";
  }
  return "";
}

std::vector<std::vector<uint32_t>> op_lineage_records(const ir::Function& f, const QuantReport& report) {
  std::vector<std::vector<uint32_t>> out(f.ops.size());
  std::unordered_map<std::string_view, ir::OpId> by_name;
  by_name.reserve(f.ops.size());
  for (size_t o = 0; o < f.ops.size(); ++o) by_name.emplace(f.ops[o].name, static_cast<ir::OpId>(o));
  for (size_t i = 0; i < report.tensors.size(); ++i) {
    const TensorLineage& t = report.tensors[i];
    if (t.function != f.name) continue;
    auto it = by_name.find(t.op);
    if (it != by_name.end()) out[static_cast<size_t>(it->second)].push_back(static_cast<uint32_t>(i));
  }
  return out;
}

std::vector<LineageKind> op_lineage_kinds(const ir::Function& f, const QuantReport& report) {
  const auto records = op_lineage_records(f, report);
  std::vector<LineageKind> kinds(f.ops.size(), LineageKind::Float);
  for (size_t o = 0; o < f.ops.size(); ++o) {
    if (!is_real_op(f.ops[o])) { kinds[o] = LineageKind::Plumbing; continue; }
    bool act = false, lut = false, sparse = false, affine = false, cast = false;
    for (uint32_t i : records[o]) {
      const TensorLineage& t = report.tensors[i];
      if (t.kind == "activation") { act = true; continue; }
      const std::string& s = t.scheme;
      lut |= s.find("lut") != std::string::npos;
      sparse |= s.find("sparse") != std::string::npos;
      affine |= s.find("affine") != std::string::npos || s.find("blockwise") != std::string::npos;
      cast |= s == "cast";
    }
    const bool weight = lut || sparse || affine;
    if (weight && act) kinds[o] = LineageKind::WeightAndActivation;
    else if (act) kinds[o] = LineageKind::Activation;
    else if (lut) kinds[o] = LineageKind::WeightPalettized;
    else if (sparse) kinds[o] = LineageKind::WeightSparse;
    else if (affine) kinds[o] = LineageKind::WeightAffine;
    else if (cast) kinds[o] = LineageKind::WeightCast;
  }
  return kinds;
}

}  // namespace mlscope::analysis
