// A model.mil text file read into a Model: the program of a compiled .mlmodelc and a bare .mil.
#include "core/format/mil_program_file.h"

#include "core/format/compiled_metadata.h"
#include "core/format/mapped_file.h"
#include "core/format/mil_parser.h"
#include "core/format/open.h"

namespace mlscope::format {

namespace fs = std::filesystem;

void read_mil_into(const std::filesystem::path& mil, const std::string& model_path, bool fallback, ir::Model& m) {
  MappedFile text(mil.string());
  MilSource src;
  src.file = mil.string();
  src.model_path = model_path;
  src.weights_fallback = fallback;
  parse_mil_program(text.view(), src, m);
}

/// Main first, then the others: the model's interface is the main function's.
void describe_functions(ir::Model& m) {
  m.function_descriptions.clear();
  const ir::Function* main = m.main_function();
  if (main) describe_from_function(*main, m);
  for (const auto& f : m.functions)
    if (&f != main) describe_from_function(f, m);
  if (main) m.default_function = main->name;
}

ir::Model read_mil_file(const std::string& file) {
  fs::path p(file);
  ir::Model m;
  m.path = file;
  m.format = ir::Format::MILText;
  m.kind = "mlProgram";
  fs::path dir = p.parent_path();
  read_mil_into(p, dir.empty() ? std::string(".") : dir.string(), true, m);
  describe_functions(m);
  return m;
}

}  // namespace mlscope::format
