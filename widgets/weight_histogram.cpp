#include "widgets/weight_histogram.h"

#include <imgui.h>

#include <algorithm>
#include <cfloat>
#include <chrono>
#include <cstdio>
#include <vector>

namespace mlscope::gui {

WeightHistogram::~WeightHistogram() {
  for (auto& [k, e] : cache_)
    if (e.result.valid()) e.result.wait();
}

bool WeightHistogram::idle() const {
  for (const auto& [k, e] : cache_)
    if (e.result.valid() && e.result.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return false;
  return true;
}

void WeightHistogram::Draw(const Document& doc, ir::ValueId v) {
  draw_entry(doc, -1, v, [v](const ir::Function& fn) { return analysis::value_histogram(fn, v); });
}

void WeightHistogram::DrawAttribute(const Document& doc, ir::OpId o, size_t attr) {
  draw_entry(doc, o, static_cast<int64_t>(attr), [o, attr](const ir::Function& fn) {
    const ir::Op& op = fn.op(o);
    const auto& c = op.attributes[attr].value;
    analysis::TensorHistogram none;
    none.error = "no value";
    if (!c) return none;
    analysis::TensorHistogram h = analysis::constant_histogram(*c, op.name);
    h.producer_type = "attribute " + op.attributes[attr].name;
    return h;
  });
}

void WeightHistogram::draw_entry(const Document& doc, int32_t op, int64_t slot, Task task) {
  const ModelSnapshot* snap = doc.snapshot();
  const int32_t f = doc.selection().function;
  if (!snap || f < 0 || static_cast<size_t>(f) >= snap->model->functions.size()) return;
  if (generation_ != doc.generation()) {  // a new model: drop finished entries of the old one
    std::erase_if(cache_, [](const auto& kv) { return kv.second.result.wait_for(std::chrono::seconds(0)) == std::future_status::ready; });
    generation_ = doc.generation();
  }
  const Key key{doc.generation(), f, op, slot};
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    std::shared_ptr<const ir::Model> model = snap->model;  // kept alive by the task
    Entry e;
    e.result = std::async(std::launch::async, [model, f, task = std::move(task)] { return task(model->functions[static_cast<size_t>(f)]); }).share();
    it = cache_.emplace(key, std::move(e)).first;
  }
  const auto& fut = it->second.result;
  if (fut.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    ImGui::TextDisabled("decoding...");
    return;
  }
  const analysis::TensorHistogram& h = fut.get();
  if (!h.ok()) {
    ImGui::TextWrapped("No histogram: %s", h.error.c_str());
    return;
  }
  std::vector<float> bins(h.bins.begin(), h.bins.end());
  const float font = ImGui::GetFontSize();
  ImGui::PlotHistogram("##hist", bins.data(), static_cast<int>(bins.size()), 0, nullptr, 0.0f, FLT_MAX,
                       ImVec2(ImGui::GetContentRegionAvail().x, font * 4.5f));
  if (ImGui::IsItemHovered()) {
    const double w = (h.max - h.min) / static_cast<double>(std::max<size_t>(bins.size(), 1));
    ImGui::SetTooltip("equal-width bins of %.4g from %.6g to %.6g", w, h.min, h.max);
  }
  ImGui::Text("min %.5g  max %.5g", h.min, h.max);
  ImGui::Text("mean %.5g  std %.5g", h.mean, h.stddev);
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("%s %s · %llu values · %s", h.dtype.c_str(), h.shape.str().c_str(), static_cast<unsigned long long>(h.elements),
                     h.decoded.c_str());
  ImGui::PopStyleColor();
  if (h.sampled())
    ImGui::TextDisabled("sampled: every %llu-th value (%llu read)", static_cast<unsigned long long>(h.stride), static_cast<unsigned long long>(h.used));
  if (h.non_finite) ImGui::TextColored(ImVec4(1, 0.5f, 0.3f, 1), "%llu non-finite values (not in the statistics)", static_cast<unsigned long long>(h.non_finite));
}

}  // namespace mlscope::gui
