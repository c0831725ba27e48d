#include "core/exec/input_check.h"

#include <cmath>

#include "core/util/error.h"

namespace mlscope::exec {

namespace {

std::string join_names(const ir::Function& fn) {
  std::string s;
  for (ir::ValueId v : fn.inputs) s += (s.empty() ? "" : ", ") + fn.value(v).name;
  return s.empty() ? "(none)" : s;
}

// Image data given as H x W x C (what image files and the corpus' uint8 input.npy hold) or
// C x H x W becomes 1 x C x H x W floats; BGR models get their channels swapped from RGB.
Tensor image_to_nchw(const Tensor& t, const ir::FeatureType& f) {
  const int64_t c = (f.color_space == 10 || f.color_space == 40) ? 1 : 3;
  Tensor in = t;
  if (in.rank() == 4 && in.shape()[0] == 1 && in.shape()[3] == c && in.shape()[1] != c) in = in.reshaped({in.shape()[1], in.shape()[2], c});
  if (in.rank() == 3 && in.shape()[2] == c && in.shape()[0] != c) {
    const int64_t h = in.shape()[0], w = in.shape()[1];
    std::vector<float> out(static_cast<size_t>(c * h * w));
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x)
        for (int64_t k = 0; k < c; ++k) {
          int64_t src_k = (f.color_space == 30 && c == 3) ? 2 - k : k;  // RGB pixels -> BGR planes
          out[static_cast<size_t>((k * h + y) * w + x)] = static_cast<float>(in.at(static_cast<uint64_t>((y * w + x) * c + src_k)));
        }
    return Tensor::from_floats(ir::DType::Float32, {1, c, h, w}, std::move(out));
  }
  if (in.rank() == 3) in = in.reshaped({1, in.shape()[0], in.shape()[1], in.shape()[2]});
  return in.is_float() ? in.cast_to(ir::DType::Float32) : in.cast_to(ir::DType::Float32);
}

}  // namespace

bool shape_accepted(const Dims& got, const ir::Shape& decl, const ir::Feature* feat, std::string& why) {
  if (feat && feat->type.kind == ir::FeatureType::Kind::MultiArray) {
    const auto& ft = feat->type;
    if (!ft.enumerated_shapes.empty()) {
      for (const auto& s : ft.enumerated_shapes)
        if (s == got) return true;
      why = "not one of the model's enumerated shapes";
      return false;
    }
    if (!ft.shape_ranges.empty()) {
      if (ft.shape_ranges.size() != got.size()) { why = "rank differs from the model's shape ranges"; return false; }
      for (size_t i = 0; i < got.size(); ++i) {
        auto [lo, hi] = ft.shape_ranges[i];
        if (got[i] < lo || (hi >= 0 && got[i] > hi)) {
          why = "dimension " + std::to_string(i) + " outside the model's range [" + std::to_string(lo) + ", " +
                (hi < 0 ? "inf" : std::to_string(hi)) + "]";
          return false;
        }
      }
      return true;
    }
  }
  if (decl.unknown_rank) return true;
  if (decl.rank() != got.size()) { why = "rank " + std::to_string(got.size()) + " instead of " + std::to_string(decl.rank()); return false; }
  for (size_t i = 0; i < got.size(); ++i)
    if (decl.dims[i] != ir::kUnknownDim && decl.dims[i] != got[i]) { why = "dimension " + std::to_string(i) + " differs"; return false; }
  return true;
}


const ir::Feature* input_feature(const ir::Model& model, const ir::Function& fn, const std::string& name) {
  for (const auto& fd : model.function_descriptions)
    if (fd.name == fn.name) {
      for (const auto& f : fd.inputs)
        if (f.name == name) return &f;
      for (const auto& f : fd.states)
        if (f.name == name) return &f;
    }
  for (const auto& f : model.inputs)
    if (f.name == name) return &f;
  for (const auto& f : model.states)
    if (f.name == name) return &f;
  return nullptr;
}

BoundInputs bind_inputs(const ir::Model& model, const ir::Function& fn, const RunInputs& inputs, const RunOptions& options,
                        std::vector<std::string>& warnings) {
  BoundInputs out;
  for (const auto& [name, v] : inputs) {
    bool known = false;
    for (ir::ValueId id : fn.inputs) known = known || fn.value(id).name == name;
    if (!known)
      throw Error(Location::at_op(model.path, name), "unknown input '" + name + "'; function '" + fn.name + "' takes: " + join_names(fn));
  }
  for (ir::ValueId id : fn.inputs) {
    const ir::Value& val = fn.value(id);
    const bool is_state = val.type.kind == ir::Type::Kind::State;
    const ir::Type decl = is_state && !val.type.elements.empty() ? val.type.elements[0] : val.type;
    const ir::Feature* feat = input_feature(model, fn, val.name);
    auto it = inputs.find(val.name);
    if (it == inputs.end()) {
      if (is_state) {
        // Core ML states start zero-initialised (corpus-gen stateful_kv_cache sequence_semantics).
        if (!decl.shape.is_static())
          throw Error(Location::at_op(model.path, val.name), "state '" + val.name + "' has a dynamic shape; give its initial value");
        ir::DType dt = decl.dtype == ir::DType::Invalid ? ir::DType::Float32 : decl.dtype;
        out.values.emplace_back(id, Tensor(dt, decl.shape.dims));
        continue;
      }
      if (feat && feat->type.optional) continue;
      throw Error(Location::at_op(model.path, val.name), "missing required input '" + val.name + "' (" + decl.str() + ")");
    }
    const Tensor* given = std::get_if<Tensor>(&it->second);
    if (!given) throw Error(Location::at_op(model.path, val.name), "input '" + val.name + "' must be a tensor, got " + describe(it->second));
    Tensor t = *given;
    if (feat && feat->type.kind == ir::FeatureType::Kind::Image) t = image_to_nchw(t, feat->type);
    if (!decl.is_tensor()) {
      out.values.emplace_back(id, t);
      continue;
    }
    const Storage want = storage_of(decl.dtype), have = t.storage();
    if (want != have && !(decl.dtype == ir::DType::Bool && have == Storage::Int))
      throw Error(Location::at_op(model.path, val.name),
                  "input '" + val.name + "' has dtype " + std::string(ir::dtype_name(t.dtype())) + ", the model expects " +
                      std::string(ir::dtype_name(decl.dtype)));
    std::string why;
    if (!shape_accepted(t.shape(), decl.shape, feat, why))
      throw Error(Location::at_op(model.path, val.name),
                  "input '" + val.name + "' has shape " + dims_str(t.shape()) + ", the model expects " + decl.shape.str() + " (" + why + ")");
    if (t.is_float()) {
      uint64_t nan = 0, inf = 0;
      for (float x : t.floats()) {
        nan += std::isnan(x);
        inf += std::isinf(x);
      }
      if (nan || inf) {
        std::string msg = "input '" + val.name + "' holds " + std::to_string(nan) + " NaN and " + std::to_string(inf) + " infinite values";
        if (options.non_finite_inputs == NonFinitePolicy::Reject) throw Error(Location::at_op(model.path, val.name), msg);
        warnings.push_back(msg);
      }
    }
    if (t.dtype() != decl.dtype) {
      if (t.storage() == Storage::Int && decl.dtype != ir::DType::Bool) {
        Tensor c = t.cast_to(decl.dtype);
        for (uint64_t i = 0; i < t.size(); ++i)
          if (c.ints()[i] != t.ints()[i])
            throw Error(Location::at_op(model.path, val.name), "input '" + val.name + "' value " + std::to_string(t.ints()[i]) +
                                                                   " does not fit " + std::string(ir::dtype_name(decl.dtype)));
      }
      t = t.cast_to(decl.dtype);
    }
    out.values.emplace_back(id, std::move(t));
  }
  return out;
}

}  // namespace mlscope::exec
