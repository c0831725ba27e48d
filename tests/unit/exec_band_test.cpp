// The Neural Engine band: its members as profiles, and the band runner on a program built in
// code — per member exactly what running that member alone gives, the shared prefix really
// shared (ops counted through RunOptions::progress), partings where values differ.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <random>

#include "core/exec/band_runner.h"
#include "core/exec/interpreter.h"
#include "core/util/error.h"
#include "exec_ir_builder.h"

using namespace mlscope;
using namespace mlscope::exec;
using test::in;
using test::ProgramBuilder;

namespace {

ir::Type f16(std::vector<int64_t> d) { return ir::Type::tensor(ir::DType::Float16, ir::Shape(std::move(d))); }
ir::Binding ints(std::vector<int64_t> v) { return ProgramBuilder::lit(ir::Constant::from_ints(v, ir::Shape{int64_t(v.size())}, ir::DType::Int32)); }
ir::Binding no_keep() { return ProgramBuilder::lit(ir::Constant::from_bool(false)); }

// r = relu(x) (before any fork), m = reduce_mean(r) (forks by reduction scheme),
// q = silu(r) (r's last reader: an in-place candidate on a value the branches share),
// s = reduce_sum(q), y = linear(m) (forks by dot-product rule).
ir::Model band_program() {
  ProgramBuilder p;
  auto x = p.input("x", f16({1, 4, 16, 16}));
  auto r = p.op("relu", "r", {in("x", ProgramBuilder::ref(x))}, {f16({1, 4, 16, 16})});
  auto m = p.op("reduce_mean", "m", {in("x", ProgramBuilder::ref(r[0])), in("axes", ints({2, 3})), in("keep_dims", no_keep())}, {f16({1, 4})});
  auto q = p.op("silu", "q", {in("x", ProgramBuilder::ref(r[0]))}, {f16({1, 4, 16, 16})});
  auto s = p.op("reduce_sum", "s", {in("x", ProgramBuilder::ref(q[0])), in("axes", ints({2, 3})), in("keep_dims", no_keep())}, {f16({1, 4})});
  std::vector<float> w(3 * 4);
  for (size_t i = 0; i < w.size(); ++i) w[i] = 0.37f * float(i % 5) - 0.61f;
  auto y = p.op("linear", "y", {in("x", ProgramBuilder::ref(m[0])), in("weight", ProgramBuilder::lit(ir::Constant::from_floats(w, ir::Shape{3, 4})))},
                {f16({1, 3})});
  p.output(y[0]);
  p.output(s[0]);
  return p.model();
}

RunInputs band_input() {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> d(-40.0f, 260.0f);  // sums of 256 such terms exceed 2048
  std::vector<float> v(4 * 16 * 16);
  for (float& x : v) x = d(rng);
  return {{"x", Tensor::from_floats(ir::DType::Float32, {1, 4, 16, 16}, v)}};
}

bool same_bits(const RunValue& a, const RunValue& b) {
  const Tensor &x = std::get<Tensor>(a), &y = std::get<Tensor>(b);
  return x.dtype() == y.dtype() && x.shape() == y.shape() && std::memcmp(x.floats().data(), y.floats().data(), x.size() * 4) == 0;
}

std::vector<NumericProfile> profiles_of(const std::vector<std::string>& names) {
  std::vector<NumericProfile> out;
  for (const auto& n : names) out.push_back(NumericProfile::builtin(n));
  return out;
}

}  // namespace

TEST(ExecBand, MembersAreNamedProfilesDifferingOnlyOnReductionAndDotOps) {
  const auto names = NumericProfile::band_members("ane");
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(names.front(), "ane:wide");
  const NumericProfile base = NumericProfile::builtin("ane");
  EXPECT_TRUE(base.defaults == NumericProfile::builtin("ane:wide").defaults);
  EXPECT_TRUE(NumericProfile::builtin("ane:wide").by_op_type.empty());
  EXPECT_EQ(base.defaults.reduction_accumulation, AccumMode::Fp32);  // ane: the wide accumulator, reductions too
  for (const char* required : {"ane:seq-fp16", "ane:chunk16-f32", "ane:chunk4096-f16", "ane:tile7x7-f32", "ane:tile32x32-f16",
                               "ane:pairwise-fp16", "ane:seq-fp16-prescale", "ane:wide+dot-chunk32"})
    EXPECT_NE(std::find(names.begin(), names.end(), required), names.end()) << required;
  for (const auto& n : names) {
    const NumericProfile p = NumericProfile::builtin(n);
    EXPECT_EQ(p.name, n);
    EXPECT_TRUE(p.defaults == base.defaults) << n << ": members differ only through per-op-type overrides";
    for (const auto& [type, o] : p.by_op_type) {
      const auto& red = NumericProfile::reduction_op_types();
      const auto& dot = NumericProfile::dot_product_op_types();
      EXPECT_TRUE(std::find(red.begin(), red.end(), type) != red.end() || std::find(dot.begin(), dot.end(), type) != dot.end()) << n << " " << type;
    }
  }
  EXPECT_EQ(NumericProfile::band_members("ane-w8a8").size(), names.size());
  EXPECT_TRUE(NumericProfile::builtin("ane-w8a8:chunk256-f32").defaults.int8_accumulation);
  EXPECT_THROW(NumericProfile::builtin("ane:chunk17-f32"), Error);
  EXPECT_THROW(NumericProfile::builtin("gpu:wide"), Error);
  EXPECT_THROW(NumericProfile::band_members("gpu"), Error);
}

// The old `ane` rule (fp16 sequential reductions for every op) is the member ane:seq-fp16.
TEST(ExecBand, SeqFp16MemberIsTheOldAneRule) {
  NumericProfile old = NumericProfile::builtin("ane");
  old.defaults.reduction_accumulation = AccumMode::Fp16;
  const ir::Model m = band_program();
  RunResult a = Interpreter(old).run(m, band_input(), {}), b = Interpreter(NumericProfile::builtin("ane:seq-fp16")).run(m, band_input(), {});
  for (const char* out : {"y", "s"}) EXPECT_TRUE(same_bits(a.outputs.at(out), b.outputs.at(out))) << out;
}

TEST(ExecBand, EveryMemberGetsExactlyWhatItsOwnRunGivesAndThePrefixIsShared) {
  const ir::Model m = band_program();
  const std::vector<std::string> names = NumericProfile::band_members("ane");
  const std::vector<NumericProfile> profiles = profiles_of(names);
  std::map<std::string, int> executed;
  RunOptions o;
  o.progress = [&](const Progress& p) { ++executed[std::string(p.stage)]; };
  const BandRun band = run_band(m, band_input(), o, profiles);
  ASSERT_EQ(band.members.size(), profiles.size());
  for (size_t i = 0; i < profiles.size(); ++i) {
    const RunResult alone = Interpreter(profiles[i]).run(m, band_input(), {});
    for (const char* out : {"y", "s"})
      EXPECT_TRUE(same_bits(band.members[i].outputs.at(out), alone.outputs.at(out))) << names[i] << " " << out;
    EXPECT_EQ(band.members[i].provenance, alone.provenance);
  }
  // relu runs once for all members; reduce_mean once per distinct reduction rule; the linear
  // (a dot-product op) at most once per reduction group x dot rule.
  EXPECT_EQ(executed["r"], 1);
  const size_t reduction_rules = names.size() / 2;  // the cross product with 2 dot-product rules
  EXPECT_EQ(executed["m"], int(reduction_rules));
  EXPECT_LE(executed["y"], int(names.size()));
  EXPECT_LT(band.ops_executed, names.size() * 5);
  // Partings: at m (values differ between schemes), with spreads relative to max |value|.
  ASSERT_FALSE(band.partings.empty());
  EXPECT_EQ(band.partings[0].op_name, "m");
  EXPECT_GT(band.partings[0].groups.size(), 1u);
  EXPECT_GT(band.partings[0].spread, 0.0);
  EXPECT_LE(band.partings[0].spread, 2.0);
  EXPECT_DOUBLE_EQ(band.partings[0].spread, band.partings[0].max_abs_diff / band.partings[0].max_abs);
}

TEST(ExecBand, BackendReturnsTheDefaultMemberWithEveryMembersOutputs) {
  BandBackend band("ane-band");
  EXPECT_EQ(band.name(), "emulated:ane-band");
  const ir::Model m = band_program();
  RunResult r = band.run(m, band_input(), {});
  const RunResult ane = Interpreter(NumericProfile::builtin("ane")).run(m, band_input(), {});
  EXPECT_TRUE(same_bits(r.outputs.at("y"), ane.outputs.at("y")));
  EXPECT_EQ(r.band_members.size(), NumericProfile::band_members("ane").size());
  EXPECT_EQ(r.band_members[0].name, "ane:wide");
  EXPECT_NE(r.provenance.find("emulated band of " + std::to_string(r.band_members.size()) + " members"), std::string::npos) << r.provenance;
  EXPECT_NE(r.provenance.find("values = member ane:wide"), std::string::npos) << r.provenance;
  EXPECT_FALSE(r.band_partings.empty());
  EXPECT_TRUE(BandBackend::is_band_name("ane-w8a8-band"));
  EXPECT_THROW(BandBackend("gpu-band"), Error);
}
