// `mlscope-cli hazards` and `run`'s non-finite warnings as a subprocess, on programs saved with
// mlscope's own writer: exit codes, the origin op named, documented JSON keys.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/io/npy.h"
#include "core/format/mlpackage_writer.h"
#include "support/doc_keys.h"
#include "support/hazard_programs.h"
#include "support/test_paths.h"

using namespace mlscope;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct Result {
  int code;
  std::string out, err;
};

Result cli(const std::string& args) {
  auto err_file = test::scratch_dir("cli_hazards_stderr") / "stderr.txt";
  Result r;
  r.code = test::run_command(test::cli_path().string() + " " + args + " 2>" + err_file.string(), &r.out);
  std::ifstream in(err_file);
  r.err.assign(std::istreambuf_iterator<char>(in), {});
  return r;
}

// The reduction-overflow program and its input (x = 4 everywhere), written once per process.
struct Files {
  std::string model, input;
};
const Files& reduction_files() {
  static const Files f = [] {
    const fs::path dir = test::scratch_dir("cli_hazards_reduction");
    Files out{(dir / "model.mlpackage").string(), (dir / "x.npy").string()};
    format::write_mlpackage(fixtures::program_model(fixtures::reduction_overflow_program(32)), out.model);
    io::write_npy(out.input, exec::Tensor::from_floats(ir::DType::Float32, {1, 1, 32, 32},
                                                         std::vector<float>(1024, fixtures::kReductionOverflowInput)));
    return out;
  }();
  return f;
}

std::string hazards(const std::string& flags) {
  return "hazards '" + reduction_files().model + "' --input x='" + reduction_files().input + "' " + flags;
}
std::string run(const std::string& flags) {
  return "run '" + reduction_files().model + "' --input x='" + reduction_files().input + "' " + flags;
}

}  // namespace

TEST(CliHazards, NamesReduceMeanAndGatesOnlyWhenAsked) {
  Result r = cli(hazards("--profile gpu-lowacc --json"));
  ASSERT_EQ(r.code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j.at("profile"), "gpu-lowacc");
  EXPECT_EQ(j.at("first_nonfinite_op"), "pool");
  EXPECT_EQ(j.at("nonfinite_origin").at("op"), "pool");
  EXPECT_EQ(j.at("nonfinite_origin").at("type"), "reduce_mean");
  EXPECT_EQ(j.at("hazards").at(0).at("kind"), "nonfinite");
  EXPECT_EQ(j.at("hazards").at(0).at("op"), "pool");
  EXPECT_EQ(j.at("hazards").at(0).at("count"), 2);  // channels 0 and 1 (see compare_hazards_test)
  EXPECT_EQ(j.at("summary").at("nonfinite"), 1);
  EXPECT_NE(j.at("provenance").get<std::string>().find("emulated"), std::string::npos);
  EXPECT_TRUE(j.at("band").is_null()) << "gpu-lowacc has no band";
  // Under ane the band runs by default and names where its schemes first part (the mean).
  Result a = cli(hazards("--profile ane --json"));
  ASSERT_EQ(a.code, 0) << a.err;
  const json ja = json::parse(a.out);
  EXPECT_EQ(ja.at("band").at("backend"), "ane-band");
  EXPECT_EQ(ja.at("band").at("first_parting_op"), "pool");
  EXPECT_GE(ja.at("band").at("partings").at(0).at("non_finite").get<int>(), 2);
  EXPECT_TRUE(json::parse(cli(hazards("--profile ane --json --no-band")).out).at("band").is_null());
  EXPECT_NE(cli(hazards("--profile ane")).out.find("members part at"), std::string::npos);
  EXPECT_EQ(test::missing_documented_keys("`hazards --json`", {j, ja}, {"hazards[].clamped", "hazards[].to_zero", "hazards[].collapsed_to_zero"}),
            std::vector<std::string>{});

  EXPECT_EQ(cli(hazards("--profile gpu-lowacc --fail-on-hazard")).code, 1);
  EXPECT_EQ(cli(hazards("--profile gpu --fail-on-hazard")).code, 0) << "fp32 reductions: finite, nothing out of range";
  Result text = cli(hazards("--profile gpu-lowacc"));
  EXPECT_EQ(text.code, 0);
  EXPECT_NE(text.out.find("non-finite values start at reduce_mean 'pool'"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("critical"), std::string::npos) << text.out;
}

// A band run prints the default member's values and every member's, where they part: the
// documented keys of `run --profile ane-band --json`, and the ranges around the default values.
TEST(CliRun, BandJsonProducesEveryDocumentedKey) {
  Result r = cli(run("--profile ane-band --json"));
  ASSERT_EQ(r.code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(test::missing_documented_keys("`run --profile ane-band --json`", {j}), std::vector<std::string>{});
  EXPECT_GE(test::documented_keys("`run --profile ane-band --json`").size(), 6u) << "the section is found";
  const json& band = j.at("outputs").at("fc").at("band");
  EXPECT_EQ(band.at("by_member").size(), j.at("band").at("members").size());
  EXPECT_EQ(j.at("band").at("members").at(0), "ane:wide");
  EXPECT_EQ(j.at("band").at("partings").at(0).at("op"), "pool");
  EXPECT_GT(band.at("non_finite_values").get<int>(), 0) << "the sequential fp16 members overflow in pool";
}

TEST(CliHazards, BadInputIsExit2WithALocatedMessage) {
  const fs::path missing = test::scratch_dir("cli_hazards_missing") / "none.mlpackage";
  Result r = cli("hazards '" + missing.string() + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find(missing.string()), std::string::npos) << r.err;
  r = cli(hazards("--profile tpu"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown numeric profile 'tpu'"), std::string::npos) << r.err;
  r = cli("hazards '" + reduction_files().model + "' --input nope=random:1");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("nope"), std::string::npos) << r.err;
  EXPECT_EQ(cli(hazards("--frobnicate")).code, 2);
}

TEST(CliRun, NonfiniteOutputsNameTheOriginAndRejectFails) {
  Result r = cli(run("--profile gpu-lowacc --json"));
  ASSERT_EQ(r.code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j.at("outputs").at("fc").at("values"), json({"nan", "inf"}));
  ASSERT_EQ(j.at("warnings").size(), 1u) << j.at("warnings");
  const std::string w = j.at("warnings").at(0);
  EXPECT_NE(w.find("output 'fc'"), std::string::npos) << w;
  EXPECT_NE(w.find("reduce_mean 'pool'"), std::string::npos) << w;
  EXPECT_EQ(j.at("nonfinite_origin").at("op"), "pool");

  // --reject-nonfinite: a failed gate (exit 1) after the results are printed.
  r = cli(run("--profile gpu-lowacc --reject-nonfinite"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("warning: output 'fc'"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("reduce_mean 'pool'"), std::string::npos) << r.err;

  r = cli(run("--profile gpu --reject-nonfinite --json"));
  EXPECT_EQ(r.code, 0) << r.err;
  const json ok = json::parse(r.out);
  EXPECT_TRUE(ok.at("warnings").empty());
  EXPECT_TRUE(ok.at("nonfinite_origin").is_null());
}
