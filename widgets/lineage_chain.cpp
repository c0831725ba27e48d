#include "widgets/lineage_chain.h"

#include <imgui.h>

#include <algorithm>
#include <string>
#include <vector>

#include "widgets/color_modes.h"
#include "widgets/theme.h"

namespace mlscope::gui {
namespace {

struct Box {
  std::string title, detail;
  ir::OpId op = ir::kNone;  ///< clickable when set
  ImU32 fill = 0;
};

std::string join_dims(const std::vector<int64_t>& d) {
  std::string s;
  for (size_t i = 0; i < d.size(); ++i) s += (i ? "x" : "") + std::to_string(d[i]);
  return s;
}

std::string decode_detail(const analysis::TensorLineage& t) {
  std::string s = t.scheme;
  if (!t.granularity.empty()) s += (s.empty() ? "" : " ") + t.granularity;
  if (t.axis) s += " axis " + std::to_string(*t.axis);
  if (t.block_size) s += " block " + std::to_string(*t.block_size);
  if (!t.block_shape.empty() && !t.block_size) s += " block " + join_dims(t.block_shape);
  if (t.lut_size) s += " " + std::to_string(t.lut_size) + "-entry LUT";
  if (t.density) s += " density " + std::to_string(static_cast<int>(*t.density * 100 + 0.5)) + "%";
  return s;
}

std::vector<Box> boxes_for(const ir::Function& fn, const analysis::TensorLineage& t, ImU32 stored_fill, ImU32 op_fill, ImU32 consumer_fill) {
  std::vector<Box> boxes;
  const std::string dtype = t.stored_dtype.empty() ? std::string("?") : t.stored_dtype;
  const std::string stored = t.kind == "activation" ? dtype + " activation" : "stored " + dtype;
  std::string detail = t.kind == "activation" ? "quantized at runtime" : "";
  if (t.kind != "activation" && t.stored_bytes) detail = std::to_string(t.stored_bytes) + " bytes";
  if (t.compression_vs_fp16) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%s%.2gx vs fp16", detail.empty() ? "" : ", ", *t.compression_vs_fp16);
    detail += buf;
  }
  boxes.push_back({stored, detail, ir::kNone, stored_fill});
  // chain is consumer side first: draw producer side first.
  for (size_t i = t.chain.size(); i-- > 0;) {
    Box b;
    b.title = t.chain[i];
    b.op = i < t.chain_ops.size() ? fn.find_op(t.chain_ops[i]) : ir::kNone;
    // The scheme belongs to the decoding op (the one next to the stored data).
    if (i + 1 == t.chain.size()) b.detail = decode_detail(t);
    b.fill = op_fill;
    boxes.push_back(std::move(b));
  }
  boxes.push_back({t.op_type + "." + t.input, t.kind == "activation" ? "consumes a dequantized activation" : "consumes the decoded weight", ir::kNone, consumer_fill});
  return boxes;
}

}  // namespace

bool draw_lineage_chains(Document& doc, ir::OpId o) {
  const ModelSnapshot* snap = doc.snapshot();
  const ir::Function* fn = doc.current_function();
  const FunctionAnalysis* fa = snap ? snap->function_analysis(doc.selection().function) : nullptr;
  if (!fn || !fa || !snap->quant || static_cast<size_t>(o) >= fa->lineage_records.size()) return false;
  const auto& records = fa->lineage_records[static_cast<size_t>(o)];
  if (records.empty()) return false;
  const float font = ImGui::GetFontSize(), pad = font * 0.35f, arrow = font * 1.4f;
  const std::vector<ImU32> lc = NodeColors::colors_of(ColorMode::Lineage);
  const ImU32 stored_fill = lc[static_cast<size_t>(analysis::LineageKind::Plumbing)];
  const ImU32 op_fill = palette().family[static_cast<size_t>(layout::OpFamily::Quantization)];
  const ImU32 consumer_fill = lc[static_cast<size_t>(fa->lineage[static_cast<size_t>(o)])];
  ImDrawList* dl = ImGui::GetWindowDrawList();
  for (size_t r = 0; r < records.size(); ++r) {
    const analysis::TensorLineage& t = snap->quant->tensors[records[r]];
    ImGui::PushID(static_cast<int>(r));
    ImGui::TextDisabled("%s  %s (%s)", t.input.c_str(), t.value.c_str(), t.kind.c_str());
    const std::vector<Box> boxes = boxes_for(*fn, t, stored_fill, op_fill, consumer_fill);
    // Left to right when the row fits the window, else top to bottom with down arrows.
    std::vector<ImVec2> size;
    float total = 0;
    for (const Box& b : boxes) {
      size.push_back({std::max(ImGui::CalcTextSize(b.title.c_str()).x, ImGui::CalcTextSize(b.detail.c_str()).x) + 2 * pad,
                      (b.detail.empty() ? font : font * 2) + 2 * pad});
      total += size.back().x + (total > 0 ? arrow : 0);
    }
    const bool row = total <= ImGui::GetContentRegionAvail().x;
    const ImU32 ink = ImGui::GetColorU32(ImGuiCol_Text);
    for (size_t i = 0; i < boxes.size(); ++i) {
      const Box& b = boxes[i];
      const float w = size[i].x, h = size[i].y;
      if (i > 0 && row) {
        ImGui::SameLine(0, 0);
        const ImVec2 p = ImGui::GetCursorScreenPos();
        const float y = p.y + font * 0.5f + pad;
        dl->AddLine({p.x + 3, y}, {p.x + arrow - 4, y}, ink, 1.5f);
        dl->AddTriangleFilled({p.x + arrow - 3, y}, {p.x + arrow - 9, y - 4}, {p.x + arrow - 9, y + 4}, ink);
        ImGui::Dummy({arrow, h});
        ImGui::SameLine(0, 0);
      } else if (i > 0) {
        const ImVec2 p = ImGui::GetCursorScreenPos();
        const float x = p.x + font;
        const float ah = font * 0.9f;
        dl->AddLine({x, p.y}, {x, p.y + ah - 5}, ink, 1.5f);
        dl->AddTriangleFilled({x, p.y + ah}, {x - 4, p.y + ah - 6}, {x + 4, p.y + ah - 6}, ink);
        ImGui::Dummy({font * 2, ah});
      }
      ImGui::PushID(static_cast<int>(i));
      const ImVec2 p = ImGui::GetCursorScreenPos();
      const bool clicked = ImGui::InvisibleButton("##box", {w, h});
      const bool hovered = ImGui::IsItemHovered();
      dl->AddRectFilled(p, {p.x + w, p.y + h}, b.fill, 4);
      if (hovered && b.op != ir::kNone) dl->AddRect(p, {p.x + w, p.y + h}, palette().selected, 4, 0, 1.5f);
      const ImU32 tc = text_on(b.fill);
      dl->AddText({p.x + pad, p.y + pad}, tc, b.title.c_str());
      if (!b.detail.empty()) dl->AddText({p.x + pad, p.y + pad + font}, (tc & 0x00FFFFFF) | 0xC8000000, b.detail.c_str());
      if (clicked && b.op != ir::kNone) doc.select(doc.selection().function, b.op);
      if (hovered && b.op != ir::kNone) ImGui::SetTooltip("select %s", fn->op(b.op).name.c_str());
      ImGui::PopID();
    }
    ImGui::PopID();
    ImGui::Spacing();
  }
  return true;
}

}  // namespace mlscope::gui
