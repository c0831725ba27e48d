// session::Document without a window: pipeline sub-model switching, collapse / expand of
// control-flow ops and the per-op analysis, on models built in code; what a failed open leaves.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/support/ir_builders.h"
#include "core/session/document.h"

using namespace mlscope;
using namespace mlscope::session;

namespace {

ir::Model program_model(ir::Function f) {
  ir::Model m;
  m.kind = "mlProgram";
  m.functions.push_back(std::move(f));
  return m;
}

// A pipeline whose two members are ML programs: [0] has a cond, [1] is a 3-block chain.
ir::Model pipeline_model() {
  ir::Model root;
  root.path = "pipeline.mlmodel";
  root.kind = "pipeline";
  root.submodel_names = {"with_cond", "chain"};
  root.submodels.push_back(program_model(fixtures::program_with_cond()));
  root.submodels.push_back(program_model(fixtures::chain_program(3)));
  return root;
}

void wait_idle(Document& doc) {
  for (int i = 0; i < 2000 && doc.busy(); ++i) {
    doc.poll();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  doc.poll();
  ASSERT_FALSE(doc.busy());
  ASSERT_FALSE(doc.error()) << doc.error()->message;
}

}  // namespace

TEST(Document, PipelineSubModelsAreShownOneAtATime) {
  Document doc;
  doc.open_model(pipeline_model());
  wait_idle(doc);
  const ModelSnapshot* s = doc.snapshot();
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->model->functions.empty());
  EXPECT_EQ(s->root->submodels.size(), 2u);

  doc.select_submodel({1});
  wait_idle(doc);
  s = doc.snapshot();
  EXPECT_EQ(s->submodel_path, std::vector<int>{1});
  EXPECT_EQ(s->model.get(), &s->root->submodels[1]);
  ASSERT_EQ(s->layouts.size(), 1u);
  // chain_program(3): 3 × (linear, relu, add, mul) + input + output nodes, constants folded.
  EXPECT_EQ(s->layouts[0].nodes.size(), 14u);
  ASSERT_EQ(s->analysis.size(), 1u);
  EXPECT_EQ(s->analysis[0].lineage.size(), s->model->functions[0].ops.size());
  EXPECT_EQ(s->analysis[0].cost.size(), s->model->functions[0].ops.size());
  EXPECT_TRUE(s->placement.has_value());
  EXPECT_EQ(doc.path(), "pipeline.mlmodel");

  doc.select_submodel({});
  wait_idle(doc);
  EXPECT_TRUE(doc.snapshot()->model->functions.empty());
}

TEST(Document, CollapseAndExpandControlFlowOp) {
  Document doc;
  doc.open_model(pipeline_model());
  wait_idle(doc);
  doc.select_submodel({0});
  wait_idle(doc);
  const ir::Function& fn = doc.snapshot()->model->functions[0];
  const ir::OpId cond = fn.find_op("cond_0");
  ASSERT_NE(cond, ir::kNone);
  const size_t open_nodes = doc.snapshot()->layouts[0].nodes.size();
  EXPECT_EQ(doc.snapshot()->layouts[0].groups.size(), 2u);

  doc.select(0, cond);
  doc.set_collapsed(0, cond, true);
  wait_idle(doc);
  EXPECT_TRUE(doc.is_collapsed(0, cond));
  const auto& g = doc.snapshot()->layouts[0];
  EXPECT_TRUE(g.groups.empty());
  EXPECT_LT(g.nodes.size(), open_nodes);
  ASSERT_GE(g.node_for_op(cond), 0);
  EXPECT_TRUE(g.nodes[static_cast<size_t>(g.node_for_op(cond))].collapsed);
  EXPECT_EQ(doc.selection().op, cond);  // a re-layout keeps the selection
  // Other derived data is reused, not recomputed away.
  EXPECT_EQ(doc.snapshot()->analysis.size(), 1u);

  doc.set_collapsed(0, cond, false);
  wait_idle(doc);
  EXPECT_FALSE(doc.is_collapsed(0, cond));
  EXPECT_EQ(doc.snapshot()->layouts[0].nodes.size(), open_nodes);
}

TEST(Document, AFailedOpenKeepsTheModelAndSaysWhere) {
  Document doc;
  doc.open_model(pipeline_model());
  wait_idle(doc);
  const ModelSnapshot* before = doc.snapshot();
  doc.open("/nonexistent/dir/model.mlpackage");
  EXPECT_TRUE(doc.busy());
  EXPECT_EQ(doc.pending_path(), "/nonexistent/dir/model.mlpackage");
  doc.wait();
  EXPECT_FALSE(doc.busy());
  ASSERT_TRUE(doc.error());
  EXPECT_EQ(doc.error()->path, "/nonexistent/dir/model.mlpackage");
  EXPECT_NE(doc.error()->where.find("model.mlpackage"), std::string::npos) << doc.error()->where;
  EXPECT_EQ(doc.snapshot(), before);  // the previous model stays open
  EXPECT_EQ(doc.path(), "pipeline.mlmodel");
}

TEST(Document, AnOpenReplacesTheOneStillRunning) {
  Document doc;
  doc.open("/nonexistent/first.mlmodel");
  doc.open_model(pipeline_model());  // the first job is abandoned: never published
  wait_idle(doc);
  EXPECT_FALSE(doc.error());
  EXPECT_EQ(doc.path(), "pipeline.mlmodel");
  EXPECT_EQ(doc.generation(), 1u);
}
