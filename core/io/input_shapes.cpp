#include "core/io/input_shapes.h"

#include "core/exec/input_check.h"
#include "core/io/input_files.h"
#include "core/util/error.h"

namespace mlscope::io {

namespace {

std::string x_join(const std::vector<int64_t>& d) {
  std::string s;
  for (size_t i = 0; i < d.size(); ++i) s += (i ? "x" : "") + (d[i] < 0 ? std::string("?") : std::to_string(d[i]));
  return s.empty() ? "scalar" : s;
}

const ir::Value* function_input(const ir::Function& fn, const std::string& name) {
  for (ir::ValueId v : fn.inputs)
    if (fn.value(v).name == name) return &fn.value(v);
  return nullptr;
}

exec::Dims parse_dims(const std::string& text, const std::string& spec) {
  exec::Dims d;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t x = text.find_first_of("x,", pos);
    const std::string part = text.substr(pos, x == std::string::npos ? std::string::npos : x - pos);
    if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos || part.size() > 12)
      throw Error(Location::in_file(spec), "--shape needs positive integer dimensions like 1x3x224x224, got '" + text + "'");
    d.push_back(std::stoll(part));
    if (d.back() < 1) throw Error(Location::in_file(spec), "--shape dimensions must be >= 1");
    if (x == std::string::npos) break;
    pos = x + 1;
  }
  return d;
}

}  // namespace

std::string allowed_shapes(const ir::Model& model, const ir::Function& fn, const std::string& name) {
  const ir::Feature* feat = exec::input_feature(model, fn, name);
  const InputDecl decl = input_declaration(model, fn, name);
  std::string s;
  if (feat && !feat->type.enumerated_shapes.empty()) {
    s = "enumerated shapes ";
    for (size_t i = 0; i < feat->type.enumerated_shapes.size(); ++i) s += (i ? ", " : "") + x_join(feat->type.enumerated_shapes[i]);
  } else if (feat && !feat->type.shape_ranges.empty()) {
    s = "ranges ";
    for (size_t i = 0; i < feat->type.shape_ranges.size(); ++i) {
      auto [lo, hi] = feat->type.shape_ranges[i];
      s += (i ? "x" : "") + (lo == hi ? std::to_string(lo) : "[" + std::to_string(lo) + ".." + (hi < 0 ? "inf" : std::to_string(hi)) + "]");
    }
  } else {
    const ir::Value* v = function_input(fn, name);
    const bool unknown = v && v->type.is_tensor() && v->type.shape.unknown_rank;
    s = unknown ? "any shape (unknown rank)" : "the fixed shape " + x_join(decl.shape);
    return s;
  }
  return s + " (default " + x_join(decl.shape) + ")";
}

std::map<std::string, exec::Dims> parse_shape_specs(const ir::Model& model, const ir::Function& fn, const std::vector<std::string>& specs) {
  std::map<std::string, exec::Dims> out;
  for (const std::string& spec : specs) {
    const size_t eq = spec.find('=');
    std::string name, dims;
    if (eq == std::string::npos) {
      if (fn.inputs.size() != 1)
        throw Error(Location::in_file(spec), "--shape needs name=AxBxC: function '" + fn.name + "' has " + std::to_string(fn.inputs.size()) + " inputs");
      name = fn.value(fn.inputs[0]).name;
      dims = spec;
    } else {
      name = spec.substr(0, eq);
      dims = spec.substr(eq + 1);
    }
    const ir::Value* v = function_input(fn, name);
    if (!v) throw Error(Location::at_op(model.path, name), "--shape names no input '" + name + "' of function '" + fn.name + "'");
    const ir::Feature* feat = exec::input_feature(model, fn, name);
    if (feat && feat->type.kind == ir::FeatureType::Kind::Image)
      throw Error(Location::at_op(model.path, name), "input '" + name + "' is an image; its size comes from the image file");
    const exec::Dims d = parse_dims(dims, spec);
    double count = 1;
    for (int64_t x : d) count *= double(x);
    if (count > double(int64_t(1) << 31)) throw Error(Location::in_file(spec), "--shape asks for more than 2^31 elements");
    std::string why;
    const ir::Shape decl = v->type.is_tensor() ? v->type.shape : ir::Shape{};
    if (!exec::shape_accepted(d, decl, feat, why))
      throw Error(Location::at_op(model.path, name), "input '" + name + "' does not accept shape " + x_join(d) + " (" + why +
                                                         "); it accepts " + allowed_shapes(model, fn, name));
    out[name] = d;
  }
  return out;
}

}  // namespace mlscope::io
