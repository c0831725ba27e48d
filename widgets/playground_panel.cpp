#include "widgets/playground_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "core/compare/compare_report.h"
#include "core/compare/what_if.h"
#include "widgets/plot.h"

namespace mlscope::gui {

namespace {

// The walkthrough, step by step, in plain words (for the demo / seed program: a W8A8 conv
// network whose two output scores nearly tie).
struct Step {
  const char* title;
  const char* text;
  const char* try_this;
};
const Step kSteps[] = {
    {"1. What you are looking at",
     "The demo program ends in two scores (logits), one per class. The class with the larger score wins (the argmax). "
     "On the recorded Mac the CPU gives [3.10, 3.57]: class 1 wins by 0.47 - a small margin.",
     "Compare window > logits: the reference is outlined; look at how close the two bars of each backend are."},
    {"2. Why a near-tie flips",
     "Every backend rounds numbers a little differently (fp16 storage, accumulation order, int8 steps). Each op adds a tiny "
     "error and later ops carry it forward, sometimes amplifying it. When the total error is larger than the margin, the "
     "other class wins: an argmax flip. The recorded Neural Engine run gives [4.44, 3.68] - class 0 wins.",
     "Compare window > margins: the margin changes sign for a flipped backend; the sweep shows how often this happens over many inputs."},
    {"3. Why activations matter",
     "Weights are quantized once, each channel with its own scale, so their error is small and fixed. Activations are "
     "quantized while the model runs, with one scale per tensor chosen from calibration data: one large value stretches "
     "the step for every other value, and each quantized layer adds fresh rounding noise that the next conv multiplies.",
     "Playground: run 'weights int8 per-channel' and then 'activations int8 per-tensor'; compare the margin change of each."},
    {"4. Undo the quantization",
     "On an already quantized program, 'bypass quantization' runs the same weights with the activation quantize/dequantize "
     "steps passed through. The gap between the two answers is what activation quantization costs on this input.",
     "Tick 'bypass quantization', run, then Compare > divergence to see where in the graph the two start to disagree."},
};

const char* kWeights[] = {"none", "int8", "int4"};
const char* kGran[] = {"per_tensor", "per_channel", "per_block"};

}  // namespace

std::string PlaygroundPanel::spec_from_controls() const {
  std::string s;
  auto add = [&](const std::string& part) { s += (s.empty() ? "" : ",") + part; };
  if (bypass_) add("quantization=bypass");
  if (weights_ > 0) {
    std::string w = std::string("weights=") + kWeights[weights_] + ":" + kGran[granularity_];
    if (granularity_ == 2) w += ":" + std::to_string(block_);
    add(w);
  }
  if (palette_bits_ > 0) add("weights=lut:" + std::to_string(palette_bits_));
  if (activations_) {
    add("activations=int8:per_tensor");
    add("calibration=" + std::to_string(calibration_));
  }
  return s;
}

void PlaygroundPanel::controls_from_spec(const std::string& text) {
  compare::WhatIfSpec w;
  try {
    w = compare::WhatIfSpec::parse(text);
  } catch (const std::exception&) {
    return;  // set_what_if reports the error
  }
  using WQ = compare::WeightQuant;
  weights_ = w.weights.kind == WQ::Kind::Linear ? (w.weights.bits == 4 ? 2 : 1) : 0;
  granularity_ = static_cast<int>(w.weights.granularity);
  block_ = w.weights.block_size;
  palette_bits_ = w.weights.kind == WQ::Kind::Lut ? w.weights.bits : 0;
  activations_ = w.activations;
  calibration_ = w.calibration;
  bypass_ = w.bypass_quantization;
}

std::string PlaygroundPanel::script_what_if(CompareSession& s, const std::string& spec) {
  std::snprintf(spec_buf_, sizeof spec_buf_, "%s", spec.c_str());
  controls_from_spec(spec);
  error_ = s.set_what_if(spec);
  if (!error_.empty()) return error_;
  const std::string ref = s.reference;
  error_ = s.select_only(ref + ",what-if");
  if (error_.empty() && !s.run()) error_ = "cannot run: a job is running";
  return error_;
}

void PlaygroundPanel::draw_controls(CompareSession& s) {
  const float font = ImGui::GetFontSize();
  ImGui::TextUnformatted("Weights");
  ImGui::SameLine(font * 8);
  ImGui::SetNextItemWidth(font * 6);
  ImGui::Combo("##w", &weights_, kWeights, 3);
  ImGui::SameLine();
  ImGui::BeginDisabled(weights_ == 0);
  ImGui::SetNextItemWidth(font * 8);
  ImGui::Combo("##g", &granularity_, kGran, 3);
  if (granularity_ == 2) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(font * 6);
    ImGui::InputInt("block size", &block_);
    block_ = std::clamp(block_, 1, 4096);
  }
  ImGui::EndDisabled();
  ImGui::TextUnformatted("Palettization");
  ImGui::SameLine(font * 8);
  ImGui::SetNextItemWidth(font * 6);
  const char* bits[] = {"off", "1-bit", "2-bit", "3-bit", "4-bit", "5-bit", "6-bit", "7-bit", "8-bit"};
  ImGui::Combo("##lut", &palette_bits_, bits, 9);
  ImGui::TextUnformatted("Activations");
  ImGui::SameLine(font * 8);
  ImGui::Checkbox("int8 per-tensor", &activations_);
  ImGui::SameLine();
  ImGui::BeginDisabled(!activations_);
  ImGui::SetNextItemWidth(font * 6);
  ImGui::InputInt("calibration inputs (seeded)", &calibration_);
  calibration_ = std::clamp(calibration_, 1, 256);
  ImGui::EndDisabled();
  ImGui::Checkbox("bypass quantization (already quantized programs)", &bypass_);
  const std::string spec = spec_from_controls();
  ImGui::Text("Spec:");
  ImGui::SameLine();
  ImGui::TextColored(ImVec4(0.6f, 0.85f, 1, 1), "%s", spec.empty() ? "(nothing chosen)" : spec.c_str());
  ImGui::TextDisabled("Same syntax as: mlscope-cli compare MODEL --what-if '%s'", spec.c_str());
  ImGui::BeginDisabled(spec.empty() || s.jobs().busy());
  if (ImGui::Button("Run what-if beside the reference")) script_what_if(s, spec);
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(s.jobs().busy() || s.what_if_spec().empty());
  if (ImGui::Button("Divergence vs reference")) s.run_divergence("what-if", 0.999, 0.01);
  ImGui::EndDisabled();
  if (!error_.empty()) ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", error_.c_str());
}

void PlaygroundPanel::draw_results(CompareSession& s) {
  const auto& r = s.result();
  if (!r) return;
  for (const auto& p : r->plots) {
    const compare::PlotBackend* wi = nullptr;
    const compare::PlotBackend* ref = nullptr;
    for (const auto& b : p.backends) {
      if (b.name == "what-if") wi = &b;
      if (b.reference) ref = &b;
    }
    if (!wi || !ref) continue;
    GroupedBars gb;
    gb.title = "Output '" + p.output + "': original (" + ref->name + ") vs what-if [" + s.what_if_spec() + "]";
    gb.x_label = "class";
    gb.y_label = "logit";
    gb.categories = p.labels;
    BarSeries a;
    a.name = ref->name + " (original)";
    a.color = series_color(0);
    a.values = ref->values;
    a.reference = true;
    BarSeries b;
    b.name = "what-if";
    b.color = series_color(1);
    b.values = wi->values;
    b.highlight.assign(p.classes.size(), false);
    b.badge = wi->flip ? "FLIP" : "";
    for (size_t c = 0; c < p.classes.size(); ++c) b.highlight[c] = wi->flip && p.classes[c] == wi->argmax;
    gb.series = {a, b};
    draw_grouped_bars("##wi", gb, ImVec2(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 16));
    ImGui::Text("margin %s -> %s (delta %s), max |diff| %s, cosine %.6f", compare::fmt_f32(ref->margin).c_str(), compare::fmt_f32(wi->margin).c_str(),
                compare::fmt_f64(wi->margin_delta).c_str(), compare::fmt_f64(wi->max_abs_diff).c_str(), wi->cosine);
    if (wi->flip) ImGui::TextColored(ImVec4(1, 0.35f, 0.35f, 1), "ARGMAX FLIP: the what-if picks class %lld, the original %lld", static_cast<long long>(wi->argmax),
                                     static_cast<long long>(ref->argmax));
  }
}

void PlaygroundPanel::draw_walkthrough() {
  if (!ImGui::CollapsingHeader("Walkthrough (demo model)", ImGuiTreeNodeFlags_DefaultOpen)) return;
  const int n = static_cast<int>(sizeof kSteps / sizeof kSteps[0]);
  walk_step_ = std::clamp(walk_step_, 0, n - 1);
  const Step& st = kSteps[walk_step_];
  ImGui::TextUnformatted(st.title);
  ImGui::PushTextWrapPos(0);
  ImGui::TextUnformatted(st.text);
  ImGui::TextDisabled("Try: %s", st.try_this);
  ImGui::PopTextWrapPos();
  ImGui::BeginDisabled(walk_step_ == 0);
  if (ImGui::Button("< Back")) --walk_step_;
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::Text("%d / %d", walk_step_ + 1, n);
  ImGui::SameLine();
  ImGui::BeginDisabled(walk_step_ == n - 1);
  if (ImGui::Button("Next >")) ++walk_step_;
  ImGui::EndDisabled();
}

void PlaygroundPanel::Draw(CompareSession& s, bool* open) {
  if (!ImGui::Begin("Playground", open)) { ImGui::End(); return; }
  if (!s.has_model()) { ImGui::TextDisabled("Open a model first."); ImGui::End(); return; }
  ImGui::TextDisabled("Change the quantization without reconverting: the what-if runs in the emulating interpreter, beside the reference (%s).", s.reference.c_str());
  draw_controls(s);
  ImGui::Separator();
  draw_results(s);
  ImGui::Separator();
  draw_walkthrough();
  ImGui::End();
}

}  // namespace mlscope::gui
