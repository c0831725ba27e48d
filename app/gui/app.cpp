#include "app/gui/app.h"

#define GLFW_INCLUDE_NONE
#include <GL/gl.h>
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <numeric>

#include "app/gui/screenshot.h"
#include "widgets/theme.h"

#ifndef MLSCOPE_ASSETS_DIR
#define MLSCOPE_ASSETS_DIR "assets"
#endif

namespace mlscope::gui {
namespace {

namespace fs = std::filesystem;

// The demo model: the first model in assets/demo (the coordinator adds it).
std::string find_demo_model() {
  std::error_code ec;
  const fs::path dir = fs::path(MLSCOPE_ASSETS_DIR) / "demo";
  std::vector<std::string> found;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (FileBrowser::is_model_path(it->path().string())) found.push_back(it->path().string());
  std::sort(found.begin(), found.end());
  return found.empty() ? std::string() : found.front();
}

void glfw_error(int code, const char* text) { std::fprintf(stderr, "mlscope: GLFW error %d: %s\n", code, text); }

void drop_callback(GLFWwindow* w, int count, const char** paths) {
  std::vector<std::string> list(paths, paths + count);
  static_cast<App*>(glfwGetWindowUserPointer(w))->on_drop(list);
}

void scale_callback(GLFWwindow* w, float xscale, float) { static_cast<App*>(glfwGetWindowUserPointer(w))->on_content_scale(xscale); }

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

App::App(AppOptions options) : options_(std::move(options)) {
  inspector_.set_hazards_section([this](const Document& d) { hazards_.draw_inspector_section(d); });
  add_panels();
  add_script_verbs();
}

App::~App() {
  if (!window_) return;
  for (const Panel& p : panels_) settings_.windows[p.key] = *p.open;
  settings_.save(config_dir_);
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window_);
  glfwTerminate();
}

bool App::init_window() {
  glfwSetErrorCallback(glfw_error);
  if (!glfwInit()) {
    std::fprintf(stderr, "mlscope: cannot initialise GLFW (no display? try xvfb-run -a mlscope ...)\n");
    return false;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);
  window_ = glfwCreateWindow(options_.width, options_.height, "mlscope", nullptr, nullptr);
  if (!window_) {
    std::fprintf(stderr, "mlscope: cannot create an OpenGL 3.0 window\n");
    glfwTerminate();
    return false;
  }
  glfwMakeContextCurrent(window_);
  glfwSwapInterval(scripted_ ? 0 : 1);
  // Headless runs: park the pointer in the corner so no hover tooltip covers the screenshots.
  if (scripted_) glfwSetCursorPos(window_, options_.width - 1, options_.height - 1);
  glfwSetWindowUserPointer(window_, this);
  glfwSetDropCallback(window_, drop_callback);
  glfwSetWindowContentScaleCallback(window_, scale_callback);
  float xs = 1, ys = 1;
  glfwGetWindowContentScale(window_, &xs, &ys);
  scale_ = std::clamp(xs, 0.5f, 4.0f);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  config_dir_ = Settings::config_dir();
  ini_path_ = config_dir_ + "/imgui.ini";
  io.IniFilename = ini_path_.c_str();
  settings_ = Settings::load(config_dir_);
  for (Panel& p : panels_) {
    auto it = settings_.windows.find(p.key);
    *p.open = it == settings_.windows.end() ? p.default_open : it->second;
  }
  ImGui_ImplGlfw_InitForOpenGL(window_, true);
  ImGui_ImplOpenGL3_Init("#version 130");
  load_fonts(scale_);
  apply_theme(settings_.dark ? Theme::Dark : Theme::Light, scale_);
  return true;
}

void App::on_drop(const std::vector<std::string>& paths) {
  for (const auto& p : paths)
    if (FileBrowser::is_model_path(p)) { open(p); return; }
  if (!paths.empty()) open(paths.front());  // let the reader say what is wrong with it
}

void App::on_content_scale(float scale) { pending_scale_ = std::clamp(scale, 0.5f, 4.0f); }

void App::reload_fonts() {
  scale_ = pending_scale_;
  pending_scale_ = 0;
  load_fonts(scale_);
  apply_theme(current_theme(), scale_);
  ImGui_ImplOpenGL3_DestroyFontsTexture();
  ImGui_ImplOpenGL3_CreateFontsTexture();
}

void App::open(const std::string& path) {
  std::error_code ec;
  const std::string absolute = fs::absolute(path, ec).lexically_normal().string();
  doc_.open(ec ? path : absolute);
  settings_.add_recent(ec ? path : absolute);
}

int App::run() {
  scripted_ = !options_.script.empty() || !options_.screenshot.empty();
  if (!options_.script.empty())
    if (auto err = Script::load(options_.script, verbs_, script_)) {
      std::fprintf(stderr, "mlscope: %s\n", err->c_str());
      return 2;
    }
  if (!init_window()) return 1;
  std::string model = options_.model;
  std::string recording = options_.recording;
  if (model.empty() && options_.script.empty()) {
    model = find_demo_model();
    // The demo ships with the seed's transcribed Mac recording beside it (tools/make_demo.sh).
    std::error_code ec;
    fs::path beside = fs::path(model).replace_extension(".recording.json");
    if (!model.empty() && recording.empty() && fs::exists(beside, ec)) recording = beside.string();
    if (model.empty())
      empty_message_ = "The demo model is not in " MLSCOPE_ASSETS_DIR "/demo yet.\nOpen a model with File > Open (Ctrl+O), drop one on this window, or run: mlscope MODEL";
  }
  doc_.set_recording(recording);
  // A recording is a real Mac plan: show it (colored by preferred device) from the first frame.
  if (!recording.empty()) graph_.set_color_mode(ColorMode::Device);
  if (!model.empty()) open(model);
  if (empty_message_.empty()) empty_message_ = "No model open.\nOpen one with File > Open (Ctrl+O) or drop it on this window.";
  while (!glfwWindowShouldClose(window_) && !quit_) frame();
  return exit_code_;
}

void App::run_script_step() {
  if (options_.script.empty() || measure_left_ > 0) return;
  if (script_.done()) { quit_ = true; return; }
  const ScriptCommand* c = script_.poll(doc_.busy() || doc_b_.busy() || !inspector_.idle() || compare_.waiting() || hazards_.waiting());
  if (!c) return;
  const ScriptVerb* verb = verbs_.find(c->verb);  // Script::load checked every verb
  const std::string error = verb ? verb->run(c->arg) : "unknown verb '" + c->verb + "'";
  if (!error.empty()) {
    std::fprintf(stderr, "mlscope: %s:%d: %s\n", options_.script.c_str(), c->line, error.c_str());
    exit_code_ = 2;
  }
}

void App::track_frame_times() {
  const auto now = std::chrono::steady_clock::now();
  if (frame_left_ > 0 && last_frame_.time_since_epoch().count() != 0) {
    frame_ms_.push_back(std::chrono::duration<double, std::milli>(now - last_frame_).count());
    if (--frame_left_ == 0) {
      std::vector<double> sorted = frame_ms_;
      std::sort(sorted.begin(), sorted.end());
      auto pct = [&](double q) { return sorted[std::min(sorted.size() - 1, static_cast<size_t>(q * static_cast<double>(sorted.size())))]; };
      std::printf("frame-times %s: frames=%zu median_ms=%.2f p95_ms=%.2f max_ms=%.2f job_running=%s\n", frame_label_.c_str(), sorted.size(),
                  pct(0.5), pct(0.95), sorted.back(), compare_session_.jobs().busy() ? "yes" : "no");
      std::fflush(stdout);
    }
  }
  last_frame_ = now;
}

void App::sync_model_b() {
  const ir::Model* b = compare_session_.against_model();
  const std::string wanted = b ? b->path : "";
  if (!wanted.empty() && wanted != doc_b_.path() && !doc_b_.busy()) {
    doc_b_.open(wanted);
    // Side by side: A's graph takes the left half of the default graph area, B's the right.
    const GraphArea g = default_graph_area();
    ImGui::SetWindowPos("Graph", g.pos);
    ImGui::SetWindowSize("Graph", {g.size.x * 0.5f, g.size.y});
    place_graph_b_ = true;  // Graph B does not exist yet: placed when it is first drawn
    graph_.request_fit();   // A's graph just got half as wide
    graph_b_.set_color_mode(ColorMode::Divergence);
    show_graph_b_ = true;
  }
  doc_b_.poll();
  compare_.update_model_b(doc_b_, graph_b_);
  if (b && doc_b_.path() == wanted) linked_.sync(doc_, doc_b_, compare_session_.against_match());
}

void App::frame() {
  using clock = std::chrono::steady_clock;
  track_frame_times();
  glfwPollEvents();
  if (pending_scale_ > 0) reload_fonts();
  doc_.poll();
  run_script_step();
  // --screenshot: once the model is open (or failed), render `frames` frames, then capture.
  if (!options_.screenshot.empty() && pending_screenshot_.empty() && !doc_.busy()) {
    pending_screenshot_ = options_.screenshot;
    screenshot_countdown_ = options_.frames;
  }

  const auto t0 = clock::now();
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGui::NewFrame();
  default_layout();
  draw_menu();
  compare_.update(doc_, graph_);
  sync_model_b();
  hazards_.update(doc_, graph_);
  for (Panel& p : panels_)
    if (*p.open) p.draw(p.open);
  compare_.draw_inspector_section(doc_, show_inspector_);
  draw_status_overlays();
  if (auto chosen = browser_.Draw()) {
    if (browser_.title() == kCompareWithTitle) compare_.open_against(*chosen);
    else open(*chosen);
  }
  ImGui::Render();
  const auto t1 = clock::now();

  int w = 0, h = 0;
  glfwGetFramebufferSize(window_, &w, &h);
  glViewport(0, 0, w, h);
  const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  glClearColor(bg.x * 0.8f, bg.y * 0.8f, bg.z * 0.8f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  if (auto png = compare_.take_png_request()) {  // "export plot as PNG": the plot's pixels, just rendered
    std::string error;
    if (write_screenshot_region(png->path, static_cast<int>(png->rect.x), static_cast<int>(png->rect.y), static_cast<int>(png->rect.z),
                                static_cast<int>(png->rect.w), h, error))
      std::printf("plot %s\n", png->path.c_str());
    else std::fprintf(stderr, "mlscope: %s\n", error.c_str());
    std::fflush(stdout);
  }
  if (measure_left_ > 0) {
    glFinish();
    measure_ui_ms_.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    measure_gl_ms_.push_back(std::chrono::duration<double, std::milli>(clock::now() - t1).count());
    if (--measure_left_ == 0) {
      const double mean = std::accumulate(measure_ui_ms_.begin(), measure_ui_ms_.end(), 0.0) / static_cast<double>(measure_ui_ms_.size());
      const ImDrawData* dd = ImGui::GetDrawData();
      std::printf("measure %s: ui_ms median=%.2f mean=%.2f max=%.2f  gl_ms median=%.2f  zoom=%.4f  vertices=%d frames=%zu\n",
                  measure_label_.c_str(), median(measure_ui_ms_), mean, *std::max_element(measure_ui_ms_.begin(), measure_ui_ms_.end()),
                  median(measure_gl_ms_), static_cast<double>(graph_.zoom()), dd ? dd->TotalVtxCount : 0, measure_ui_ms_.size());
      std::fflush(stdout);
    }
  }
  if (!pending_screenshot_.empty() && --screenshot_countdown_ <= 0) {
    std::string error;
    if (write_screenshot(pending_screenshot_, w, h, error)) std::printf("screenshot %s\n", pending_screenshot_.c_str());
    else { std::fprintf(stderr, "mlscope: %s\n", error.c_str()); exit_code_ = 1; }
    std::fflush(stdout);
    pending_screenshot_.clear();
    if (!options_.screenshot.empty()) quit_ = true;
  }
  glfwSwapBuffers(window_);
}

}  // namespace mlscope::gui
