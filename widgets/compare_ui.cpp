#include "widgets/compare_ui.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <thread>

#include <nlohmann/json.hpp>

namespace mlscope::gui {

namespace {

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

std::pair<std::string, std::string> split_first(const std::string& a) {
  const size_t sp = a.find(' ');
  if (sp == std::string::npos) return {a, ""};
  return {a.substr(0, sp), a.substr(a.find_first_not_of(' ', sp) == std::string::npos ? a.size() : a.find_first_not_of(' ', sp))};
}

}  // namespace

void CompareUi::default_layout(float top) {
  const ImVec2 d = ImGui::GetIO().DisplaySize;
  const float lw = d.x * 0.22f, h = d.y - top;
  ImGui::SetWindowPos("Backends", {0, top}, ImGuiCond_FirstUseEver);
  ImGui::SetWindowSize("Backends", {lw, h}, ImGuiCond_FirstUseEver);
  for (const char* name : {"Compare", "Sweep", "Playground"}) {
    ImGui::SetWindowPos(name, {lw, top}, ImGuiCond_FirstUseEver);
    ImGui::SetWindowSize(name, {d.x - lw, h}, ImGuiCond_FirstUseEver);
  }
}

void CompareUi::draw_menu() {
  if (!ImGui::BeginMenu("Compare")) return;
  ImGui::MenuItem("Backends", nullptr, &show_backends_);
  ImGui::MenuItem("Logits, margins, drift, divergence", nullptr, &show_compare_);
  ImGui::MenuItem("Sweep (flip rate)", nullptr, &show_sweep_);
  ImGui::MenuItem("Quantization playground", nullptr, &show_playground_);
  ImGui::EndMenu();
}

void CompareUi::track_frame_times() {
  const auto now = std::chrono::steady_clock::now();
  if (frame_left_ > 0 && last_frame_.time_since_epoch().count() != 0) {
    frame_ms_.push_back(std::chrono::duration<double, std::milli>(now - last_frame_).count());
    if (--frame_left_ == 0) {
      std::printf("frame-times %s: frames=%zu median_ms=%.2f p95_ms=%.2f max_ms=%.2f job_running=%s\n", frame_label_.c_str(), frame_ms_.size(),
                  percentile(frame_ms_, 0.5), percentile(frame_ms_, 0.95), *std::max_element(frame_ms_.begin(), frame_ms_.end()),
                  session_.jobs().busy() ? "yes" : "no");
      std::fflush(stdout);
    }
  }
  last_frame_ = now;
}

void CompareUi::Draw(Document& doc, GraphView& graph, bool inspector_open) {
  track_frame_times();
  session_.poll(doc);
  const bool busy = session_.jobs().busy();
  if (was_busy_ && !busy && report_jobs_) {
    const JobRunner& j = session_.jobs();
    std::printf("job '%s' finished: %.2f s%s%s%s\n", j.title().c_str(), j.last_seconds(), j.last_cancelled() ? ", cancelled" : "",
                j.last_cancelled() ? (", cancel latency " + std::to_string(static_cast<int>(j.last_cancel_latency_ms() + 0.5)) + " ms").c_str() : "",
                j.last_error().empty() ? "" : (", error: " + j.last_error()).c_str());
    std::fflush(stdout);
  }
  was_busy_ = busy;
  overlay_.update(session_);
  overlay_.set_metric(compare_view_.divergence_metric() == 0 ? DivergenceOverlay::Metric::OneMinusCosine : DivergenceOverlay::Metric::RelError);
  graph.set_divergence_overlay(&overlay_);
  compare_view_.set_overlay(&overlay_);
  // Opaque: these windows sit over the graph and the plots must read cleanly.
  if (show_backends_) ImGui::SetNextWindowBgAlpha(1.0f);
  if (show_backends_) backends_panel_.Draw(session_, &show_backends_);
  if (show_compare_) ImGui::SetNextWindowBgAlpha(1.0f);
  if (show_compare_) compare_view_.Draw(session_, doc, &show_compare_);
  if (show_sweep_) ImGui::SetNextWindowBgAlpha(1.0f);
  if (show_sweep_) sweep_view_.Draw(session_, &show_sweep_);
  if (show_playground_) ImGui::SetNextWindowBgAlpha(1.0f);
  if (show_playground_) playground_.Draw(session_, &show_playground_);
  if (inspector_open && session_.divergence()) {
    // Appends to the app's Inspector window (ImGui merges Begin calls with the same name).
    if (ImGui::Begin("Inspector")) overlay_.draw_inspector_section(doc);
    ImGui::End();
  }
}

bool CompareUi::waiting() {
  if (!wait_runs_) return false;
  if (session_.jobs().busy()) {
    // Nothing changes on screen while a script waits: give the CPU to the job instead of
    // rendering frames as fast as possible (software GL under Xvfb costs a core).
    std::this_thread::sleep_for(std::chrono::milliseconds(40));
    return true;
  }
  wait_runs_ = false;
  return false;
}

bool CompareUi::script_verb(const std::string& verb, const std::string& arg, Document& doc, GraphView& graph, std::string& error) {
  report_jobs_ = true;
  session_.poll(doc);  // a model that finished loading this frame: take it before acting on it
  if (verb == "backends") {
    error = session_.select_only(arg);
  } else if (verb == "reference") {
    session_.reference = arg;
  } else if (verb == "load-recording") {
    error = session_.load_recording(arg);
  } else if (verb == "input") {
    if (arg == "recording") session_.input.kind = InputChoice::Kind::Recording;
    else if (arg.rfind("seed:", 0) == 0) { session_.input.kind = InputChoice::Kind::Seed; session_.input.seed = std::strtoull(arg.c_str() + 5, nullptr, 10); }
    else { session_.input.kind = InputChoice::Kind::File; session_.input.path = arg; }
  } else if (verb == "run") {
    if (!session_.run()) error = "cannot run: " + (session_.jobs().busy() ? std::string("a job is running") : session_.status());
  } else if (verb == "wait-runs") {
    wait_runs_ = true;
  } else if (verb == "stop") {
    session_.stop();
  } else if (verb == "drift") {
    const int n = std::clamp(std::atoi(arg.c_str()), 2, 100);
    compare_view_.set_drift_count(n);
    if (!session_.run_drift(n)) error = "cannot start drift";
  } else if (verb == "sweep") {
    auto [n, threads] = split_first(arg);
    if (!sweep_view_.start(session_, static_cast<size_t>(std::max(1, std::atoi(n.c_str()))))) error = "cannot start sweep: " + session_.status();
    (void)threads;
  } else if (verb == "divergence") {
    if (!compare_view_.start_divergence(session_, arg)) error = "cannot start divergence: " + session_.status();
  } else if (verb == "divergence-focus") {
    // Selects (and centres the graph on) the first op whose divergence crosses the threshold.
    const auto& d = session_.divergence();
    const ir::Model* m = session_.model();
    const ir::Function* fn = d && m ? m->function(d->report.function) : nullptr;
    if (!fn || d->report.first_crossing.empty()) error = "no divergence crossing to focus";
    else {
      const ir::OpId op = fn->find_op(d->report.ops[d->report.first_crossing.front()].name);
      if (op == ir::kNone) error = "first crossing op not found in the graph";
      else doc.select(static_cast<int32_t>(fn - m->functions.data()), op);
    }
  } else if (verb == "select-sweep-input") {
    if (!session_.sweep() || static_cast<size_t>(std::atoi(arg.c_str())) >= session_.sweep()->rows.size()) error = "no such sweep input";
    else session_.select_sweep_input(static_cast<size_t>(std::atoi(arg.c_str())));
  } else if (verb == "panel") {
    auto [name, tab] = split_first(arg);
    if (name == "backends") { show_backends_ = true; ImGui::SetWindowFocus("Backends"); }
    else if (name == "compare") { show_compare_ = true; ImGui::SetWindowFocus("Compare"); if (!tab.empty()) compare_view_.show_tab(tab); }
    else if (name == "sweep") { show_sweep_ = true; ImGui::SetWindowFocus("Sweep"); }
    else if (name == "playground") { show_playground_ = true; ImGui::SetWindowFocus("Playground"); }
    else if (name == "graph" || name == "none") { show_compare_ = show_sweep_ = show_playground_ = false; if (name == "graph") ImGui::SetWindowFocus("Graph"); }
    else error = "unknown panel '" + name + "' (backends, compare, sweep, playground, graph, none)";
  } else if (verb == "export-plot") {
    compare_view_.request_plot_png(arg);
  } else if (verb == "export-csv") {
    error = compare_view_.export_csv(session_, arg);
  } else if (verb == "export-json") {
    error = compare_view_.export_json(session_, arg);
  } else if (verb == "dump-state") {
    error = dump_state(arg);
  } else if (verb == "frame-times") {
    auto [n, label] = split_first(arg);
    frame_left_ = std::max(1, std::atoi(n.c_str()));
    frame_label_ = label;
    frame_ms_.clear();
  } else if (verb == "what-if") {
    error = playground_.script_what_if(session_, arg);
  } else if (verb == "class-axis") {  // auto | none | AXIS: which outputs are compared per position (next run)
    if (arg == "auto" || arg.empty()) session_.class_axis = {};
    else if (arg == "none") session_.class_axis.mode = compare::ClassAxis::Mode::Off;
    else {
      char* end = nullptr;
      const long a = std::strtol(arg.c_str(), &end, 10);
      if (!end || *end || arg.empty()) error = "class-axis: expected auto, none or an integer axis, got '" + arg + "'";
      else session_.class_axis = {compare::ClassAxis::Mode::Axis, a};
    }
  } else if (verb == "position") {  // [OUTPUT] N: the position whose classes the bars show
    auto [first, rest] = split_first(arg);
    const std::string output = rest.empty() ? "" : first;
    const std::string n = rest.empty() ? first : rest;
    bool found = false;
    if (const auto& r = session_.result())
      for (const auto& p : r->plots)
        if (p.position_wise && (output.empty() || p.output == output)) {
          session_.show_position(p.output, std::atoll(n.c_str()));
          found = true;
          break;
        }
    if (!found) error = "position: no position-wise output" + (output.empty() ? std::string() : " named '" + output + "'") + " (run first)";
  } else {
    return false;
  }
  (void)doc;
  (void)graph;
  return true;
}

std::string CompareUi::dump_state(const std::string& path) const {
  nlohmann::json j;
  j["job_running"] = session_.jobs().busy();
  j["last_job"] = {{"title", session_.jobs().title()}, {"seconds", session_.jobs().last_seconds()}, {"cancelled", session_.jobs().last_cancelled()},
                   {"cancel_latency_ms", session_.jobs().last_cancel_latency_ms()}, {"error", session_.jobs().last_error()}};
  j["reference"] = session_.reference;
  j["input"] = session_.input.label();
  j["selected"] = session_.selected_names();
  j["flip_badges_drawn"] = compare_view_.flip_badges();
  j["note_pills_drawn"] = compare_view_.note_pills();
  const ImVec4 b = compare_view_.flip_badge_rect();
  j["flip_badge_rect"] = {b.x, b.y, b.z, b.w};
  if (const auto& r = session_.result()) {
    nlohmann::json outs = nlohmann::json::array();
    for (const auto& p : r->plots) {
      nlohmann::json o{{"output", p.output}, {"any_flip", p.any_flip}, {"position_wise", p.position_wise}};
      if (p.position_wise) o["positions"] = {{"count", p.positions}, {"shown", p.position}, {"class_axis", p.class_axis}};
      for (const auto& pb : p.backends) {
        nlohmann::json jb{{"name", pb.name}, {"kind", std::string(exec::backend_kind_name(pb.kind))}, {"argmax", pb.argmax},
                          {"margin", pb.margin}, {"margin_delta", pb.margin_delta}, {"flip", pb.flip}, {"values", pb.values},
                          {"max_abs_diff", pb.max_abs_diff}, {"provenance", pb.provenance},
                          {"verdict", std::string(compare::verdict_name(pb.verdict))}, {"decision", std::string(compare::decision_name(pb.decision))},
                          {"nonfinite", pb.nonfinite}};
        if (!pb.band_members.empty())
          jb["band"] = {{"members", pb.band_members.size()}, {"min", pb.band_min}, {"max", pb.band_max}, {"argmax_stable", pb.band_argmax_stable}};
        if (!pb.position_state.empty())
          jb["positions"] = {{"agreement", std::isnan(pb.agreement) ? nlohmann::json(nullptr) : nlohmann::json(pb.agreement)},
                             {"flipped", pb.flipped_positions}, {"undecided", pb.undecided_positions}};
        o["backends"].push_back(jb);
      }
      outs.push_back(o);
    }
    j["outputs"] = outs;
    j["backend_errors"] = r->backend_errors;
  }
  for (const auto& d : session_.drift())
    j["drift"].push_back({{"backend", d.backend}, {"repeats", d.repeats}, {"bit_stable", d.bit_stable}, {"worst_abs_diff", d.worst_abs_diff},
                          {"argmax_drift", d.argmax_drift}, {"source", d.source}});
  if (const auto& sw = session_.sweep()) {
    j["sweep"] = {{"completed", sw->completed}, {"cancelled", sw->cancelled}, {"wall_seconds", sw->wall_seconds}};
    for (const auto& p : sw->pairs) j["sweep"]["pairs"].push_back({{"a", p.a}, {"b", p.b}, {"flips", p.flips}, {"inputs", p.inputs}, {"flip_rate", p.flip_rate}});
  }
  if (const auto& d = session_.divergence()) {
    j["divergence"] = {{"reference", d->report.reference}, {"other", d->report.other}, {"ops", d->report.ops.size()}};
    if (!d->report.first_crossing.empty()) j["divergence"]["first_crossing"] = d->report.ops[d->report.first_crossing.front()].name;
  }
  const ImVec4 h = sweep_view_.histogram_rect();
  j["sweep_histogram_rect"] = {h.x, h.y, h.z, h.w};
  std::ofstream out(path);
  out << j.dump(2) << "\n";
  return out ? "" : "cannot write " + path;
}

}  // namespace mlscope::gui
