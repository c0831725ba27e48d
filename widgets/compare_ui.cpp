#include "widgets/compare_ui.h"

#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

namespace mlscope::gui {

void CompareUi::default_layout(float top) {
  const ImVec2 d = ImGui::GetIO().DisplaySize;
  const float lw = d.x * 0.22f, h = d.y - top;
  ImGui::SetWindowPos("Backends", {0, top}, ImGuiCond_FirstUseEver);
  ImGui::SetWindowSize("Backends", {lw, h}, ImGuiCond_FirstUseEver);
  // Over the op table, below the two graphs it explains.
  ImGui::SetWindowPos("Model B", {lw, top + h * 0.64f}, ImGuiCond_FirstUseEver);
  ImGui::SetWindowSize("Model B", {d.x * 0.48f, h * 0.36f}, ImGuiCond_FirstUseEver);
  for (const char* name : {"Compare", "Sweep", "Playground"}) {
    ImGui::SetWindowPos(name, {lw, top}, ImGuiCond_FirstUseEver);
    ImGui::SetWindowSize(name, {d.x - lw, h}, ImGuiCond_FirstUseEver);
  }
}

void CompareUi::update(Document& doc, GraphView& graph) {
  session_.poll(doc);
  overlay_.update(session_);
  overlay_.set_metric(compare_view_.divergence_metric() == 0 ? DivergenceOverlay::Metric::OneMinusCosine : DivergenceOverlay::Metric::RelError);
  graph.set_divergence_overlay(&overlay_);
  compare_view_.set_overlay(&overlay_);
}

void CompareUi::add_panels(PanelList& panels, Document& doc) {
  // Opaque: these windows sit over the graph and the plots must read cleanly.
  auto opaque = [](auto draw) {
    return [draw](bool* open) {
      ImGui::SetNextWindowBgAlpha(1.0f);
      draw(open);
    };
  };
  panels.push_back({"Backends", "Compare", "Backends", "backends", &show_backends_, false, false,
                    opaque([this](bool* open) { backends_panel_.Draw(session_, open); }), {}});
  panels.push_back({"Compare", "Compare", "Logits, margins, drift, divergence", "compare", &show_compare_, false, true,
                    opaque([this, &doc](bool* open) { compare_view_.Draw(session_, doc, open); }),
                    [this](const std::string& tab) { compare_view_.show_tab(tab); }});
  panels.push_back({"Sweep", "Compare", "Sweep (flip rate)", "sweep", &show_sweep_, false, true,
                    opaque([this](bool* open) { sweep_view_.Draw(session_, open); }), {}});
  panels.push_back({"Playground", "Compare", "Quantization playground", "playground", &show_playground_, false, true,
                    opaque([this](bool* open) { playground_.Draw(session_, open); }), {}});
  panels.push_back({"Model B", "Compare", "Model B (compare with another model)", "model-b", &show_two_models_, false, false,
                    opaque([this, &doc](bool* open) { two_models_.Draw(session_, doc, open); }), {}});
}

void CompareUi::draw_inspector_section(Document& doc, bool inspector_open) {
  if (!inspector_open || !session_.divergence()) return;
  // Appends to the app's Inspector window (ImGui merges Begin calls with the same name).
  if (ImGui::Begin("Inspector")) overlay_.draw_inspector_section(doc);
  ImGui::End();
}

bool CompareUi::waiting() {
  if (!wait_runs_) return false;
  if (session_.jobs().busy() || !session_.weight_histograms_idle()) {
    // Nothing changes on screen while a script waits: give the CPU to the job instead of
    // rendering frames as fast as possible (software GL under Xvfb costs a core).
    std::this_thread::sleep_for(std::chrono::milliseconds(40));
    return true;
  }
  wait_runs_ = false;
  return false;
}

void CompareUi::update_model_b(const Document& b_doc, GraphView& b_graph) {
  match_overlay_.update(session_, overlay_, b_doc);
  b_graph.set_divergence_overlay(&match_overlay_);
}

void CompareUi::open_against(const std::string& path) {
  session_.set_against(path);
  show_two_models_ = true;
}

void CompareUi::add_script_verbs(ScriptVerbs& v, Document& doc) {
  // Every verb first takes a model that finished loading this frame, before acting on it.
  auto add = [&](const char* name, bool needs_arg, const char* usage, std::function<std::string(const std::string&)> run) {
    v.add(name, needs_arg, usage, [this, &doc, run = std::move(run)](const std::string& arg) {
      session_.poll(doc);
      return run(arg);
    });
  };
  add("backends", true, "backends fp32,gpu,recorded:cpu_only", [this](const std::string& a) { return session_.select_only(a); });
  add("reference", true, "reference NAME", [this](const std::string& a) { session_.reference = a; return std::string(); });
  add("load-recording", true, "load-recording FILE", [this](const std::string& a) { return session_.load_recording(a); });
  add("input", true, "input recording|seed:N|FILE", [this](const std::string& a) {
    if (a == "recording") session_.input.kind = InputChoice::Kind::Recording;
    else if (a.rfind("seed:", 0) == 0) { session_.input.kind = InputChoice::Kind::Seed; session_.input.seed = std::strtoull(a.c_str() + 5, nullptr, 10); }
    else { session_.input.kind = InputChoice::Kind::File; session_.input.path = a; }
    return std::string();
  });
  add("run", false, "run", [this](const std::string&) {
    if (session_.run()) return std::string();
    return "cannot run: " + (session_.jobs().busy() ? std::string("a job is running") : session_.status());
  });
  add("against", true, "against MODEL|none", [this](const std::string& a) {
    if (a == "none") {
      session_.clear_against();
      return std::string();
    }
    open_against(a);
    return session_.jobs().busy() ? std::string() : "cannot open model B: " + session_.status();
  });
  add("model-b-weight", true, "model-b-weight I", [this](const std::string& a) { return two_models_.select_weight(session_, std::atoi(a.c_str())); });
  add("model-b-next", false, "model-b-next", [this, &doc](const std::string&) { return two_models_.step(session_, doc); });
  add("wait-runs", false, "wait-runs", [this](const std::string&) { wait_runs_ = true; return std::string(); });
  add("stop", false, "stop", [this](const std::string&) { session_.stop(); return std::string(); });
  add("drift", true, "drift N", [this](const std::string& a) {
    const int n = std::clamp(std::atoi(a.c_str()), 2, 100);
    compare_view_.set_drift_count(n);
    return session_.run_drift(n) ? std::string() : std::string("cannot start drift");
  });
  add("sweep", true, "sweep N", [this](const std::string& a) {
    const auto [n, threads] = split_first_word(a);
    if (sweep_view_.start(session_, static_cast<size_t>(std::max(1, std::atoi(n.c_str()))))) return std::string();
    return "cannot start sweep: " + session_.status();
  });
  add("divergence", false, "divergence [OTHER]", [this](const std::string& a) {
    return compare_view_.start_divergence(session_, a) ? std::string() : "cannot start divergence: " + session_.status();
  });
  add("divergence-focus", false, "divergence-focus", [this, &doc](const std::string&) {
    // Selects (and centres the graph on) the first op whose divergence crosses the threshold.
    const auto& d = session_.divergence();
    const ir::Model* m = session_.model();
    const ir::Function* fn = d && m ? m->function(d->report.function) : nullptr;
    if (!fn || d->report.first_crossing.empty()) return std::string("no divergence crossing to focus");
    const ir::OpId op = fn->find_op(d->report.ops[d->report.first_crossing.front()].name);
    if (op == ir::kNone) return std::string("first crossing op not found in the graph");
    doc.select(static_cast<int32_t>(fn - m->functions.data()), op);
    return std::string();
  });
  add("select-sweep-input", true, "select-sweep-input I", [this](const std::string& a) {
    if (!session_.sweep() || static_cast<size_t>(std::atoi(a.c_str())) >= session_.sweep()->rows.size()) return std::string("no such sweep input");
    session_.select_sweep_input(static_cast<size_t>(std::atoi(a.c_str())));
    return std::string();
  });
  add("export-plot", true, "export-plot PNG", [this](const std::string& a) { compare_view_.request_plot_png(a); return std::string(); });
  add("export-csv", true, "export-csv FILE", [this](const std::string& a) { return compare_view_.export_csv(session_, a); });
  add("export-json", true, "export-json FILE", [this](const std::string& a) { return compare_view_.export_json(session_, a); });
  add("dump-state", true, "dump-state FILE", [this, &doc](const std::string& a) { return dump_state(a, doc); });
  add("what-if", true, "what-if SPEC", [this](const std::string& a) { return playground_.script_what_if(session_, a); });
  add("class-axis", true, "class-axis auto|none|AXIS", [this](const std::string& a) {  // which outputs are compared per position (next run)
    if (a == "auto" || a.empty()) session_.class_axis = {};
    else if (a == "none") session_.class_axis.mode = compare::ClassAxis::Mode::Off;
    else {
      char* end = nullptr;
      const long axis = std::strtol(a.c_str(), &end, 10);
      if (!end || *end) return "class-axis: expected auto, none or an integer axis, got '" + a + "'";
      session_.class_axis = {compare::ClassAxis::Mode::Axis, axis};
    }
    return std::string();
  });
  add("position", true, "position [OUTPUT] N", [this](const std::string& a) {  // the position whose classes the bars show
    const auto [first, rest] = split_first_word(a);
    const std::string output = rest.empty() ? "" : first;
    const std::string n = rest.empty() ? first : rest;
    if (const auto& r = session_.result())
      for (const auto& p : r->plots)
        if (p.position_wise && (output.empty() || p.output == output)) {
          session_.show_position(p.output, std::atoll(n.c_str()));
          return std::string();
        }
    return "position: no position-wise output" + (output.empty() ? std::string() : " named '" + output + "'") + " (run first)";
  });
}

std::string CompareUi::dump_state(const std::string& path, const Document& doc) const {
  nlohmann::json j;
  const ModelSnapshot* snap = doc.snapshot();
  const ir::Function* fn = snap && doc.selection().function >= 0 && static_cast<size_t>(doc.selection().function) < snap->model->functions.size()
                               ? &snap->model->functions[static_cast<size_t>(doc.selection().function)]
                               : nullptr;
  j["selected_op"] = fn && doc.selection().op != ir::kNone ? nlohmann::json(fn->op(doc.selection().op).name) : nlohmann::json(nullptr);
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
    j["divergence"]["most_added"] = nlohmann::json::array();
    for (size_t i : d->report.most_added) j["divergence"]["most_added"].push_back(d->report.ops[i].name);
    j["divergence"]["b_ops"] = nlohmann::json::array();
    for (const auto& op : d->report.ops) j["divergence"]["b_ops"].push_back(op.other_name);
  }
  if (const auto& r = session_.against_report())
    j["model_b"] = {{"path", r->b_path},           {"backend", session_.against_backend()}, {"matched", r->by_name + r->by_structure},
                    {"a_compute_ops", r->a_compute_ops}, {"plumbing_b", r->plumbing_b},         {"weights_compared", r->weight_totals.compared},
                    {"walkthrough_step", two_models_.step_index()}};
  const ImVec4 h = sweep_view_.histogram_rect();
  j["sweep_histogram_rect"] = {h.x, h.y, h.z, h.w};
  std::ofstream out(path);
  out << j.dump(2) << "\n";
  return out ? "" : "cannot write " + path;
}

}  // namespace mlscope::gui
