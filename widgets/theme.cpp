#include "widgets/theme.h"

#include <filesystem>

namespace mlscope::gui {
namespace {

Palette g_palette;
Theme g_theme = Theme::Dark;
Fonts g_fonts;

constexpr ImU32 rgb(int r, int g, int b, int a = 255) { return IM_COL32(r, g, b, a); }

// One hue per family, chosen to stay apart for common colour-vision deficiencies where possible.
void fill_families(Palette& p, bool dark) {
  const ImU32 base[layout::kOpFamilyCount] = {
      rgb(66, 133, 244),   // convolution: blue
      rgb(0, 150, 136),    // matmul: teal
      rgb(251, 140, 0),    // activation: orange
      rgb(158, 157, 36),   // elementwise: olive
      rgb(171, 71, 188),   // normalization: purple
      rgb(233, 30, 99),    // reduction: pink
      rgb(3, 169, 244),    // pooling: light blue
      rgb(121, 134, 148),  // shape: grey-blue
      rgb(229, 57, 53),    // quantization: red
      rgb(189, 189, 189),  // constant: grey
      rgb(255, 202, 40),   // control flow: amber
      rgb(141, 110, 99),   // state: brown
      rgb(67, 160, 71),    // input: green
      rgb(38, 166, 154),   // output: sea green
      rgb(144, 164, 174),  // other
  };
  for (size_t i = 0; i < layout::kOpFamilyCount; ++i) {
    ImVec4 c = ImGui::ColorConvertU32ToFloat4(base[i]);
    if (dark) { c.x *= 0.85f; c.y *= 0.85f; c.z *= 0.85f; }
    else { c.x = c.x * 0.55f + 0.45f; c.y = c.y * 0.55f + 0.45f; c.z = c.z * 0.55f + 0.45f; }
    p.family[i] = ImGui::ColorConvertFloat4ToU32(c);
  }
}

}  // namespace

void apply_theme(Theme theme, float scale) {
  g_theme = theme;
  ImGuiStyle style;
  if (theme == Theme::Dark) ImGui::StyleColorsDark(&style); else ImGui::StyleColorsLight(&style);
  style.WindowRounding = 4;
  style.FrameRounding = 3;
  style.GrabRounding = 3;
  style.TabRounding = 3;
  style.WindowBorderSize = 1;
  style.ScaleAllSizes(scale);
  ImGui::GetStyle() = style;

  Palette& p = g_palette;
  const bool dark = theme == Theme::Dark;
  p.canvas_bg = dark ? rgb(30, 32, 36) : rgb(250, 250, 252);
  p.grid = dark ? rgb(44, 47, 52) : rgb(232, 234, 238);
  p.edge = dark ? rgb(140, 146, 156, 200) : rgb(110, 116, 126, 200);
  p.edge_highlight_in = dark ? rgb(120, 200, 255) : rgb(25, 118, 210);
  p.edge_highlight_out = dark ? rgb(255, 183, 77) : rgb(230, 81, 0);
  p.selected = dark ? rgb(255, 255, 255) : rgb(20, 20, 20);
  p.search_match = dark ? rgb(255, 235, 59) : rgb(245, 127, 23);
  p.group_fill = dark ? rgb(255, 255, 255, 14) : rgb(0, 0, 40, 12);
  p.group_border = dark ? rgb(120, 126, 136, 160) : rgb(150, 156, 170, 180);
  p.group_label = dark ? rgb(190, 196, 206) : rgb(70, 76, 88);
  p.node_border = dark ? rgb(0, 0, 0, 110) : rgb(0, 0, 0, 70);
  p.text_dark = rgb(20, 22, 26);
  p.text_light = rgb(245, 246, 248);
  p.badge = dark ? rgb(0, 0, 0, 90) : rgb(255, 255, 255, 150);
  fill_families(p, dark);
  p.device[0] = dark ? rgb(84, 140, 200) : rgb(144, 190, 240);   // CPU
  p.device[1] = dark ? rgb(156, 92, 190) : rgb(206, 160, 230);   // GPU
  p.device[2] = dark ? rgb(60, 170, 90) : rgb(130, 215, 150);    // Neural Engine
  p.device[3] = dark ? rgb(88, 90, 96) : rgb(200, 202, 208);     // none (const/constexpr)
  p.io_node = dark ? rgb(70, 74, 82) : rgb(225, 227, 232);
}

const Palette& palette() { return g_palette; }
Theme current_theme() { return g_theme; }

ImU32 text_on(ImU32 fill) {
  const ImVec4 c = ImGui::ColorConvertU32ToFloat4(fill);
  const float luminance = 0.2126f * c.x + 0.7152f * c.y + 0.0722f * c.z;
  return luminance > 0.55f ? g_palette.text_dark : g_palette.text_light;
}

Fonts load_fonts(float scale) {
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  g_fonts = {};
  g_fonts.size = 15.0f * scale;
  const char* ui_candidates[] = {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/local/share/fonts/DejaVuSans.ttf",
                                 "/Library/Fonts/DejaVuSans.ttf", "/System/Library/Fonts/Supplemental/Arial.ttf"};
  const char* mono_candidates[] = {"/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", "/usr/local/share/fonts/DejaVuSansMono.ttf",
                                   "/Library/Fonts/DejaVuSansMono.ttf", "/System/Library/Fonts/Menlo.ttc"};
  ImFontConfig cfg;
  cfg.OversampleH = 2;
  cfg.OversampleV = 1;
  // Latin-1 plus the symbols our labels use: Greek (Δ, σ), general punctuation (—, …), arrows
  // (→) and math operators (≤, ≈, −); ImGui's default range stops at U+00FF and draws '?'.
  static const ImWchar ranges[] = {0x0020, 0x00FF, 0x0370, 0x03FF, 0x2000, 0x206F, 0x2190, 0x21FF, 0x2200, 0x22FF, 0};
  for (const char* path : ui_candidates)
    if (std::filesystem::exists(path) && (g_fonts.ui = io.Fonts->AddFontFromFileTTF(path, g_fonts.size, &cfg, ranges))) break;
  for (const char* path : mono_candidates)
    if (std::filesystem::exists(path) && (g_fonts.mono = io.Fonts->AddFontFromFileTTF(path, g_fonts.size - scale, &cfg, ranges))) break;
  if (!g_fonts.ui) {
    ImFontConfig def;
    def.SizePixels = 13.0f * scale;
    g_fonts.ui = io.Fonts->AddFontDefault(&def);
    g_fonts.size = def.SizePixels;
  }
  if (!g_fonts.mono) g_fonts.mono = g_fonts.ui;
  return g_fonts;
}

const Fonts& fonts() { return g_fonts; }

}  // namespace mlscope::gui
