// The mlscope window: GLFW + OpenGL3 + Dear ImGui shell, menus, the flat list of views, model
// opening (worker thread via Document), drag-and-drop, settings, and headless/scripted runs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/gui/script.h"
#include "app/gui/settings.h"
#include "widgets/compare_ui.h"
#include "widgets/document.h"
#include "widgets/file_browser.h"
#include "widgets/graph_view.h"
#include "widgets/hazards_panel.h"
#include "widgets/mil_text_view.h"
#include "widgets/model_panel.h"
#include "widgets/op_inspector.h"
#include "widgets/op_table.h"

struct GLFWwindow;

namespace mlscope::gui {

struct AppOptions {
  std::string model;             ///< empty: the demo model in assets/demo, if present
  std::string screenshot;        ///< write a PNG after the model loaded and `frames` frames
  int frames = 5;
  std::string script;            ///< --script FILE
  std::string recording;         ///< --recording FILE: recorded placement instead of the estimate
  int width = 1600, height = 1000;
};

class App {
 public:
  explicit App(AppOptions options);
  ~App();
  /// Runs until the window closes (or the screenshot/script is done). Returns the exit code.
  int run();

  void on_drop(const std::vector<std::string>& paths);
  void on_content_scale(float scale);

 private:
  bool init_window();
  void open(const std::string& path);
  void frame();
  void draw_menu();
  void draw_status_overlays();
  void run_script_step();
  /// Script verbs of the table / inspector / pipeline / group views (script_views.cpp); false if
  /// `c` is not one of them. Sets `error` on a bad argument.
  bool run_view_verb(const ScriptCommand& c, std::string& error);
  void default_layout();
  void reload_fonts();

  AppOptions options_;
  GLFWwindow* window_ = nullptr;
  std::string config_dir_, ini_path_;
  Settings settings_;
  Document doc_;
  ModelPanel model_panel_;
  GraphView graph_;
  OpTable table_;
  MilTextView mil_;
  OpInspector inspector_;
  FileBrowser browser_;
  CompareUi compare_;  ///< backends, logits, sweep, divergence overlay, playground
  HazardsUi hazards_;  ///< fp16 hazards panel, graph overlay, inspector section
  Script script_;
  bool scripted_ = false;
  std::string empty_message_;
  float scale_ = 1.0f, pending_scale_ = 0;
  bool quit_ = false;
  int exit_code_ = 0;
  std::string pending_screenshot_;
  int screenshot_countdown_ = -1;
  // --- measure verb: UI build + draw-list time per frame ---
  int measure_left_ = 0;
  std::string measure_label_;
  std::vector<double> measure_ui_ms_, measure_gl_ms_;
};

}  // namespace mlscope::gui
