#include "core/io/input_files.h"

#include <algorithm>
#include <filesystem>

#include "core/io/image_input.h"
#include "core/exec/input_check.h"
#include "core/io/npy.h"
#include "core/io/random_inputs.h"
#include "core/util/error.h"

namespace mlscope::io {

namespace {

std::string lower_ext(const std::string& path) {
  std::string e = std::filesystem::path(path).extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return e;
}

bool is_image_ext(const std::string& e) {
  return e == ".png" || e == ".jpg" || e == ".jpeg" || e == ".bmp" || e == ".tga" || e == ".gif" || e == ".ppm" || e == ".pgm" || e == ".psd" || e == ".hdr";
}

}  // namespace

InputDecl input_declaration(const ir::Model& model, const ir::Function& fn, const std::string& name) {
  InputDecl d;
  const ir::Feature* feat = exec::input_feature(model, fn, name);
  for (ir::ValueId v : fn.inputs) {
    const ir::Value& val = fn.value(v);
    if (val.name != name) continue;
    ir::Type t = val.type.kind == ir::Type::Kind::State && !val.type.elements.empty() ? val.type.elements[0] : val.type;
    if (t.is_tensor()) {
      d.dtype = t.dtype;
      d.shape = t.shape.dims;
    }
  }
  if (feat) {
    if (feat->type.kind == ir::FeatureType::Kind::Image) {
      d.is_image = true;
      const int64_t c = (feat->type.color_space == 10 || feat->type.color_space == 40) ? 1 : 3;
      d.dtype = ir::DType::UInt8;
      d.shape = {feat->type.image_height, feat->type.image_width, c};
    } else if (!feat->type.shape.empty()) {
      bool dynamic = std::any_of(d.shape.begin(), d.shape.end(), [](int64_t x) { return x < 0; }) || d.shape.empty();
      if (dynamic) d.shape = feat->type.shape;  // the feature's default shape
    }
  }
  return d;
}

void add_input_spec(const ir::Model& model, const ir::Function& fn, const std::string& spec, exec::RunInputs& inputs,
                    std::vector<std::string>* notes, const std::map<std::string, exec::Dims>* shapes) {
  std::string name, source;
  const size_t eq = spec.find('=');
  bool named = eq != std::string::npos;
  if (named) {
    name = spec.substr(0, eq);
    bool known = false;
    for (ir::ValueId v : fn.inputs) known = known || fn.value(v).name == name;
    if (!known && fn.inputs.size() == 1 && std::filesystem::exists(spec)) named = false;  // a path containing '='
  }
  if (named) {
    source = spec.substr(eq + 1);
  } else {
    if (fn.inputs.size() != 1)
      throw Error(Location::in_file(spec), "--input needs name=source: function '" + fn.name + "' has " + std::to_string(fn.inputs.size()) + " inputs");
    name = fn.value(fn.inputs[0]).name;
    source = spec;
  }
  InputDecl decl = input_declaration(model, fn, name);
  const auto chosen = shapes ? shapes->find(name) : std::map<std::string, exec::Dims>::const_iterator{};
  const bool has_chosen = shapes && chosen != shapes->end();
  if (has_chosen) decl.shape = chosen->second;
  if (source.rfind("random:", 0) == 0) {
    uint64_t seed = 0;
    try {
      seed = std::stoull(source.substr(7));
    } catch (...) {
      throw Error(Location::in_file(spec), "random:SEED needs an unsigned integer seed");
    }
    for (int64_t d : decl.shape)
      if (d < 0) throw Error(Location::at_op(model.path, name), "input '" + name + "' has no fixed shape; give a .npy file");
    inputs[name] = random_tensor(decl.is_image ? ir::DType::UInt8 : decl.dtype, decl.shape, seed);
    if (decl.is_image) {  // pixel values: uniform 0..255 rather than the integer default 0..9
      exec::Tensor& t = std::get<exec::Tensor>(inputs[name]);
      auto v = t.mutable_ints();
      for (size_t i = 0; i < v.size(); ++i) v[i] = int64_t((uint64_t(v[i]) * 2654435761u + i * 40503u + seed) % 256);
    }
    return;
  }
  const std::string ext = lower_ext(source);
  if (ext == ".npy") {
    inputs[name] = read_npy(source);
  } else if (ext == ".npz") {
    auto members = read_npz(source);
    auto it = members.find(name);
    if (it == members.end()) {
      if (members.size() != 1) throw Error(Location::in_file(source), "no member '" + name + ".npy' in the .npz");
      it = members.begin();
    }
    inputs[name] = it->second;
  } else if (is_image_ext(ext)) {
    const ir::Feature* feat = exec::input_feature(model, fn, name);
    if (!feat || feat->type.kind != ir::FeatureType::Kind::Image)
      throw Error(Location::in_file(source), "input '" + name + "' is not an image input; give a .npy file");
    std::string note;
    inputs[name] = load_image_input(source, feat->type, &note);
    if (notes && !note.empty()) notes->push_back(name + ": " + note);
  } else {
    throw Error(Location::in_file(source), "unknown input source (expected .npy, .npz, an image file or random:SEED)");
  }
  if (has_chosen)
    if (const auto* t = std::get_if<exec::Tensor>(&inputs[name]); t && t->shape() != chosen->second)
      throw Error(Location::in_file(source), "input '" + name + "' holds shape " + exec::dims_str(t->shape()) + " but --shape asks for " +
                                                 exec::dims_str(chosen->second));
}

}  // namespace mlscope::io
