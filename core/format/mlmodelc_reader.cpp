// .mlmodelc (compiled model folders).
//
// ML program bundles: model.mil text + weights/weight.bin, interface from metadata.json.
// NeuralNetwork bundles: espresso JSON. coremldata.bin is undocumented and never read.
#include <algorithm>
#include <filesystem>

#include "core/format/compiled_metadata.h"
#include "core/format/espresso_reader.h"
#include "core/format/mapped_file.h"
#include "core/format/mil_program_file.h"
#include "core/format/open.h"
#include "core/util/error.h"

namespace mlscope::format {

namespace {

namespace fs = std::filesystem;

bool is_compiled_bundle(const fs::path& d) {
  std::error_code ec;
  return fs::exists(d / "model.mil", ec) || fs::exists(d / "model.espresso.net", ec) ||
         fs::exists(d / "coremldata.bin", ec);
}

/// "model10" after "model9": compare embedded numbers by value.
bool natural_less(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      size_t i2 = i, j2 = j;
      while (i2 < a.size() && std::isdigit(static_cast<unsigned char>(a[i2]))) ++i2;
      while (j2 < b.size() && std::isdigit(static_cast<unsigned char>(b[j2]))) ++j2;
      std::string na = a.substr(i, i2 - i), nb = b.substr(j, j2 - j);
      while (na.size() > 1 && na[0] == '0') na.erase(0, 1);
      while (nb.size() > 1 && nb[0] == '0') nb.erase(0, 1);
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
      i = i2;
      j = j2;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

}  // namespace

ir::Model read_mlmodelc(const std::string& compiled_dir) {
  fs::path dir(compiled_dir);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(Location::in_file(compiled_dir), "an .mlmodelc must be a directory");
  ir::Model m;
  m.path = compiled_dir;
  m.format = ir::Format::MLModelC;

  CompiledMetadata meta;
  bool have_meta = fs::exists(dir / "metadata.json", ec);
  if (have_meta) meta = read_compiled_metadata((dir / "metadata.json").string(), m);
  else m.notes.push_back("no metadata.json: interface derived from the program itself");

  if (fs::exists(dir / "model.mil", ec)) {
    m.kind = "mlProgram";
    read_mil_into(dir / "model.mil", dir.string(), false, m);
    if (const ir::Function* main = m.main_function()) m.default_function = main->name;
    if (!have_meta || m.functions.size() > 1) {
      // Multi-function bundles: metadata.json describes only the default function.
      std::vector<ir::Feature> in = m.inputs, out = m.outputs, st = m.states;
      describe_functions(m);
      if (have_meta) { m.inputs = in; m.outputs = out; m.states = st; }
    }
    return m;
  }
  if (fs::exists(dir / "model.espresso.net", ec)) {
    std::string base = meta.model_type.empty() ? "neuralNetwork" : meta.model_type;
    m.kind = base + " (espresso)";
    read_espresso(dir.string(), m);
    return m;
  }

  // A compiled pipeline keeps each stage in its own sub-folder bundle.
  std::vector<std::string> subs;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_directory() && e.path().filename() != "analytics" && is_compiled_bundle(e.path()))
      subs.push_back(e.path().filename().string());
  std::sort(subs.begin(), subs.end(), natural_less);
  if (!subs.empty()) {
    m.kind = meta.model_type.empty() ? "pipeline" : meta.model_type;
    for (const auto& s : subs) {
      m.submodel_names.push_back(s);
      m.submodels.push_back(read_mlmodelc((dir / s).string()));
    }
    m.notes.push_back("compiled pipeline: stages read from sub-folders " + std::to_string(subs.size()) +
                      " (order by folder name)");
    return m;
  }
  if (have_meta && !meta.model_type.empty()) {
    m.kind = meta.model_type;
    m.notes.push_back("compiled " + meta.model_type +
                      " model: no model.mil, no espresso net and no sub-model folders; only its interface "
                      "(metadata.json) is readable (coremldata.bin is undocumented)");
    return m;
  }
  throw Error(Location::in_file(compiled_dir),
              "no model.mil, model.espresso.net, sub-model folders or metadata.json: not a readable .mlmodelc");
}

}  // namespace mlscope::format
