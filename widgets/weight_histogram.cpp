#include "widgets/weight_histogram.h"

#include <imgui.h>

#include <algorithm>
#include <cfloat>
#include <cstdio>
#include <vector>

namespace mlscope::gui {

void WeightHistogram::draw(const analysis::TensorHistogram* hp) const {
  if (!hp) {
    ImGui::TextDisabled("decoding...");
    return;
  }
  const analysis::TensorHistogram& h = *hp;
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
