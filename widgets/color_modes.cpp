#include "widgets/color_modes.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "widgets/number_format.h"
#include "widgets/theme.h"

namespace mlscope::gui {
namespace {

constexpr ColorModeInfo kModes[] = {
    {ColorMode::OpType, "op-type", "Op type family"},
    {ColorMode::Device, "device", "Preferred device"},
    {ColorMode::Lineage, "lineage", "Quantization lineage"},
    {ColorMode::Cost, "cost", "Cost share (est. MACs)"},
    {ColorMode::Divergence, "divergence", "Divergence vs reference"},
    {ColorMode::Hazards, "hazards", "fp16 hazards"},
};

constexpr ImU32 rgb(int r, int g, int b) { return IM_COL32(r, g, b, 255); }

// Device categories.
constexpr uint8_t kDeviceNone = 3, kDeviceIo = 4;
// Lineage categories: analysis::LineageKind, then input/output nodes.
constexpr uint8_t kLineageIo = static_cast<uint8_t>(analysis::kLineageKindCount);
// Cost categories after the ramp buckets.
constexpr uint8_t kCostZero = NodeColors::kCostSteps, kCostUnknown = kCostZero + 1, kCostNone = kCostZero + 2;

// Lineage kinds (dark theme; the light theme lightens them): a hue per decoding path.
constexpr std::array<ImU32, analysis::kLineageKindCount> kLineageDark = {
    rgb(96, 100, 110),   // float: grey
    rgb(60, 120, 215),   // weights affine/blockwise: blue
    rgb(150, 85, 205),   // weights palettized: purple
    rgb(30, 150, 140),   // weights sparse: teal
    rgb(120, 150, 175),  // weights narrower float: slate
    rgb(225, 160, 30),   // activations: amber
    rgb(215, 55, 110),   // weights + activations: magenta
    rgb(70, 62, 56),     // plumbing: dark brown
};

// Cost ramp anchors (viridis-like: dark blue → green → yellow), readable on the dark canvas.
const std::array<ImVec4, 5> kRamp = {{{0.23f, 0.32f, 0.55f, 1}, {0.16f, 0.47f, 0.56f, 1}, {0.13f, 0.63f, 0.53f, 1},
                                          {0.45f, 0.78f, 0.33f, 1}, {0.99f, 0.88f, 0.15f, 1}}};

ImU32 ramp_color(float t) {
  t = std::clamp(t, 0.0f, 1.0f) * static_cast<float>(kRamp.size() - 1);
  const size_t i = std::min(static_cast<size_t>(t), kRamp.size() - 2);
  const float f = t - static_cast<float>(i);
  const ImVec4 a = kRamp[i], b = kRamp[i + 1];
  return ImGui::ColorConvertFloat4ToU32({a.x + (b.x - a.x) * f, a.y + (b.y - a.y) * f, a.z + (b.z - a.z) * f, 1});
}

ImU32 for_theme(ImU32 c) {
  if (current_theme() == Theme::Dark) return c;
  ImVec4 v = ImGui::ColorConvertU32ToFloat4(c);
  return ImGui::ColorConvertFloat4ToU32({v.x * 0.6f + 0.4f, v.y * 0.6f + 0.4f, v.z * 0.6f + 0.4f, 1});
}


}  // namespace

std::span<const ColorModeInfo> color_modes() { return kModes; }

const char* color_mode_name(ColorMode m) {
  for (const auto& i : kModes)
    if (i.mode == m) return i.label;
  return "";
}

bool parse_color_mode(const std::string& t, ColorMode& out) {
  for (const auto& i : kModes)
    if (t == i.script_name) { out = i.mode; return true; }
  if (t == "type" || t == "family") out = ColorMode::OpType;
  else if (t == "placement") out = ColorMode::Device;
  else if (t == "quant" || t == "quantization") out = ColorMode::Lineage;
  else if (t == "macs") out = ColorMode::Cost;
  else if (t == "fp16" || t == "fp16-hazards") out = ColorMode::Hazards;
  else return false;
  return true;
}

void NodeColors::rebuild(const Document& doc, const layout::GraphLayout& g, const ir::Function& fn) {
  *this = {};
  const size_t n = g.nodes.size();
  for (auto& c : category_) c.assign(n, 0);
  const ModelSnapshot* snap = doc.snapshot();
  const int32_t fi = doc.selection().function;
  const size_t f = static_cast<size_t>(fi);
  has_placement_ = snap && snap->placement && f < snap->op_device.size();
  if (snap && snap->placement) placement_source_ = std::string(analysis::source_name(snap->placement->source));
  const FunctionAnalysis* a = snap ? snap->function_analysis(fi) : nullptr;
  has_lineage_ = a && a->lineage.size() == fn.ops.size();
  has_cost_ = a && a->cost.size() == fn.ops.size() && snap->cost;
  if (snap) analysis_error_ = snap->analysis_error;
  if (a) { total_macs_ = a->total_macs; max_macs_ = a->max_macs; unknown_cost_ops_ = a->unknown_cost_ops; }

  for (size_t i = 0; i < n; ++i) {
    const auto& node = g.nodes[i];
    const bool op = node.kind == layout::NodeKind::Op;
    // Op type family.
    layout::OpFamily fam = node.kind == layout::NodeKind::FunctionInput ? layout::OpFamily::Input
                           : node.kind == layout::NodeKind::FunctionOutput ? layout::OpFamily::Output
                                                                           : layout::op_family(fn.op(node.id).type);
    category_[0][i] = static_cast<uint8_t>(fam);
    // Device.
    uint8_t dev = kDeviceIo;
    if (op && has_placement_) {
      const int8_t d = snap->op_device[f][static_cast<size_t>(node.id)];
      dev = d < 0 ? kDeviceNone : static_cast<uint8_t>(d);
    }
    category_[1][i] = dev;
    // Lineage.
    category_[2][i] = op && has_lineage_ ? static_cast<uint8_t>(a->lineage[static_cast<size_t>(node.id)]) : kLineageIo;
    // Cost share, bucketed relative to the most expensive op of the function.
    uint8_t cost = kCostNone;
    if (op && has_cost_) {
      const int32_t ci = a->cost[static_cast<size_t>(node.id)];
      if (ci >= 0) {
        const analysis::OpCost& c = snap->cost->ops[static_cast<size_t>(ci)];
        if (!c.known) cost = kCostUnknown;
        else if (c.macs == 0 || max_macs_ == 0) cost = kCostZero;
        else {
          const double t = static_cast<double>(c.macs) / static_cast<double>(max_macs_);
          cost = static_cast<uint8_t>(std::clamp(static_cast<int>(std::ceil(t * kCostSteps)) - 1, 0, kCostSteps - 1));
        }
      }
    }
    category_[3][i] = cost;
    for (size_t m = 0; m < kModeCount; ++m) ++count_[m][category_[m][i]];
  }
}

uint8_t NodeColors::salience(ColorMode m, size_t node) const {
  const auto& cat = category_[static_cast<size_t>(m)];
  if (node >= cat.size()) return 0;
  const uint8_t c = cat[node];
  switch (m) {
    case ColorMode::Cost: return c < kCostSteps ? static_cast<uint8_t>(c + 2) : c == kCostUnknown ? 1 : 0;
    case ColorMode::Lineage:
      return c == static_cast<uint8_t>(analysis::LineageKind::Float) || c == kLineageIo ? 0
             : c == static_cast<uint8_t>(analysis::LineageKind::Plumbing)               ? 1
                                                                                         : 2;
    case ColorMode::Device: return c == kDeviceIo || c == kDeviceNone ? 0 : 1;
    case ColorMode::OpType:
    case ColorMode::Divergence:
    case ColorMode::Hazards: return 0;
  }
  return 0;
}

bool NodeColors::available(ColorMode m, std::string* why) const {
  auto no = [&](std::string text) { if (why) *why = std::move(text); return false; };
  switch (m) {
    case ColorMode::OpType: return true;
    case ColorMode::Device: return has_placement_ || no("no placement for this model (see Model panel)");
    case ColorMode::Lineage: return has_lineage_ || no("no quantization analysis: " + analysis_error_);
    case ColorMode::Cost: return has_cost_ || no("no cost analysis: " + analysis_error_);
    case ColorMode::Divergence: return no("needs a comparison run (Compare window)");
    case ColorMode::Hazards: return no("needs the fp16 hazards analysis (View > fp16 hazards)");
  }
  return false;
}

std::vector<ImU32> NodeColors::colors_of(ColorMode m) {
  const Palette& pal = palette();
  std::vector<ImU32> t;
  switch (m) {
    case ColorMode::OpType: t.assign(pal.family, pal.family + layout::kOpFamilyCount); break;
    case ColorMode::Device: t = {pal.device[0], pal.device[1], pal.device[2], pal.device[3], pal.io_node}; break;
    case ColorMode::Lineage:
      for (ImU32 c : kLineageDark) t.push_back(for_theme(c));
      t.push_back(pal.io_node);
      break;
    case ColorMode::Cost:
      for (int s = 0; s < kCostSteps; ++s) t.push_back(for_theme(ramp_color((static_cast<float>(s) + 1) / kCostSteps)));
      t.push_back(for_theme(rgb(104, 108, 118)));  // no MACs
      t.push_back(for_theme(rgb(125, 95, 125)));  // unknown shape (muted: not an error)
      t.push_back(pal.io_node);                   // not costed (inputs, outputs, const)
      break;
    case ColorMode::Divergence:
    case ColorMode::Hazards: t.assign(pal.family, pal.family + layout::kOpFamilyCount); break;  // not drawn from here
  }
  return t;
}

Legend NodeColors::legend(ColorMode m) const {
  Legend l;
  char buf[160];
  const auto rows_for = [&](size_t mode, const std::vector<ImU32>& colors, auto name_of, size_t count) {
    for (size_t c = 0; c < count; ++c)
      if (count_[mode][c] > 0) {
        std::snprintf(buf, sizeof buf, "%s (%d)", std::string(name_of(c)).c_str(), count_[mode][c]);
        l.rows.push_back({colors[c], buf});
      }
  };
  const std::vector<ImU32> colors = colors_of(m);
  switch (m) {
    case ColorMode::OpType:
      l.title = "Color: op type family";
      rows_for(0, colors, [](size_t c) { return layout::op_family_name(static_cast<layout::OpFamily>(c)); }, layout::kOpFamilyCount);
      break;
    case ColorMode::Device: {
      l.title = "Color: preferred device (" + placement_source_ + ")";
      static const char* kNames[5] = {"CPU", "GPU", "Neural Engine", "no device (const)", "input / output"};
      rows_for(1, colors, [](size_t c) { return std::string_view(kNames[c]); }, 4);
      break;
    }
    case ColorMode::Lineage:
      l.title = "Color: quantization lineage";
      rows_for(2, colors, [](size_t c) { return analysis::lineage_kind_name(static_cast<analysis::LineageKind>(c)); }, analysis::kLineageKindCount);
      l.note = "from the constexpr / quantize chains (core/analysis)";
      break;
    case ColorMode::Cost: {
      l.title = "Color: share of estimated MACs";
      if (max_macs_ > 0)
        for (int s = 0; s < kCostSteps; ++s) l.ramp.push_back(colors[static_cast<size_t>(s)]);
      l.ramp_low = "smallest";
      if (count_[3][kCostNone]) l.rows.push_back({colors[kCostNone], "not costed: input / output / const (" + std::to_string(count_[3][kCostNone]) + ")"});
      const double share = total_macs_ ? 100.0 * static_cast<double>(max_macs_) / static_cast<double>(total_macs_) : 0;
      std::snprintf(buf, sizeof buf, "largest op: %.3g%% (%s MACs)", share, human_count(static_cast<double>(max_macs_)).c_str());
      l.ramp_high = buf;
      if (count_[3][kCostZero]) l.rows.push_back({colors[kCostZero], "no MACs (" + std::to_string(count_[3][kCostZero]) + ")"});
      if (count_[3][kCostUnknown]) l.rows.push_back({colors[kCostUnknown], "shape unknown (" + std::to_string(count_[3][kCostUnknown]) + ")"});
      l.note = max_macs_ > 0 ? "estimate from shapes: " + human_count(static_cast<double>(total_macs_)) + " MACs in this function"
                             : "no MACs estimated: no op has known shapes";
      break;
    }
    case ColorMode::Divergence:
      l.title = "Color: divergence (see the Compare window)";
      break;
    case ColorMode::Hazards:
      l.title = "Color: fp16 hazards (see the fp16 hazards window)";
      break;
  }
  return l;
}

std::string NodeColors::describe(ColorMode m, size_t node) const {
  const size_t mi = static_cast<size_t>(m);
  if (node >= category_[mi].size()) return {};
  const uint8_t c = category_[mi][node];
  switch (m) {
    case ColorMode::OpType: return std::string(layout::op_family_name(static_cast<layout::OpFamily>(c)));
    case ColorMode::Device: {
      static const char* kNames[5] = {"CPU", "GPU", "Neural Engine", "no device", "input / output"};
      return std::string("device: ") + kNames[std::min<uint8_t>(c, 4)];
    }
    case ColorMode::Lineage:
      return c < analysis::kLineageKindCount ? "lineage: " + std::string(analysis::lineage_kind_name(static_cast<analysis::LineageKind>(c))) : "";
    case ColorMode::Cost:
    case ColorMode::Divergence:
    case ColorMode::Hazards: return {};
  }
  return {};
}

}  // namespace mlscope::gui
