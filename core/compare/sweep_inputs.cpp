#include "core/compare/sweep_inputs.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>

#include "core/io/image_input.h"
#include "core/io/npy.h"
#include "core/io/random_inputs.h"
#include "core/util/error.h"

namespace mlscope::compare {

namespace fs = std::filesystem;

uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

namespace {

ir::DType tensor_dtype(ir::ArrayDType a) {
  switch (a) {
    case ir::ArrayDType::Float16: return ir::DType::Float16;
    case ir::ArrayDType::Float32: return ir::DType::Float32;
    case ir::ArrayDType::Double: return ir::DType::Float64;
    case ir::ArrayDType::Int8: return ir::DType::Int8;
    case ir::ArrayDType::Int32: return ir::DType::Int32;
    default: return ir::DType::Invalid;
  }
}

bool is_image(std::string ext) {
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp";
}

struct InputSpec {
  std::string name;
  ir::DType dtype;
  exec::Dims shape;
};

}  // namespace

SweepInputs seeded_random_inputs(const ir::Model& model, uint64_t seed, size_t count) {
  auto specs = std::make_shared<std::vector<InputSpec>>();
  for (const auto& f : model.inputs) {
    const ir::DType dt = tensor_dtype(f.type.array_dtype);
    if (f.type.kind != ir::FeatureType::Kind::MultiArray || dt == ir::DType::Invalid || f.type.shape.empty())
      throw Error(Location::at_op(model.path, f.name), "random inputs need fixed-shape multi-array inputs; '" + f.name +
                                                           "' is " + std::string(f.type.kind_name()) + " (give --input files instead)");
    specs->push_back({f.name, dt, exec::Dims(f.type.shape.begin(), f.type.shape.end())});
  }
  SweepInputs s;
  s.count = count;
  s.make = [specs, seed](size_t i) {
    exec::RunInputs in;
    const uint64_t base = splitmix64(seed + i);
    for (size_t j = 0; j < specs->size(); ++j) {
      const auto& sp = (*specs)[j];
      in[sp.name] = io::random_tensor(sp.dtype, sp.shape, base + j);
    }
    return in;
  };
  s.label = [seed](size_t i) { return "random seed " + std::to_string(seed) + " #" + std::to_string(i); };
  return s;
}

SweepInputs folder_inputs(const ir::Model& model, const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(Location::in_file(dir), "input folder not found");
  auto files = std::make_shared<std::vector<std::string>>();
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const auto ext = e.path().extension().string();
    if (e.is_regular_file() && (ext == ".npy" || ext == ".npz" || is_image(ext))) files->push_back(e.path().string());
  }
  std::sort(files->begin(), files->end());
  if (files->empty()) throw Error(Location::in_file(dir), "input folder holds no .npy, .npz or image file");
  std::vector<std::string> names;
  for (const auto& f : model.inputs) names.push_back(f.name);
  const ir::Model* m = &model;  // the sweep keeps the model alive while inputs are made
  SweepInputs s;
  s.count = files->size();
  s.make = [files, names, m](size_t i) {
    const std::string& path = (*files)[i];
    exec::RunInputs in;
    if (is_image(fs::path(path).extension().string())) {
      if (m->inputs.size() != 1 || m->inputs[0].type.kind != ir::FeatureType::Kind::Image)
        throw Error(Location::in_file(path), "an image input needs a model with a single image input");
      in[names[0]] = io::load_image_input(path, m->inputs[0].type);
    } else if (path.size() > 4 && path.compare(path.size() - 4, 4, ".npz") == 0) {
      for (auto& [n, t] : io::read_npz(path)) in[n] = std::move(t);
    } else {
      if (names.size() != 1)
        throw Error(Location::in_file(path), "a .npy input needs a single-input model (this one has " +
                                                 std::to_string(names.size()) + "); use .npz files");
      in[names[0]] = io::read_npy(path);
    }
    return in;
  };
  s.label = [files](size_t i) { return fs::path((*files)[i]).filename().string(); };
  return s;
}

}  // namespace mlscope::compare
