// The mlscope window: GLFW + OpenGL3 + Dear ImGui shell, menus, the registered windows, model
// opening (a Task of the Document), drag-and-drop, settings, and headless/scripted runs.
#pragma once

#include <imgui.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "app/gui/script.h"
#include "app/gui/settings.h"
#include "widgets/compare_ui.h"
#include "core/session/hazards_session.h"
#include "core/session/linked_selection.h"
#include "core/session/weight_stats.h"
#include "widgets/session.h"
#include "widgets/file_browser.h"
#include "widgets/graph_view.h"
#include "widgets/hazards_panel.h"
#include "widgets/mil_text_view.h"
#include "widgets/model_panel.h"
#include "widgets/op_inspector.h"
#include "widgets/op_table.h"
#include "widgets/panels.h"
#include "widgets/script_verbs.h"

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
  /// The window list (app_panels.cpp): every window, its menu entry and saved open state.
  void add_panels();
  /// The app's and its views' script verbs (app_script.cpp); the compare and hazards parts add theirs.
  void add_script_verbs();
  void track_frame_times();
  void default_layout();
  struct GraphArea {
    ImVec2 pos, size;
  };
  /// Where the default arrangement puts the Graph window.
  static GraphArea default_graph_area();
  /// Opens model B's document when the comparison got a new B; mirrors the selection.
  void sync_model_b();
  void reload_fonts();

  AppOptions options_;
  GLFWwindow* window_ = nullptr;
  std::string config_dir_, ini_path_;
  Settings settings_;
  // --- the headless session state (core/session) the views draw; every thread is a Task in it ---
  Document doc_;
  session::CompareSession compare_session_;
  session::HazardsSession hazards_session_;
  session::WeightStats weight_stats_;
  Document doc_b_;                    ///< model B of File > Compare with model: its own layout
  session::LinkedSelection linked_;   ///< selection mirrored between doc_ and doc_b_
  bool place_graph_b_ = false;
  // --- the views ---
  ModelPanel model_panel_;
  GraphView graph_;
  GraphView graph_b_{"Graph B"};
  OpTable table_;
  MilTextView mil_;
  OpInspector inspector_{weight_stats_};
  FileBrowser browser_;
  static constexpr const char* kCompareWithTitle = "Compare with model";
  CompareUi compare_{compare_session_};  ///< backends, logits, sweep, divergence overlay, playground
  HazardsUi hazards_{hazards_session_};  ///< fp16 hazards panel, graph overlay, inspector section
  PanelList panels_;
  ScriptVerbs verbs_;
  bool show_model_ = true, show_graph_ = true, show_table_ = true, show_mil_ = true, show_inspector_ = true, show_graph_b_ = false;
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
  // --- frame-times verb: intervals between frames while measuring ---
  int frame_left_ = 0;
  std::string frame_label_;
  std::vector<double> frame_ms_;
  std::chrono::steady_clock::time_point last_frame_{};
};

}  // namespace mlscope::gui
