// Parsing and printing of what-if specs ("weights=int8:per_channel,activations=int8:per_tensor").
#include <set>
#include <sstream>
#include <vector>

#include "core/compare/what_if.h"
#include "core/util/error.h"

namespace mlscope::compare {

namespace {

struct Token {
  std::string text;
  int column = 1;  ///< 1-based column of the token in the spec
};

std::vector<Token> split_tokens(const std::string& s, char sep, int base_column) {
  std::vector<Token> out;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    if (end == std::string::npos) end = s.size();
    out.push_back({s.substr(start, end - start), base_column + static_cast<int>(start)});
    if (end == s.size()) break;
    start = end + 1;
  }
  return out;
}

[[noreturn]] void bad(const Token& t, const std::string& why) {
  throw Error(Location::at_line("what-if spec", 1, t.column), "bad token '" + t.text + "': " + why);
}

int to_int(const Token& whole, const std::string& s, int lo, int hi, const std::string& what) {
  int v = 0;
  bool ok = !s.empty() && s.size() <= 9;
  for (char c : s) ok = ok && c >= '0' && c <= '9';
  if (ok) v = std::stoi(s);
  if (!ok || v < lo || v > hi)
    bad(whole, what + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got '" + s + "'");
  return v;
}

void parse_weights(const Token& tok, const std::string& value, WeightQuant& w) {
  std::vector<Token> parts = split_tokens(value, ':', 0);
  const std::string& kind = parts[0].text;
  if (kind == "lut") {
    if (parts.size() != 2) bad(tok, "expected weights=lut:N (N = bits per index, 1..8)");
    w.kind = WeightQuant::Kind::Lut;
    w.bits = to_int(tok, parts[1].text, 1, 8, "LUT bits");
    return;
  }
  if (kind.rfind("int", 0) != 0)
    bad(tok, "weights must be int8, int4 (intN, N = 2..8) or lut:N, got '" + kind + "'");
  w.kind = WeightQuant::Kind::Linear;
  w.bits = to_int(tok, kind.substr(3), 2, 8, "weight bits");
  if (parts.size() < 2) bad(tok, "expected weights=" + kind + ":per_tensor|per_channel|per_block:B");
  const std::string& g = parts[1].text;
  if (g == "per_tensor" || g == "per_channel") {
    if (parts.size() != 2) bad(tok, g + " takes no further parameter");
    w.granularity = g == "per_tensor" ? WeightQuant::Granularity::PerTensor : WeightQuant::Granularity::PerChannel;
  } else if (g == "per_block") {
    if (parts.size() != 3) bad(tok, "expected per_block:B (B = input channels per block)");
    w.granularity = WeightQuant::Granularity::PerBlock;
    w.block_size = to_int(tok, parts[2].text, 1, 1 << 20, "block size");
  } else {
    bad(tok, "granularity must be per_tensor, per_channel or per_block:B, got '" + g + "'");
  }
}

}  // namespace

WhatIfSpec WhatIfSpec::parse(const std::string& text) {
  WhatIfSpec spec;
  std::set<std::string> seen;
  if (text.empty()) throw Error(Location::at_line("what-if spec", 1, 1), "empty spec (e.g. weights=int8:per_channel)");
  for (const Token& tok : split_tokens(text, ',', 1)) {
    const size_t eq = tok.text.find('=');
    if (tok.text.empty()) bad(tok, "empty item (stray comma?)");
    if (eq == std::string::npos || eq == 0) bad(tok, "expected KEY=VALUE");
    const std::string key = tok.text.substr(0, eq), value = tok.text.substr(eq + 1);
    if (!seen.insert(key).second) bad(tok, "'" + key + "' given twice");
    if (key == "weights") {
      parse_weights(tok, value, spec.weights);
    } else if (key == "activations") {
      if (value != "int8:per_tensor") bad(tok, "only activations=int8:per_tensor is supported");
      spec.activations = true;
    } else if (key == "calibration") {
      spec.calibration = to_int(tok, value, 1, 100000, "calibration input count");
    } else if (key == "calibration_seed") {
      spec.calibration_seed = static_cast<uint64_t>(to_int(tok, value, 0, 999999999, "calibration seed"));
    } else if (key == "quantization") {
      if (value != "bypass") bad(tok, "only quantization=bypass is supported");
      spec.bypass_quantization = true;
    } else {
      bad(tok, "unknown key '" + key + "' (weights, activations, calibration, calibration_seed, quantization)");
    }
  }
  if ((seen.count("calibration") || seen.count("calibration_seed")) && !spec.activations)
    throw Error(Location::at_line("what-if spec", 1, 1), "calibration applies to activations=int8:per_tensor, which the spec does not ask for");
  return spec;
}

std::string WhatIfSpec::text() const {
  std::vector<std::string> items;
  if (weights.kind == WeightQuant::Kind::Linear) {
    std::string g = weights.granularity == WeightQuant::Granularity::PerTensor    ? "per_tensor"
                    : weights.granularity == WeightQuant::Granularity::PerChannel ? "per_channel"
                                                                                  : "per_block:" + std::to_string(weights.block_size);
    items.push_back("weights=int" + std::to_string(weights.bits) + ":" + g);
  } else if (weights.kind == WeightQuant::Kind::Lut) {
    items.push_back("weights=lut:" + std::to_string(weights.bits));
  }
  if (activations) {
    items.push_back("activations=int8:per_tensor");
    items.push_back("calibration=" + std::to_string(calibration));
    if (calibration_seed != 0) items.push_back("calibration_seed=" + std::to_string(calibration_seed));
  }
  if (bypass_quantization) items.push_back("quantization=bypass");
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace mlscope::compare
