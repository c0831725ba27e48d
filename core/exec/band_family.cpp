#include "core/exec/band_family.h"

#include <algorithm>

#include "core/util/error.h"

namespace mlscope::exec {

namespace {

// One way reductions may accumulate: how partial sums round, in what order terms are added.
struct ReductionVariant {
  std::string name;
  AccumMode partials = AccumMode::Fp32;
  ReductionScheme scheme;
};

constexpr int kChunks[] = {16, 64, 256, 1024, 4096};
constexpr int kTiles[] = {7, 8, 16, 32};
constexpr int kDotChunk = 32;  // fp16 partial sums of this many products, combined in fp32
const char* const kDotSuffix = "+dot-chunk32";

// The reduction axis of the family (docs/numeric-profiles.md explains each member). Every
// scheme whose total stays in fp16 also comes with means pre-scaled by 1/N ("-prescale"):
// there the order of scaling and summing decides whether the total stalls or overflows.
std::vector<ReductionVariant> reduction_variants() {
  std::vector<ReductionVariant> out;
  auto add = [&](std::string name, AccumMode partials, ReductionScheme scheme, bool with_prescale) {
    out.push_back({name, partials, scheme});
    if (with_prescale) {
      scheme.scale_terms = true;
      out.push_back({name + "-prescale", partials, scheme});
    }
  };
  add("wide", AccumMode::Fp32, {}, true);  // = the base profile itself (Legacy order, no chunk)
  add("seq-fp16", AccumMode::Fp16, {}, true);  // the rule `ane` had before the band
  ReductionScheme pair;
  pair.order = ReductionOrder::Pairwise;
  add("pairwise-fp16", AccumMode::Fp16, pair, true);
  for (AccumMode combine : {AccumMode::Fp32, AccumMode::Fp16}) {
    const std::string c = combine == AccumMode::Fp32 ? "-f32" : "-f16";
    for (int n : kChunks) {
      ReductionScheme s;
      s.order = ReductionOrder::Chunks;
      s.chunk = n;
      s.combine = combine;
      add("chunk" + std::to_string(n) + c, AccumMode::Fp16, s, combine == AccumMode::Fp16);
    }
    for (int t : kTiles) {
      ReductionScheme s;
      s.order = ReductionOrder::Tiles;
      s.tile_h = s.tile_w = t;
      s.combine = combine;
      add("tile" + std::to_string(t) + "x" + std::to_string(t) + c, AccumMode::Fp16, s, combine == AccumMode::Fp16);
    }
  }
  return out;
}

std::string valid_variants() {
  std::string s;
  for (const auto& r : reduction_variants()) s += (s.empty() ? "" : ", ") + r.name;
  return s + " (each optionally followed by " + kDotSuffix + ")";
}

}  // namespace

NumericProfile band_member_profile(const std::string& base, const std::string& variant) {
  if (base != "ane" && base != "ane-w8a8")
    throw Error(Location{}, "unknown numeric profile '" + base + ":" + variant + "': band members exist for ane and ane-w8a8");
  std::string red_name = variant;
  const bool dot = red_name.size() > std::string(kDotSuffix).size() && red_name.ends_with(kDotSuffix);
  if (dot) red_name.resize(red_name.size() - std::string(kDotSuffix).size());
  const std::vector<ReductionVariant> variants = reduction_variants();
  auto it = std::find_if(variants.begin(), variants.end(), [&](const ReductionVariant& r) { return r.name == red_name; });
  if (it == variants.end())
    throw Error(Location{}, "unknown band member '" + base + ":" + variant + "' (variants: " + valid_variants() + ")");

  NumericProfile p = NumericProfile::builtin(base);
  p.name = base + ":" + variant;
  const OpNumerics d = p.defaults;
  auto override_for = [&](const std::string& type) -> OpNumerics& {
    auto [o, fresh] = p.by_op_type.try_emplace(type, d);  // overrides start from the defaults
    (void)fresh;
    return o->second;
  };
  if (it->partials != d.reduction_accumulation || !(it->scheme == d.reduction))
    for (const auto& type : NumericProfile::reduction_op_types()) {
      OpNumerics& n = override_for(type);
      n.reduction_accumulation = it->partials;
      n.reduction = it->scheme;
    }
  if (dot)
    for (const auto& type : NumericProfile::dot_product_op_types()) {
      OpNumerics& n = override_for(type);
      n.accumulation = AccumMode::Fp16;
      n.accumulation_chunk = kDotChunk;
      // accumulation_chunk must not chunk this op's reductions (attention's softmax) as well.
      if (n.reduction.order == ReductionOrder::Legacy) n.reduction.order = ReductionOrder::Sequential;
    }
  p.description = "ane band member " + p.name + ": " + (it->name == "wide" ? "reductions accumulated wide" : "reductions " + it->name) +
                  (dot ? ", dot products in fp16 partial sums of " + std::to_string(kDotChunk) + " combined in fp32"
                       : ", dot products of fp16-rounded products accumulated wide") +
                  " (an assumption of the band, not a measurement)";
  return p;
}

std::vector<std::string> NumericProfile::band_members(const std::string& base) {
  if (base != "ane" && base != "ane-w8a8") throw Error(Location{}, "no band for profile '" + base + "' (bands: ane, ane-w8a8)");
  std::vector<std::string> out;
  for (const char* dot : {"", kDotSuffix})
    for (const auto& r : reduction_variants()) out.push_back(base + ":" + r.name + dot);
  return out;
}

}  // namespace mlscope::exec
