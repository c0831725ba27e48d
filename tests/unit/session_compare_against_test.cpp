// CompareSession's model B on models built in code: a B that cannot be read or whose interface
// differs fails its job with the reason and leaves no backend behind; a good B (written with the
// project's own writer, ops renamed) becomes the backend B:fp32, matched by structure.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "core/format/mlpackage_writer.h"
#include "core/session/compare_session.h"
#include "core/session/document.h"
#include "support/test_paths.h"
#include "tests/support/ir_builders.h"

using namespace mlscope;
using namespace mlscope::session;
namespace fs = std::filesystem;

namespace {

ir::Model chain_model(const std::string& path) {
  ir::Model m;
  m.kind = "mlProgram";
  m.path = path;
  m.functions.push_back(fixtures::chain_program(3));
  // Vector constants, so the linears and muls have weights to compare.
  ir::Function& f = m.functions[0];
  for (ir::Op& op : f.ops)
    if (op.is_const()) {
      for (auto& a : op.attributes)
        if (a.name == "val") a.value = std::make_shared<const ir::Constant>(ir::Constant::from_floats({0.1f, -0.2f}, ir::Shape{2}));
      f.values[static_cast<size_t>(op.outputs[0])].type = ir::Type::tensor(ir::DType::Float32, ir::Shape{2});
    }
  return m;
}

void settle(Document& doc, CompareSession& s) {
  for (int i = 0; i < 3000 && (doc.busy() || s.jobs().busy()); ++i) {
    doc.poll();
    s.poll(doc);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  doc.poll();
  s.poll(doc);
}

}  // namespace

TEST(CompareAgainst, UnreadableOrDifferentModelBFailsWithItsReason) {
  Document doc;
  CompareSession s;
  doc.open_model(chain_model("a.mlpackage"));
  settle(doc, s);
  ASSERT_TRUE(s.has_model());
  ASSERT_TRUE(s.set_against("/nonexistent/b.mlpackage"));
  settle(doc, s);
  EXPECT_EQ(s.jobs().last_outcome(), TaskOutcome::Failed);
  EXPECT_NE(s.jobs().last_error().find("/nonexistent/b.mlpackage"), std::string::npos) << s.jobs().last_error();
  EXPECT_FALSE(s.against_report());
  for (const auto& b : s.backends()) EXPECT_NE(b.spec.name.rfind("B:", 0), 0u) << b.spec.name;

  // A B with another interface: the matcher's error, and still no backend.
  ir::Model other = chain_model("");
  other.functions[0].values[static_cast<size_t>(other.functions[0].inputs[0])].name = "image";
  const fs::path dir = test::scratch_dir("compare_against_other") / "b.mlpackage";
  fs::remove_all(dir);
  format::write_mlpackage(other, dir.string());
  ASSERT_TRUE(s.set_against(dir.string()));
  settle(doc, s);
  EXPECT_EQ(s.jobs().last_outcome(), TaskOutcome::Failed);
  EXPECT_NE(s.jobs().last_error().find("has no counterpart in B"), std::string::npos) << s.jobs().last_error();
  EXPECT_FALSE(s.against_report());
}

TEST(CompareAgainst, RenamedCopyBecomesBackendBMatchedByStructure) {
  Document doc;
  CompareSession s;
  doc.open_model(chain_model("a.mlpackage"));
  settle(doc, s);
  ir::Model renamed = chain_model("");
  ir::Function& f = renamed.functions[0];
  for (size_t o = 0; o < f.ops.size(); ++o) {
    f.ops[o].name = "n" + std::to_string(o);
    for (ir::ValueId v : f.ops[o].outputs)
      if (std::find(f.outputs().begin(), f.outputs().end(), v) == f.outputs().end()) f.values[static_cast<size_t>(v)].name = "v" + std::to_string(v);
  }
  const fs::path dir = test::scratch_dir("compare_against_renamed") / "b.mlpackage";
  fs::remove_all(dir);
  format::write_mlpackage(renamed, dir.string());
  ASSERT_TRUE(s.set_against(dir.string()));
  settle(doc, s);
  ASSERT_EQ(s.jobs().last_outcome(), TaskOutcome::Succeeded) << s.jobs().last_error();
  ASSERT_TRUE(s.against_report());
  const auto& r = *s.against_report();
  EXPECT_EQ(r.by_name + r.by_structure, r.a_compute_ops);
  EXPECT_GE(r.by_structure, r.a_compute_ops - 1);
  EXPECT_EQ(s.against_backend(), "B:fp32");
  bool selected = false;
  for (const auto& b : s.backends()) selected = selected || (b.spec.name == "B:fp32" && b.selected);
  EXPECT_TRUE(selected);
  // Weight histograms are computed on request, one weight at a time.
  ASSERT_FALSE(r.weights.empty());
  EXPECT_EQ(s.against_weight_histograms(r.weights.size()), nullptr) << "no such weight";
  const compare::WeightPairHistograms* h = s.against_weight_histograms(0);
  for (int i = 0; i < 2000 && !h; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    h = s.against_weight_histograms(0);
  }
  ASSERT_NE(h, nullptr);
  EXPECT_TRUE(h->ok()) << h->note;
  EXPECT_EQ(h->a_op, r.weights[0].a_op);
  EXPECT_TRUE(s.weight_histograms_idle());
  s.clear_against();
  EXPECT_FALSE(s.against_report());
  for (const auto& b : s.backends()) EXPECT_NE(b.spec.name, "B:fp32");
}
