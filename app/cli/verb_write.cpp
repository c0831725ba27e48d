// `mlscope-cli write MODEL OUT.mlpackage`: reads any ML program (.mlpackage, .mlmodel, .mlmodelc,
// .mil) and writes it again as an .mlpackage with the project's own writer. Used to make the
// demo model in assets/ reproducibly (tools/make_demo.sh) and fixtures for tests.
#include <cstdio>
#include <filesystem>

#include "app/cli/flags.h"
#include "app/cli/verb.h"
#include "core/format/mlpackage_writer.h"
#include "core/format/open.h"

namespace mlscope::cli {
namespace {

int run_write(const std::vector<std::string>& argv) {
  reject_unknown_flags(argv, {"force"});
  Args args(argv, {});
  if (args.positional().size() != 2) throw UsageError{"expected MODEL and OUT.mlpackage"};
  const std::string& out = args.positional()[1];
  ir::Model model = format::open(args.positional()[0]);
  if (args.has("force")) std::filesystem::remove_all(out);
  format::write_mlpackage(model, out);
  std::printf("wrote %s (%lld ops)\n", out.c_str(), static_cast<long long>(model.op_count()));
  return 0;
}

}  // namespace

MLSCOPE_CLI_VERB("write", "write MODEL OUT.mlpackage [--force]",
                 "re-save an ML program as .mlpackage with mlscope's own writer", run_write);

}  // namespace mlscope::cli
