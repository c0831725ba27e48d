#include "widgets/op_inspector.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "core/analysis/tensor_histogram.h"
#include "widgets/lineage_chain.h"
#include "widgets/number_format.h"

namespace mlscope::gui {
namespace {

// A link to another op: click selects it (and moves the other views there).
void op_link(Document& doc, const ir::Function& fn, ir::OpId o, const char* prefix) {
  const ir::Op& op = fn.op(o);
  ImGui::PushID(o);
  const std::string label = std::string(prefix) + op.qualified_type() + "  " + op.name;
  if (ImGui::SmallButton(label.c_str())) doc.select(doc.selection().function, o);
  ImGui::PopID();
}

void constant_rows(const ir::Constant& c) {
  ImGui::TextDisabled("%s", c.type.str().c_str());
  if (c.is_tensor()) {
    ImGui::SameLine();
    ImGui::TextDisabled("  %s, %llu bytes", c.location().c_str(), static_cast<unsigned long long>(c.stored_bytes()));
  }
  std::string summary;
  try {
    summary = c.summary(12);
  } catch (const std::exception& e) {  // a broken blob must not take the window down
    summary = std::string("cannot decode: ") + e.what();
  }
  ImGui::TextWrapped("%s", summary.c_str());
}

}  // namespace

void OpInspector::Draw(Document& doc, bool* open) {
  if (!ImGui::Begin("Inspector", open)) { ImGui::End(); return; }
  const ir::Function* fn = doc.current_function();
  const ir::OpId o = doc.selection().op;
  if (!fn || o < 0 || static_cast<size_t>(o) >= fn->ops.size()) {
    ImGui::TextDisabled(fn ? "Select an op in the graph, the op table or the MIL text." : doc.has_model() ? "This model has no program (no ops)." : "No model open.");
    ImGui::End();
    return;
  }
  const ir::Op& op = fn->op(o);
  ImGui::Text("%s", op.qualified_type().c_str());
  ImGui::SameLine();
  ImGui::TextDisabled("%s", op.name.c_str());
  const std::string block = fn->block_path(op.parent);
  ImGui::TextDisabled("function %s%s%s  ·  op #%d", fn->name.c_str(), block.empty() ? "" : "  ·  block ", block.c_str(), o);
  if (hazards_section_) hazards_section_(doc);

  if (ImGui::CollapsingHeader("Quantization lineage", ImGuiTreeNodeFlags_DefaultOpen)) {
    if (!draw_lineage_chains(doc, o)) {
      const FunctionAnalysis* fa = doc.snapshot() ? doc.snapshot()->function_analysis(doc.selection().function) : nullptr;
      const bool plumbing = fa && static_cast<size_t>(o) < fa->lineage.size() && fa->lineage[static_cast<size_t>(o)] == analysis::LineageKind::Plumbing;
      ImGui::TextDisabled(plumbing ? "part of a decoding chain: select the op that consumes it" : "no quantized or compressed input");
    }
  }
  draw_weights(doc, *fn, op);
  if (const ModelSnapshot* snap = doc.snapshot(); snap && ImGui::CollapsingHeader("Placement", ImGuiTreeNodeFlags_DefaultOpen)) {
    const size_t f = static_cast<size_t>(doc.selection().function);
    const int32_t idx = snap->placement && f < snap->op_placement.size() ? snap->op_placement[f][static_cast<size_t>(o)] : -1;
    if (!snap->placement) {
      ImGui::TextWrapped("No placement: %s", snap->placement_error.empty() ? "not computed" : snap->placement_error.c_str());
    } else if (idx < 0) {
      ImGui::TextDisabled("not in the %s plan", std::string(analysis::source_name(snap->placement->source)).c_str());
    } else {
      const auto& p = snap->placement->ops[static_cast<size_t>(idx)];
      ImGui::Text("Preferred: %s", p.preferred ? std::string(analysis::device_name(*p.preferred)).c_str() : "none");
      ImGui::SameLine();
      ImGui::TextDisabled("(%s)", std::string(analysis::source_name(snap->placement->source)).c_str());
      std::string supported;
      for (auto d : p.supported.list()) supported += (supported.empty() ? "" : ", ") + std::string(analysis::device_name(d));
      ImGui::Text("Supported: %s", supported.empty() ? "-" : supported.c_str());
      if (!p.rule.empty()) ImGui::TextDisabled("rule: %s", p.rule.c_str());
      if (!p.reason.empty()) ImGui::TextWrapped("%s", p.reason.c_str());
      if (p.cost) ImGui::Text("Cost weight: %.4g", *p.cost);
    }
  }
  draw_cost(doc, o);
  if (ImGui::CollapsingHeader("Inputs", ImGuiTreeNodeFlags_DefaultOpen)) {
    if (op.inputs.empty()) ImGui::TextDisabled("none");
    for (size_t i = 0; i < op.inputs.size(); ++i) {
      const auto& in = op.inputs[i];
      ImGui::PushID(static_cast<int>(i));
      ImGui::BulletText("%s", in.name.c_str());
      ImGui::Indent();
      for (size_t b = 0; b < in.bindings.size(); ++b) {
        const auto& bind = in.bindings[b];
        ImGui::PushID(static_cast<int>(b));
        if (bind.is_literal()) {
          ImGui::TextDisabled("literal");
          if (bind.literal) constant_rows(*bind.literal);
        } else if (bind.value >= 0 && static_cast<size_t>(bind.value) < fn->values.size()) {
          const ir::Value& v = fn->value(bind.value);
          ImGui::Text("%s", v.name.c_str());
          ImGui::SameLine();
          ImGui::TextDisabled(": %s", v.type.str().c_str());
          if (v.producer == ir::kNone) {
            ImGui::TextDisabled("function / block input");
          } else {
            const ir::Op& prod = fn->op(v.producer);
            if (prod.is_const()) {
              // Folded constants are shown here, with their values.
              if (const ir::Constant* c = prod.attribute_value("val")) constant_rows(*c);
              op_link(doc, *fn, v.producer, "from ");
            } else {
              op_link(doc, *fn, v.producer, "from ");
            }
          }
        }
        ImGui::PopID();
      }
      ImGui::Unindent();
      ImGui::PopID();
    }
  }
  if (ImGui::CollapsingHeader("Outputs", ImGuiTreeNodeFlags_DefaultOpen)) {
    for (size_t i = 0; i < op.outputs.size(); ++i) {
      const ir::Value& v = fn->value(op.outputs[i]);
      ImGui::PushID(1000 + static_cast<int>(i));
      ImGui::BulletText("%s", v.name.c_str());
      ImGui::SameLine();
      ImGui::TextDisabled(": %s", v.type.str().c_str());
      ImGui::Indent();
      if (v.uses.empty()) ImGui::TextDisabled(fn->body_block().outputs.end() != std::find(fn->body_block().outputs.begin(), fn->body_block().outputs.end(), op.outputs[i]) ? "function output" : "no users");
      size_t shown = 0;
      for (const auto& use : v.uses) {
        if (++shown > 32) { ImGui::TextDisabled("... %zu more users", v.uses.size() - 32); break; }
        ImGui::PushID(static_cast<int>(shown));
        op_link(doc, *fn, use.op, "to ");
        ImGui::PopID();
      }
      ImGui::Unindent();
      ImGui::PopID();
    }
  }
  if (!op.attributes.empty() && ImGui::CollapsingHeader("Attributes", ImGuiTreeNodeFlags_DefaultOpen)) {
    for (size_t i = 0; i < op.attributes.size(); ++i) {
      const auto& a = op.attributes[i];
      ImGui::PushID(2000 + static_cast<int>(i));
      ImGui::BulletText("%s", a.name.c_str());
      ImGui::Indent();
      if (a.value) constant_rows(*a.value);
      ImGui::Unindent();
      ImGui::PopID();
    }
  }
  if (!op.blocks.empty() && ImGui::CollapsingHeader("Nested blocks")) {
    for (ir::BlockId b : op.blocks) ImGui::BulletText("%s: %zu ops", fn->block_path(b).c_str(), fn->block(b).ops.size());
  }
  ImGui::End();
}

void OpInspector::draw_weights(const Document& doc, const ir::Function& fn, const ir::Op& op) {
  // The op's own output when it is a weight (const / constexpr_*), else its weight inputs.
  std::vector<std::pair<std::string, ir::ValueId>> tensors;
  auto worth = [&](ir::ValueId v) {
    if (!analysis::is_compile_time_tensor(fn, v)) return false;
    const auto n = fn.value(v).type.shape.element_count();
    return !n || *n > 1;  // scalars are shown as attributes already
  };
  if (op.is_const() || op.is_constexpr()) {
    for (ir::ValueId v : op.outputs)
      if (worth(v)) tensors.emplace_back("output " + fn.value(v).name, v);
  } else {
    for (const auto& in : op.inputs)
      for (const auto& b : in.bindings)
        if (!b.is_literal() && worth(b.value)) tensors.emplace_back(in.name + "  " + fn.value(b.value).name, b.value);
  }
  // NeuralNetwork layers carry their weights as tensor attributes.
  std::vector<size_t> attrs;
  if (op.dialect == ir::Dialect::NeuralNetwork)
    for (size_t i = 0; i < op.attributes.size(); ++i) {
      const auto& c = op.attributes[i].value;
      if (!c || !c->is_tensor() || c->dtype() == ir::DType::String) continue;
      const auto n = c->shape().element_count();
      if (n && *n > 16) attrs.push_back(i);
    }
  if ((tensors.empty() && attrs.empty()) || !ImGui::CollapsingHeader("Weights", ImGuiTreeNodeFlags_DefaultOpen)) return;
  for (size_t i = 0; i < tensors.size(); ++i) {
    ImGui::PushID(static_cast<int>(i) + 3000);
    if (ImGui::TreeNodeEx(tensors[i].first.c_str(), i == 0 ? ImGuiTreeNodeFlags_DefaultOpen : 0)) {
      histogram_.Draw(doc, tensors[i].second);
      ImGui::TreePop();
    }
    ImGui::PopID();
  }
  for (size_t k = 0; k < attrs.size(); ++k) {
    ImGui::PushID(static_cast<int>(k) + 4000);
    if (ImGui::TreeNodeEx(op.attributes[attrs[k]].name.c_str(), tensors.empty() && k == 0 ? ImGuiTreeNodeFlags_DefaultOpen : 0)) {
      histogram_.DrawAttribute(doc, doc.selection().op, attrs[k]);
      ImGui::TreePop();
    }
    ImGui::PopID();
  }
}

void OpInspector::draw_cost(const Document& doc, ir::OpId o) {
  const ModelSnapshot* snap = doc.snapshot();
  const FunctionAnalysis* fa = snap ? snap->function_analysis(doc.selection().function) : nullptr;
  if (!snap || !snap->cost || !fa || static_cast<size_t>(o) >= fa->cost.size() || fa->cost[static_cast<size_t>(o)] < 0) return;
  const analysis::OpCost& c = snap->cost->ops[static_cast<size_t>(fa->cost[static_cast<size_t>(o)])];
  if (!ImGui::CollapsingHeader("Cost (estimate)", ImGuiTreeNodeFlags_DefaultOpen)) return;
  if (!c.known) {
    ImGui::TextWrapped("Unknown: %s", c.unknown_reason.c_str());
    return;
  }
  const double share = fa->total_macs ? 100.0 * static_cast<double>(c.macs) / static_cast<double>(fa->total_macs) : 0;
  auto h = [](uint64_t v) { return human_count(static_cast<double>(v)); };
  ImGui::Text("MACs %s  (%.2f%% of the function)", h(c.macs).c_str(), share);
  ImGui::Text("FLOPs %s", h(c.flops).c_str());
  ImGui::Text("weights %sB stored, %sB decoded", h(c.weight_bytes).c_str(), h(c.weight_bytes_decompressed).c_str());
  ImGui::Text("activations %sB read, %sB written", h(c.activation_bytes_read).c_str(), h(c.activation_bytes_written).c_str());
  if (!c.bound.empty())
    ImGui::Text("roofline %.3g us, %s-bound%s", c.estimate_seconds * 1e6, c.bound.c_str(), c.int8 ? " (int8 peak)" : "");
  ImGui::TextDisabled("estimated from shapes for %s (core/analysis/cost), not measured", snap->cost->chip.name.c_str());
}

}  // namespace mlscope::gui
