#include "core/exec/numeric_profile.h"

#include "core/exec/band_family.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/util/error.h"
#include "core/util/half.h"

namespace mlscope::exec {

float round_fp16(float v, RoundingMode mode) {
  uint16_t h = float_to_half(v);
  if (mode == RoundingMode::TowardZero && !std::isnan(v)) {
    float r = half_to_float(h);
    if (std::fabs(r) > std::fabs(v) && (h & 0x7FFFu) != 0) --h;  // one ulp toward zero (sign-magnitude)
  }
  return half_to_float(h);
}

const OpNumerics& NumericProfile::for_op(const ir::Op& op) const {
  if (!by_op_name.empty()) {
    auto it = by_op_name.find(op.name);
    if (it != by_op_name.end()) return it->second;
  }
  if (!by_op_type.empty()) {
    auto it = by_op_type.find(op.type);
    if (it != by_op_type.end()) return it->second;
  }
  return defaults;
}

namespace {

const char* storage_name(StorageMode s) {
  switch (s) {
    case StorageMode::Fp32: return "fp32";
    case StorageMode::Declared: return "declared";
    case StorageMode::Fp16: return "fp16";
  }
  return "?";
}
const char* accum_name(AccumMode a) { return a == AccumMode::Fp16 ? "fp16" : "fp32"; }

std::string describe(const OpNumerics& n) {
  std::ostringstream s;
  s << (n.storage == StorageMode::Declared ? "fp16 storage where the program declares fp16"
                                          : std::string(storage_name(n.storage)) + " storage");
  s << ", " << accum_name(n.accumulation) << " accumulation";
  if (n.round_products) s << " of fp16-rounded products";
  if (n.accumulation_chunk > 0) s << " in chunks of " << n.accumulation_chunk;
  s << ", " << accum_name(n.reduction_accumulation) << " reductions";
  const ReductionScheme& r = n.reduction;
  switch (r.order) {
    case ReductionOrder::Legacy: break;
    case ReductionOrder::Sequential: s << " (sequential)"; break;
    case ReductionOrder::Chunks: s << " in chunks of " << r.chunk << " combined in " << accum_name(r.combine); break;
    case ReductionOrder::Tiles:
      s << " in " << r.tile_h << "x" << r.tile_w << " tiles combined in " << accum_name(r.combine);
      break;
    case ReductionOrder::Pairwise: s << " (pairwise tree)"; break;
  }
  if (r.scale_terms) s << ", means scale each term by 1/N before the sum";
  if (n.rounding == RoundingMode::TowardZero) s << ", round toward zero";
  if (n.saturate > 0) s << ", conv/matmul outputs saturate at ±" << n.saturate;
  s << (n.honor_activation_quant ? ", quantize/dequantize exact" : ", activation quantization bypassed");
  if (n.int8_accumulation) s << ", int8 x int8 convs/linears accumulate in int32";
  return s.str();
}

}  // namespace

std::string NumericProfile::label() const {
  const bool overridden = !by_op_type.empty() || !by_op_name.empty();
  // With overrides the defaults are not what every op gets: say so, and for a band member
  // (whose overrides are its whole point) what they change.
  std::string s = "profile " + name + " (" + (overridden ? "defaults: " : "") + describe(defaults);
  if (overridden) s += "; " + std::to_string(by_op_type.size() + by_op_name.size()) + " per-op override(s)";
  if (overridden && name.find(':') != std::string::npos) s += ": " + description;
  return s + ")";
}

std::vector<std::string> NumericProfile::builtin_names() { return {"fp32", "fp16", "gpu", "gpu-lowacc", "ane", "ane-w8a8"}; }

const std::vector<std::string>& NumericProfile::reduction_op_types() {
  // Every op type whose kernel sums through Accumulator (kernel_util.h); NN layers by their
  // layer type ("pooling" runs avg_pool, "softmax"/"softmaxND" run softmax_along).
  static const std::vector<std::string> types = {
      "reduce_sum", "reduce_mean", "reduce_l1_norm", "reduce_l2_norm", "reduce_sum_square", "reduce_log_sum",
      "reduce_log_sum_exp", "avg_pool", "l2_pool", "layer_norm", "instance_norm", "l2_norm", "softmax", "softmaxND",
      "pooling", "cumsum", "scaled_dot_product_attention"};
  return types;
}

const std::vector<std::string>& NumericProfile::dot_product_op_types() {
  // Every op type whose kernel calls gemm() (NN layers by their layer type).
  static const std::vector<std::string> types = {
      "conv", "conv_transpose", "linear", "matmul", "einsum", "scaled_dot_product_attention", "lstm", "gru", "rnn",
      "convolution", "innerProduct", "uniDirectionalLSTM", "biDirectionalLSTM"};
  return types;
}

NumericProfile NumericProfile::builtin(const std::string& name) {
  if (const size_t colon = name.find(':'); colon != std::string::npos) return band_member_profile(name.substr(0, colon), name.substr(colon + 1));
  NumericProfile p;
  p.name = name;
  OpNumerics& d = p.defaults;
  if (name == "fp32") {
    p.description = "reference: everything in fp32, fp16 declarations ignored";
  } else if (name == "fp16") {
    p.description = "each op computed in fp32 from its inputs, output rounded to fp16 where the program declares fp16";
    d.storage = StorageMode::Declared;
  } else if (name == "gpu") {
    p.description = "GPU: fp16 storage, fp32 accumulation (Core ML default on GPU)";
    d.storage = StorageMode::Fp16;
  } else if (name == "gpu-lowacc") {
    p.description = "GPU with allowLowPrecisionAccumulationOnGPU: fp16 storage and fp16 accumulation";
    d.storage = StorageMode::Fp16;
    d.accumulation = AccumMode::Fp16;
    d.reduction_accumulation = AccumMode::Fp16;
  } else if (name == "ane" || name == "ane-w8a8") {
    p.description = "Neural Engine, wide-accumulator reading of the community measurements (ANEForge): fp16 storage, "
                    "fp16-rounded products accumulated wide, reductions accumulated wide too (fp32-class), "
                    "matmul-class outputs saturating at ±32752; one member of the ane band";
    d.storage = StorageMode::Fp16;
    d.round_products = true;
    d.saturate = 32752.0f;
    if (name == "ane-w8a8") {
      p.description += "; int8 activations honored with int32 accumulation";
      d.int8_accumulation = true;
    }
  } else {
    std::string names;
    for (const auto& n : builtin_names()) names += (names.empty() ? "" : ", ") + n;
    throw Error(Location{}, "unknown numeric profile '" + name + "' (built-in: " + names +
                                ", ane-band, ane-w8a8-band, and the band members ane:<variant> / ane-w8a8:<variant>)");
  }
  return p;
}

namespace {

using json = nlohmann::json;

void apply_keys(const json& j, OpNumerics& n, const std::string& file, const std::string& where) {
  auto bad = [&](const std::string& key, const std::string& msg) {
    throw Error(Location::at_op(file, where.empty() ? key : where + "." + key), msg);
  };
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    auto str = [&]() -> std::string {
      if (!v.is_string()) bad(k, "must be a string");
      return v.get<std::string>();
    };
    auto boolean = [&]() -> bool {
      if (!v.is_boolean()) bad(k, "must be true or false");
      return v.get<bool>();
    };
    if (k == "storage") {
      std::string s = str();
      if (s == "fp32") n.storage = StorageMode::Fp32;
      else if (s == "fp16") n.storage = StorageMode::Fp16;
      else if (s == "declared") n.storage = StorageMode::Declared;
      else bad(k, "must be fp32, fp16 or declared");
    } else if (k == "accumulation" || k == "reduction_accumulation") {
      std::string s = str();
      AccumMode m = s == "fp16" ? AccumMode::Fp16 : AccumMode::Fp32;
      if (s != "fp16" && s != "fp32") bad(k, "must be fp32 or fp16");
      (k == "accumulation" ? n.accumulation : n.reduction_accumulation) = m;
    } else if (k == "accumulation_chunk") {
      if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > (1 << 30)) bad(k, "must be an integer >= 0");
      n.accumulation_chunk = v.get<int>();
    } else if (k == "rounding") {
      std::string s = str();
      if (s == "nearest_even") n.rounding = RoundingMode::NearestEven;
      else if (s == "toward_zero") n.rounding = RoundingMode::TowardZero;
      else bad(k, "must be nearest_even or toward_zero");
    } else if (k == "round_products") {
      n.round_products = boolean();
    } else if (k == "saturate") {
      if (!v.is_number() || v.get<double>() < 0) bad(k, "must be a number >= 0 (0 = off)");
      n.saturate = v.get<float>();
    } else if (k == "activation_quantization") {
      std::string s = str();
      if (s != "honored" && s != "bypassed") bad(k, "must be honored or bypassed");
      n.honor_activation_quant = s == "honored";
    } else if (k == "int8_accumulation") {
      n.int8_accumulation = boolean();
    } else if (k == "reduction_order") {
      std::string s = str();
      if (s == "legacy") n.reduction.order = ReductionOrder::Legacy;
      else if (s == "sequential") n.reduction.order = ReductionOrder::Sequential;
      else if (s == "chunks") n.reduction.order = ReductionOrder::Chunks;
      else if (s == "tiles") n.reduction.order = ReductionOrder::Tiles;
      else if (s == "pairwise") n.reduction.order = ReductionOrder::Pairwise;
      else bad(k, "must be legacy, sequential, chunks, tiles or pairwise");
    } else if (k == "reduction_chunk") {
      if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > (1 << 30)) bad(k, "must be an integer >= 1");
      n.reduction.chunk = v.get<int>();
    } else if (k == "reduction_tile") {
      auto dim_ok = [](const json& d) { return d.is_number_integer() && d.get<int64_t>() >= 1 && d.get<int64_t>() <= (1 << 15); };
      if (!v.is_array() || v.size() != 2 || !dim_ok(v[0]) || !dim_ok(v[1])) bad(k, "must be [rows, columns], integers >= 1");
      n.reduction.tile_h = v[0].get<int>();
      n.reduction.tile_w = v[1].get<int>();
    } else if (k == "reduction_combine") {
      std::string s = str();
      if (s != "fp16" && s != "fp32") bad(k, "must be fp32 or fp16");
      n.reduction.combine = s == "fp16" ? AccumMode::Fp16 : AccumMode::Fp32;
    } else if (k == "mean_scaling") {
      std::string s = str();
      if (s != "after_sum" && s != "before_sum") bad(k, "must be after_sum or before_sum");
      n.reduction.scale_terms = s == "before_sum";
    } else {
      bad(k, "unknown profile key");
    }
  }
  // A scheme needs its sizes: named after the key that chose the order.
  if (n.reduction.order == ReductionOrder::Chunks && n.reduction.chunk < 1)
    bad(j.contains("reduction_order") ? "reduction_order" : "reduction_chunk", "\"chunks\" needs \"reduction_chunk\" >= 1");
  if (n.reduction.order == ReductionOrder::Tiles && (n.reduction.tile_h < 1 || n.reduction.tile_w < 1))
    bad(j.contains("reduction_order") ? "reduction_order" : "reduction_tile", "\"tiles\" needs \"reduction_tile\": [rows, columns]");
}

}  // namespace

NumericProfile NumericProfile::from_json(const std::string& text, const std::string& file) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw Error(Location::at_byte(file, static_cast<int64_t>(e.byte)), std::string("invalid JSON: ") + e.what());
  }
  if (!j.is_object()) throw Error(Location::in_file(file), "a profile must be a JSON object");
  NumericProfile p = builtin(j.contains("base") && j["base"].is_string() ? j["base"].get<std::string>() : "fp32");
  p.name = j.value("name", std::string("custom"));
  p.description = j.value("description", std::string("user-defined profile from ") + file);
  json defaults = j;
  for (const char* meta : {"name", "description", "base", "by_op_type", "by_op_name"}) defaults.erase(meta);
  apply_keys(defaults, p.defaults, file, "");
  for (const char* group : {"by_op_type", "by_op_name"}) {
    if (!j.contains(group)) continue;
    if (!j[group].is_object()) throw Error(Location::at_op(file, group), "must be an object of op -> settings");
    auto& target = std::string(group) == "by_op_type" ? p.by_op_type : p.by_op_name;
    for (auto it = j[group].begin(); it != j[group].end(); ++it) {
      if (!it.value().is_object()) throw Error(Location::at_op(file, std::string(group) + "." + it.key()), "must be an object");
      OpNumerics n = p.defaults;  // overrides start from the profile's defaults
      apply_keys(it.value(), n, file, std::string(group) + "." + it.key());
      target[it.key()] = n;
    }
  }
  return p;
}

NumericProfile NumericProfile::from_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(Location::in_file(path), "cannot open profile file");
  std::stringstream ss;
  ss << in.rdbuf();
  return from_json(ss.str(), path);
}

}  // namespace mlscope::exec
