// Blob shapes the reader derives for NeuralNetwork models (core/format/nn_shape_inference),
// checked two independent ways on every protobuf NN model of the corpus:
//  * the model's declared output shapes (written by the model's own converter), and
//  * the shapes the interpreter's kernels actually produce on a seeded input.
#include <gtest/gtest.h>

#include "core/io/input_files.h"
#include "core/exec/interpreter.h"
#include "core/format/open.h"
#include "support/test_paths.h"

namespace mlscope {
namespace {

std::vector<int64_t> without_leading_ones(std::vector<int64_t> d) {
  while (d.size() > 1 && d.front() == 1) d.erase(d.begin());
  return d;
}

/// Protobuf NeuralNetwork models (espresso bundles carry their own shapes and are not inferred).
std::vector<std::string> nn_models() {
  std::vector<std::string> out;
  for (const auto& c : test::corpus_cases()) {
    const std::string p = c.model.string();
    if (p.size() < 8 || p.substr(p.size() - 8) != ".mlmodel") continue;
    try {
      ir::Model m = format::open(p);
      if (!m.functions.empty() && m.functions[0].dialect == ir::Dialect::NeuralNetwork) out.push_back(p);
    } catch (const std::exception&) {
    }
  }
  return out;
}

TEST(NNShapeInference, DeclaredOutputShapesAreDerived) {
  MLSCOPE_REQUIRE_SHARED();
  int compared = 0;
  for (const std::string& path : nn_models()) {
    SCOPED_TRACE(path);
    ir::Model m = format::open(path);
    const ir::Function& f = m.functions[0];
    for (const auto& out : m.outputs) {
      std::vector<int64_t> declared = out.type.shape;
      if (out.type.kind == ir::FeatureType::Kind::Image) {
        const bool gray = out.type.color_space == 10 || out.type.color_space == 40;
        declared = {gray ? 1 : 3, out.type.image_height, out.type.image_width};
      } else if (out.type.kind != ir::FeatureType::Kind::MultiArray) {
        continue;
      }
      if (declared.empty()) continue;
      ir::ValueId v = ir::kNone;
      for (ir::ValueId b : f.outputs())
        if (f.value(b).name == out.name) v = b;
      if (v == ir::kNone || f.value(v).producer == ir::kNone) continue;
      const ir::Op& producer = f.op(f.value(v).producer);
      if (producer.type == "custom") {
        EXPECT_FALSE(f.value(v).type.is_tensor()) << "a custom layer's shape cannot be known";
        continue;
      }
      ASSERT_TRUE(f.value(v).type.is_tensor()) << out.name << " (" << producer.type << ") has no derived shape";
      EXPECT_EQ(without_leading_ones(declared), without_leading_ones(f.value(v).type.shape.dims)) << out.name;
      ++compared;
    }
  }
  EXPECT_GE(compared, 4) << "pose-cpm, pose-hourglass, hollance (image) and coremlit declare output shapes";
}

TEST(NNShapeInference, InterpreterProducesTheDerivedShapes) {
  MLSCOPE_REQUIRE_SHARED();
  int models = 0;
  for (const std::string& path : nn_models()) {
    ir::Model m = format::open(path);
    if (!exec::list_unsupported(m).empty()) continue;  // custom layers cannot run
    SCOPED_TRACE(path);
    const ir::Function& f = m.functions[0];
    exec::RunInputs inputs;
    for (ir::ValueId in : f.inputs) io::add_input_spec(m, f, f.value(in).name + "=random:7", inputs);
    exec::Interpreter interp(exec::NumericProfile::builtin("fp32"));
    exec::RunOptions opts;
    opts.keep_intermediates = true;
    exec::RunResult r = interp.run(m, inputs, opts);
    size_t checked = 0, typed = 0;
    for (const ir::Op& op : f.ops) {
      if (op.outputs.empty()) continue;
      const ir::Value& v = f.value(op.outputs[0]);
      if (!v.type.is_tensor()) continue;
      ++typed;
      auto it = r.intermediates.find(v.name);
      if (it == r.intermediates.end()) continue;
      const auto* t = std::get_if<exec::Tensor>(&it->second);
      ASSERT_NE(t, nullptr) << v.name;
      EXPECT_EQ(t->shape(), v.type.shape.dims) << op.type << " " << op.name;
      ++checked;
    }
    EXPECT_EQ(typed, f.ops.size()) << "every layer of a runnable model gets a shape";
    EXPECT_GT(checked, 0u);
    ++models;
  }
  EXPECT_GE(models, 4);
}

}  // namespace
}  // namespace mlscope
