#include "core/analysis/analysis_json.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace mlscope::analysis {

namespace {

using nlohmann::json;

json stats_json(const ValueStats& s) {
  if (!s.present) return nullptr;
  return {{"count", s.count}, {"min", s.min}, {"max", s.max}, {"mean", s.mean}};
}

template <class T>
json opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json findings_json(const std::vector<Finding>& fs) {
  json a = json::array();
  for (const auto& f : fs) a.push_back({{"op", f.op}, {"severity", f.severity}, {"message", f.message}});
  return a;
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string human(double v) {
  const char* units[] = {"", "K", "M", "G", "T", "P"};
  int u = 0;
  while (v >= 1000.0 && u < 5) v /= 1000.0, ++u;
  return fmt(u == 0 ? "%.0f" : "%.2f", v) + units[u];
}

std::string pad(std::string s, size_t w) {
  if (s.size() < w) s.append(w - s.size(), ' ');
  return s;
}

}  // namespace

json quant_json(const QuantReport& r) {
  json j;
  j["verdict"] = r.verdict.kind;
  j["verdict_detail"] = r.verdict.detail;
  j["activation_quantize_ops"] = r.activation_quantize_ops;
  j["activation_dequantize_ops"] = r.activation_dequantize_ops;
  j["weight_compression_ops"] = r.weight_compression_ops;
  j["real_ops_consuming_dequantized"] = r.real_ops_consuming_dequantized;
  j["real_ops_consuming_quantized"] = r.real_ops_consuming_quantized;
  j["real_ops_by_lineage"] = r.real_ops_by_lineage;
  j["weight_inputs_total"] = r.weight_inputs_total;
  j["weight_inputs_compressed"] = r.weight_inputs_compressed;
  json ts = json::array();
  for (const auto& t : r.tensors) {
    json e = {{"function", t.function}, {"op", t.op}, {"op_type", t.op_type}, {"input", t.input}, {"value", t.value},
              {"kind", t.kind}, {"chain", t.chain}, {"chain_ops", t.chain_ops}, {"scheme", t.scheme},
              {"stored_dtype", t.stored_dtype}, {"bits", t.bits},
              {"granularity", t.granularity.empty() ? json(nullptr) : json(t.granularity)}, {"axis", opt(t.axis)},
              {"block_size", opt(t.block_size)}, {"block_shape", t.block_shape}, {"scale", stats_json(t.scale)},
              {"zero_point", stats_json(t.zero_point)}, {"symmetric", opt(t.symmetric)},
              {"density", opt(t.density)}, {"elements", t.elements}, {"stored_bytes", t.stored_bytes},
              {"compression_vs_fp16", opt(t.compression_vs_fp16)}};
    if (t.lut_size) {
      e["lut_size"] = t.lut_size;
      e["lut_vector_size"] = t.lut_vector_size;
      e["lut_count"] = t.lut_count;
      e["lut_dtype"] = t.lut_dtype;
    }
    if (t.kind == "activation") e["source_op"] = t.source_op;
    ts.push_back(std::move(e));
  }
  j["tensors"] = std::move(ts);
  j["findings"] = findings_json(r.findings);
  return j;
}

std::string quant_text(const QuantReport& r) {
  std::ostringstream o;
  o << "verdict: " << r.verdict.text() << "\n\n";
  o << "activation quantize ops:      " << r.activation_quantize_ops << "\n";
  o << "activation dequantize ops:    " << r.activation_dequantize_ops << "\n";
  o << "weight compression ops:       " << r.weight_compression_ops << "\n";
  o << "weight inputs compressed:     " << r.weight_inputs_compressed << " of " << r.weight_inputs_total << "\n";
  auto counts = [&](const char* title, const std::map<std::string, int64_t>& m) {
    int64_t total = 0;
    for (auto& [k, v] : m) total += v;
    o << title << total;
    for (auto& [k, v] : m) o << (k == m.begin()->first ? "  (" : ", ") << v << " " << k;
    o << (m.empty() ? "" : ")") << "\n";
  };
  counts("real ops consuming dequantized: ", r.real_ops_consuming_dequantized);
  counts("real ops consuming quantized:   ", r.real_ops_consuming_quantized);
  if (!r.tensors.empty()) {
    o << "\n" << pad("op", 28) << pad("input", 10) << pad("kind", 11) << pad("scheme", 16) << pad("stored", 8)
      << pad("gran.", 20) << pad("scale min..max", 24) << "ratio\n";
    for (const auto& t : r.tensors) {
      std::string g = t.granularity;
      if (t.axis) g += " ax" + std::to_string(*t.axis);
      if (t.block_size) g += " b" + std::to_string(*t.block_size);
      std::string sc = t.scale.present ? fmt("%.3g", t.scale.min) + ".." + fmt("%.3g", t.scale.max) : "";
      if (t.lut_size) sc = "lut " + std::to_string(t.lut_size) + "x" + std::to_string(t.lut_count);
      if (t.density) sc += (sc.empty() ? "" : " ") + fmt("density %.2f", *t.density);
      o << pad(t.op.substr(0, 27), 28) << pad(t.input.substr(0, 9), 10) << pad(t.kind, 11) << pad(t.scheme, 16)
        << pad(t.stored_dtype, 8) << pad(g, 20) << pad(sc, 24)
        << (t.compression_vs_fp16 ? fmt("%.2fx", *t.compression_vs_fp16) : "") << "\n";
    }
  }
  if (!r.findings.empty()) {
    o << "\nfindings:\n";
    for (const auto& f : r.findings) o << "  " << f.severity << ": op '" << f.op << "': " << f.message << "\n";
  }
  return o.str();
}

json cost_json(const CostReport& r, size_t top) {
  auto totals = [](const CostTotals& t) {
    return json{{"ops", t.ops}, {"unknown_ops", t.unknown_ops}, {"macs", t.macs}, {"flops", t.flops},
                {"weight_bytes", t.weight_bytes}, {"weight_bytes_decompressed", t.weight_bytes_decompressed},
                {"activation_bytes", t.activation_bytes}, {"estimate_seconds", t.estimate_seconds}};
  };
  json j;
  j["label"] = r.label;
  j["chip"] = {{"name", r.chip.name}, {"description", r.chip.description}, {"fp16_flops", r.chip.fp16_flops},
               {"int8_ops", r.chip.int8_ops}, {"bandwidth_bytes_per_s", r.chip.bandwidth},
               {"peak_source", r.chip.peak_source}, {"bandwidth_source", r.chip.bandwidth_source}};
  json ops = json::array();
  for (const auto& c : r.ops)
    ops.push_back({{"function", c.function}, {"name", c.name}, {"type", c.type}, {"known", c.known},
                   {"unknown_reason", c.unknown_reason.empty() ? json(nullptr) : json(c.unknown_reason)},
                   {"macs", c.macs}, {"flops", c.flops}, {"weight_bytes", c.weight_bytes},
                   {"weight_bytes_decompressed", c.weight_bytes_decompressed},
                   {"activation_bytes", c.activation_bytes()}, {"activation_bytes_read", c.activation_bytes_read},
                   {"activation_bytes_written", c.activation_bytes_written},
                   {"arithmetic_intensity", c.arithmetic_intensity}, {"int8", c.int8},
                   {"compute_seconds", c.compute_seconds}, {"memory_seconds", c.memory_seconds},
                   {"estimate_seconds", c.estimate_seconds}, {"bound", c.bound}});
  j["ops"] = std::move(ops);
  j["total"] = totals(r.total);
  json pf = json::object();
  for (const auto& [k, v] : r.per_function) pf[k] = totals(v);
  j["per_function"] = std::move(pf);
  json bt = json::array();
  std::vector<std::pair<std::string, CostTotals>> types(r.by_type.begin(), r.by_type.end());
  std::stable_sort(types.begin(), types.end(),
                   [](const auto& a, const auto& b) { return a.second.estimate_seconds > b.second.estimate_seconds; });
  const double total_s = r.total.estimate_seconds;
  for (const auto& [k, v] : types) {
    json e = totals(v);
    e["type"] = k;
    e["share"] = total_s > 0 ? v.estimate_seconds / total_s : 0.0;
    bt.push_back(std::move(e));
  }
  j["by_type"] = std::move(bt);
  json tops = json::array();
  for (size_t i : r.top_ops(top))
    tops.push_back({{"name", r.ops[i].name}, {"type", r.ops[i].type}, {"estimate_seconds", r.ops[i].estimate_seconds},
                    {"share", total_s > 0 ? r.ops[i].estimate_seconds / total_s : 0.0}, {"flops", r.ops[i].flops}});
  j["top_ops"] = std::move(tops);
  j["findings"] = findings_json(r.findings);
  return j;
}

std::string cost_text(const CostReport& r, size_t top) {
  std::ostringstream o;
  const double total_s = r.total.estimate_seconds;
  o << "cost (" << r.label << ", chip " << r.chip.name << ": " << r.chip.description << ")\n";
  o << "  peaks: " << human(r.chip.fp16_flops) << "FLOP/s fp16, " << human(r.chip.int8_ops) << "OP/s int8 ["
    << r.chip.peak_source << "]\n";
  o << "  bandwidth: " << human(r.chip.bandwidth) << "B/s [" << r.chip.bandwidth_source << "]\n\n";
  o << "total: " << human(static_cast<double>(r.total.macs)) << " MACs, " << human(static_cast<double>(r.total.flops))
    << " FLOPs, weights " << human(static_cast<double>(r.total.weight_bytes)) << "B stored / "
    << human(static_cast<double>(r.total.weight_bytes_decompressed)) << "B decompressed, activations "
    << human(static_cast<double>(r.total.activation_bytes)) << "B, estimate " << fmt("%.3f", total_s * 1e3)
    << " ms (ops serialized, no fusion)\n";
  if (r.total.unknown_ops) o << "unknown cost: " << r.total.unknown_ops << " ops (shapes not known)\n";
  o << "\nby op type:\n" << pad("  type", 30) << pad("ops", 6) << pad("MACs", 10) << pad("FLOPs", 10)
    << pad("est. ms", 10) << "share\n";
  std::vector<std::pair<std::string, CostTotals>> types(r.by_type.begin(), r.by_type.end());
  std::stable_sort(types.begin(), types.end(),
                   [](const auto& a, const auto& b) { return a.second.estimate_seconds > b.second.estimate_seconds; });
  for (const auto& [k, v] : types)
    o << pad("  " + k, 30) << pad(std::to_string(v.ops), 6) << pad(human(static_cast<double>(v.macs)), 10)
      << pad(human(static_cast<double>(v.flops)), 10) << pad(fmt("%.4f", v.estimate_seconds * 1e3), 10)
      << fmt("%.1f%%", total_s > 0 ? 100 * v.estimate_seconds / total_s : 0) << "\n";
  o << "\ntop ops:\n" << pad("  op", 34) << pad("type", 16) << pad("MACs", 10) << pad("AI", 8) << pad("bound", 9)
    << pad("est. ms", 10) << "share\n";
  for (size_t i : r.top_ops(top)) {
    const OpCost& c = r.ops[i];
    o << pad("  " + c.name.substr(0, 31), 34) << pad(c.type.substr(0, 15), 16) << pad(human(static_cast<double>(c.macs)), 10)
      << pad(fmt("%.1f", c.arithmetic_intensity), 8) << pad(c.known ? c.bound : "unknown", 9)
      << pad(fmt("%.4f", c.estimate_seconds * 1e3), 10)
      << fmt("%.1f%%", total_s > 0 ? 100 * c.estimate_seconds / total_s : 0) << "\n";
  }
  return o.str();
}

}  // namespace mlscope::analysis
