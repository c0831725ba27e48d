#include "widgets/backends_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>

namespace mlscope::gui {

namespace {

bool combo_enum(const char* label, int& v, std::initializer_list<const char*> names, bool editable) {
  ImGui::BeginDisabled(!editable);
  bool changed = false;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
  if (ImGui::BeginCombo(label, *(names.begin() + std::clamp(v, 0, static_cast<int>(names.size()) - 1)))) {
    int i = 0;
    for (const char* n : names) {
      if (ImGui::Selectable(n, i == v)) { v = i; changed = true; }
      ++i;
    }
    ImGui::EndCombo();
  }
  ImGui::EndDisabled();
  return changed;
}

const char* kind_tag(exec::BackendKind k) {
  switch (k) {
    case exec::BackendKind::Emulated: return "emulated";
    case exec::BackendKind::Recorded: return "recorded";
    case exec::BackendKind::Native: return "native";
  }
  return "";
}

}  // namespace

bool edit_numerics(exec::OpNumerics& n, bool editable) {
  bool changed = false;
  int storage = static_cast<int>(n.storage), acc = static_cast<int>(n.accumulation), red = static_cast<int>(n.reduction_accumulation);
  int rnd = static_cast<int>(n.rounding);
  changed |= combo_enum("storage", storage, {"fp32", "declared fp16", "fp16 everywhere"}, editable);
  changed |= combo_enum("dot-product accumulation", acc, {"fp32", "fp16"}, editable);
  changed |= combo_enum("reduction accumulation", red, {"fp32", "fp16"}, editable);
  changed |= combo_enum("fp16 rounding", rnd, {"nearest even", "toward zero"}, editable);
  ImGui::BeginDisabled(!editable);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
  changed |= ImGui::InputInt("accumulation chunk (0 = none)", &n.accumulation_chunk);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
  changed |= ImGui::InputFloat("saturate conv/matmul at (0 = off)", &n.saturate, 0, 0, "%.1f");
  changed |= ImGui::Checkbox("round products to fp16", &n.round_products);
  changed |= ImGui::Checkbox("honor activation quantize/dequantize", &n.honor_activation_quant);
  changed |= ImGui::Checkbox("int8 x int8 accumulate in int32", &n.int8_accumulation);
  ImGui::EndDisabled();
  n.storage = static_cast<exec::StorageMode>(storage);
  n.accumulation = static_cast<exec::AccumMode>(acc);
  n.reduction_accumulation = static_cast<exec::AccumMode>(red);
  n.rounding = static_cast<exec::RoundingMode>(rnd);
  n.accumulation_chunk = std::max(0, n.accumulation_chunk);
  n.saturate = std::max(0.0f, n.saturate);
  return changed;
}

void BackendsPanel::draw_backends(CompareSession& s) {
  ImGui::TextDisabled("Check the backends to run; the radio button picks the reference.");
  auto& list = s.backends();
  for (size_t i = 0; i < list.size(); ++i) {
    BackendChoice& b = list[i];
    ImGui::PushID(static_cast<int>(i));
    if (ImGui::RadioButton("##ref", s.reference == b.spec.name)) s.reference = b.spec.name;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Use %s as the reference", b.spec.name.c_str());
    ImGui::SameLine();
    ImGui::Checkbox("##sel", &b.selected);
    ImGui::SameLine();
    const bool open = ImGui::TreeNode("##params", "%s", b.spec.name.c_str());
    ImGui::SameLine();
    ImGui::TextDisabled("%s%s", kind_tag(b.spec.kind), s.reference == b.spec.name ? ", reference" : "");
    if (open) {
      if (b.spec.profile) {
        ImGui::TextWrapped("%s", b.spec.profile->description.c_str());
        if (!b.user) ImGui::TextDisabled("built-in: derive a user profile below to edit these rules");
        edit_numerics(b.spec.profile->defaults, b.user);
        if (!b.spec.profile->by_op_type.empty())
          ImGui::TextDisabled("+ %zu per-op-type override(s) kept as built in", b.spec.profile->by_op_type.size());
      } else if (b.spec.recording) {
        ImGui::TextWrapped("Recorded on %s (%s): replays the Mac's outputs for the recorded input only.", b.spec.recording->recorded_on.c_str(),
                           b.spec.recording->path.c_str());
      }
      ImGui::TreePop();
    }
    ImGui::PopID();
  }
  const auto names = exec::NumericProfile::builtin_names();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
  ImGui::Combo("##base", &base_profile_, [](void* d, int i, const char** out) {
    *out = (*static_cast<const std::vector<std::string>*>(d))[static_cast<size_t>(i)].c_str();
    return true;
  }, const_cast<std::vector<std::string>*>(&names), static_cast<int>(names.size()));
  ImGui::SameLine();
  if (ImGui::Button("Derive user profile")) s.derive_user_profile(names[static_cast<size_t>(base_profile_)]);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Copies the chosen built-in profile as 'user' with editable numeric rules");

  ImGui::Spacing();
  ImGui::TextUnformatted("Recording");
  if (!s.recording_path().empty()) ImGui::TextDisabled("loaded: %s", s.recording_path().c_str());
  ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 5);
  ImGui::InputTextWithHint("##rec", "path/to/model.recording.json", recording_buf_, sizeof recording_buf_);
  ImGui::SameLine();
  if (ImGui::Button("Load")) recording_error_ = s.load_recording(recording_buf_);
  if (!recording_error_.empty()) ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", recording_error_.c_str());
}

void BackendsPanel::draw_input(CompareSession& s) {
  InputChoice& in = s.input;
  int kind = static_cast<int>(in.kind);
  ImGui::BeginDisabled(!s.has_recording_input());
  ImGui::RadioButton("recording's input", &kind, static_cast<int>(InputChoice::Kind::Recording));
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::RadioButton("seeded random", &kind, static_cast<int>(InputChoice::Kind::Seed));
  ImGui::SameLine();
  ImGui::RadioButton("file", &kind, static_cast<int>(InputChoice::Kind::File));
  if (in.kind == InputChoice::Kind::SweepItem) {
    ImGui::SameLine();
    ImGui::RadioButton("sweep input", &kind, static_cast<int>(InputChoice::Kind::SweepItem));
  }
  in.kind = static_cast<InputChoice::Kind>(kind);
  if (in.kind == InputChoice::Kind::Seed) {
    int seed = static_cast<int>(in.seed);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
    if (ImGui::InputInt("seed", &seed)) in.seed = static_cast<uint64_t>(std::max(0, seed));
    ImGui::TextDisabled("standard normal values, core/io/random_inputs.h generator");
  } else if (in.kind == InputChoice::Kind::File) {
    if (file_buf_[0] == 0 && !in.path.empty()) std::snprintf(file_buf_, sizeof file_buf_, "%s", in.path.c_str());
    ImGui::SetNextItemWidth(-1);
    if (ImGui::InputTextWithHint("##file", ".npy, .npz or image (.png/.jpg/.bmp)", file_buf_, sizeof file_buf_)) in.path = file_buf_;
    thumbnail_.Draw(in.path, ImGui::GetFontSize() * 6);
  } else if (in.kind == InputChoice::Kind::Recording) {
    ImGui::TextDisabled("the input the recording was made with (recorded backends need it)");
  } else {
    ImGui::TextDisabled("%s", in.label().c_str());
  }
}

void BackendsPanel::draw_run(CompareSession& s) {
  Task& jobs = s.jobs();
  ImGui::BeginDisabled(jobs.busy() || !s.has_model());
  if (ImGui::Button("Run")) s.run();
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Runs the checked backends on the input (cached results are reused)");
  ImGui::SameLine();
  ImGui::BeginDisabled(!jobs.busy() || jobs.stopping());
  if (ImGui::Button("Stop")) s.stop();
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::TextDisabled("%zu cached run(s)", s.cached_runs());
  if (jobs.busy()) {
    char overlay[160];
    std::snprintf(overlay, sizeof overlay, "%s: %s%s", jobs.title().c_str(), jobs.stage().c_str(), jobs.stopping() ? " (stopping)" : "");
    ImGui::ProgressBar(jobs.fraction(), ImVec2(-1, 0), overlay);
  } else {
    if (!jobs.last_error().empty()) ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", jobs.last_error().c_str());
    if (jobs.last_cancelled()) ImGui::TextDisabled("stopped %.0f ms after Stop", jobs.last_cancel_latency_ms());
    if (!s.status().empty()) ImGui::TextWrapped("%s", s.status().c_str());
    if (const auto& r = s.result())
      for (const auto& [name, err] : r->backend_errors) ImGui::TextColored(ImVec4(1, 0.6f, 0.3f, 1), "%s: %s", name.c_str(), err.c_str());
  }
}

void BackendsPanel::Draw(CompareSession& s, bool* open) {
  if (!ImGui::Begin("Backends", open)) { ImGui::End(); return; }
  if (!s.has_model()) {
    ImGui::TextDisabled("Open a model to compare backends.");
    ImGui::End();
    return;
  }
  draw_run(s);
  ImGui::Separator();
  if (ImGui::CollapsingHeader("Input", ImGuiTreeNodeFlags_DefaultOpen)) draw_input(s);
  if (ImGui::CollapsingHeader("Backends", ImGuiTreeNodeFlags_DefaultOpen)) draw_backends(s);
  ImGui::End();
}

}  // namespace mlscope::gui
