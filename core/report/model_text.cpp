#include "core/report/model_text.h"

#include <algorithm>

#include "core/report/format_text.h"
#include "core/report/model_report.h"
#include "core/util/error.h"

namespace mlscope::report {

std::string feature_type_text(const ir::Feature& f) {
  using K = ir::FeatureType::Kind;
  const ir::FeatureType& t = f.type;
  std::string s;
  switch (t.kind) {
    case K::MultiArray: s = "multiArray<" + t.dtype_name() + ", " + dims_text(t.shape) + ">"; break;
    case K::State: s = "state<" + t.dtype_name() + ", " + dims_text(t.shape) + ">"; break;
    case K::Image:
      s = "image<" + color_space_name(t.color_space) + ", " + std::to_string(t.image_width) + "x" +
          std::to_string(t.image_height) + ">";
      break;
    case K::Dictionary: s = "dictionary<" + feature_kind_name(t.key_kind) + ", double>"; break;
    case K::Sequence: s = "sequence<" + feature_kind_name(t.key_kind) + ">"; break;
    default: s = std::string(t.kind_name()); break;
  }
  if (!t.enumerated_shapes.empty()) s += " (" + std::to_string(t.enumerated_shapes.size()) + " enumerated shapes)";
  if (!t.shape_ranges.empty()) {
    s += " ranges [";
    for (size_t i = 0; i < t.shape_ranges.size(); ++i) {
      const auto& [lo, hi] = t.shape_ranges[i];
      s += (i ? ", " : "") + std::to_string(lo) + ".." + (hi < 0 ? std::string("inf") : std::to_string(hi));
    }
    s += "]";
  }
  if (t.optional) s += " (optional)";
  return s;
}

static void features_section(std::string& out, const char* title, const std::vector<ir::Feature>& fs) {
  if (fs.empty()) return;
  out += std::string(title) + "\n";
  TextTable t;
  for (const auto& f : fs) t.add_row({f.name, feature_type_text(f), f.short_description});
  out += t.render("  ");
}

std::string info_text(const ir::Model& model) {
  std::string out;
  TextTable head;
  head.add_row({"model", model.path});
  head.add_row({"format", std::string(ir::format_name(model.format))});
  std::string kind = model.kind;
  if (model.specification_version) kind += " (specification version " + std::to_string(model.specification_version) + ")";
  head.add_row({"kind", kind});
  if (!model.functions.empty()) {
    const ir::Function* main = model.main_function();
    std::string fns;
    for (const auto& f : model.functions) {
      if (f.dialect != ir::Dialect::MIL) continue;  // NeuralNetwork layers: no program function
      if (!fns.empty()) fns += ", ";
      fns += f.name;
      if (!f.opset.empty()) fns += "<" + f.opset + ">";
      if (&f == main && model.functions.size() > 1) fns += " (default)";
    }
    if (!fns.empty()) head.add_row({"functions", fns});
  }
  const int64_t nested = nested_op_count(model);
  head.add_row({"ops", group_thousands(model.op_count()) + " total" +
                           (nested ? ", " + group_thousands(nested) + " in nested blocks" : std::string())});
  std::string weights = human_bytes(model.weight_bytes());
  if (!model.weight_files.empty())
    weights += " (" + std::to_string(model.weight_files.size()) + " weight file" +
               (model.weight_files.size() > 1 ? "s" : "") + " + inline constants)";
  head.add_row({"weights", weights});
  if (!model.class_labels.empty()) {
    std::string labels = std::to_string(model.class_labels.size()) + ":";
    for (size_t i = 0; i < model.class_labels.size() && i < 5; ++i) labels += " " + model.class_labels[i];
    if (model.class_labels.size() > 5) labels += " ...";
    head.add_row({"class labels", labels});
  }
  const auto& md = model.metadata;
  if (!md.author.empty()) head.add_row({"author", md.author});
  if (!md.license.empty()) head.add_row({"license", md.license});
  if (!md.version.empty()) head.add_row({"version", md.version});
  if (!md.short_description.empty()) head.add_row({"description", md.short_description});
  out += head.render();

  out += "\n";
  features_section(out, "inputs", model.inputs);
  features_section(out, "outputs", model.outputs);
  features_section(out, "states", model.states);

  if (!model.submodels.empty()) {
    out += "submodels\n";
    TextTable t;
    for (size_t i = 0; i < model.submodels.size(); ++i) {
      const auto& m = model.submodels[i];
      t.add_row({i < model.submodel_names.size() ? model.submodel_names[i] : m.kind, m.kind,
                 group_thousands(m.op_count()) + " ops"});
    }
    out += t.render("  ");
  }

  auto counts = model.op_counts();
  if (!counts.empty()) {
    std::vector<std::pair<std::string, int64_t>> sorted(counts.begin(), counts.end());
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    out += "op types\n";
    TextTable t;
    t.align_right(1);
    for (const auto& [type, n] : sorted) t.add_row({type, group_thousands(n)});
    out += t.render("  ");
  }

  if (!model.weight_files.empty()) {
    out += "weight files\n";
    TextTable t;
    t.align_right(1);
    for (const auto& w : model.weight_files)
      t.add_row({weight_file_display_path(w->path(), model.path), human_bytes(w->size()),
                 std::to_string(w->blob_count()) + " blobs"});
    out += t.render("  ");
  }
  if (!md.user_defined.empty()) {
    out += "user metadata\n";
    TextTable t;
    for (const auto& [k, v] : md.user_defined) t.add_row({k, v});
    out += t.render("  ");
  }
  for (const auto& n : model.notes) out += "note: " + n + "\n";
  return out;
}

static std::string binding_text(const ir::Function& f, const ir::Binding& b) {
  if (!b.is_literal()) return f.value(b.value).name;
  return b.literal ? b.literal->summary(4) : std::string("<missing>");
}

static std::string op_signature(const ir::Function& f, const ir::Op& op) {
  std::string args;
  if (op.is_const()) {
    if (const ir::Constant* c = const_value(op)) args = "val=" + (c->is_blob() ? c->location() : c->summary(4));
  } else {
    for (const auto& in : op.inputs) {
      if (!args.empty()) args += ", ";
      args += in.name + "=";
      if (in.bindings.size() == 1) {
        args += binding_text(f, in.bindings[0]);
      } else {
        args += "(";
        for (size_t i = 0; i < in.bindings.size(); ++i) args += (i ? ", " : "") + binding_text(f, in.bindings[i]);
        args += ")";
      }
    }
  }
  std::string attrs;
  if (!op.is_const())  // a const's attribute is its value, shown above
    for (const auto& a : op.attributes)
      attrs += (attrs.empty() ? "[" : ", ") + a.name + "=" + (a.value ? a.value->summary(4) : std::string("?"));
  if (!attrs.empty()) attrs += "]";
  std::string outs;
  for (ir::ValueId v : op.outputs) {
    const ir::Value& val = f.value(v);
    outs += (outs.empty() ? "" : ", ") + val.type.str() + " " + val.name;
  }
  return "(" + args + ")" + attrs + " -> " + (outs.empty() ? std::string("()") : outs);
}

static std::string function_ops_text(const ir::Function& f) {
  std::string out = "function " + f.name;
  if (!f.opset.empty()) out += "<" + f.opset + ">";
  TextTable t;
  t.align_right(0);
  int64_t index = 0;
  f.walk([&](ir::OpId id) {
    const ir::Op& op = f.op(id);
    std::string indent(static_cast<size_t>(2 * f.block_depth(op.parent)), ' ');  // nested blocks
    t.add_row({std::to_string(index++), indent + op.qualified_type(), op.name, op_signature(f, op)});
    return true;
  });
  out += ": " + group_thousands(static_cast<int64_t>(t.row_count())) + (t.row_count() == 1 ? " op\n" : " ops\n");
  return out + t.render("  ");
}

std::string ops_text(const ir::Model& model, const std::string& function) {
  std::string out;
  if (!function.empty()) return function_ops_text(require_function(model, function));
  for (const auto& f : model.functions) out += (out.empty() ? "" : "\n") + function_ops_text(f);
  for (size_t i = 0; i < model.submodels.size(); ++i) {
    const auto& m = model.submodels[i];
    out += (out.empty() ? "" : "\n") + std::string("submodel ") +
           (i < model.submodel_names.size() ? model.submodel_names[i] : m.kind) + " (" + m.kind + ")\n";
    out += ops_text(m);
  }
  if (out.empty()) out = "no op graph (" + model.kind + ")\n";
  for (const auto& n : model.notes) out += "note: " + n + "\n";
  return out;
}

}  // namespace mlscope::report
