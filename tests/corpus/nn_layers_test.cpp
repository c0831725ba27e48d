// NeuralNetwork specifics on corpus models, checked against their descriptions in
// ../shared/corpus/README.md and the layer schema's weight layouts (§9.3).
#include <gtest/gtest.h>

#include "core/format/open.h"
#include "support/test_paths.h"

namespace mlscope {
namespace {

ir::Model open_corpus(const std::string& rel) { return format::open((test::shared_dir() / rel).string()); }

const ir::Function& nn_function(const ir::Model& m) {
  EXPECT_EQ(1u, m.functions.size());
  EXPECT_EQ(ir::Dialect::NeuralNetwork, m.functions.at(0).dialect);
  return m.functions.at(0);
}

int64_t int_attr(const ir::Op& op, const char* name) {
  const ir::Constant* c = op.attribute_value(name);
  return c ? c->scalar_int().value_or(-1) : -1;
}

TEST(NeuralNetworkLayers, WeightsTakeTheSchemaLayouts) {
  MLSCOPE_REQUIRE_SHARED();
  for (const char* rel : {"corpus/mnist-cnn/mnistCNN.mlmodel", "corpus-gen/neuralnetwork_cnn/model.mlmodel"}) {
    SCOPED_TRACE(rel);
    ir::Model m = open_corpus(rel);
    const ir::Function& f = nn_function(m);
    int checked = 0;
    for (const auto& op : f.ops) {
      const ir::Constant* w = op.attribute_value("weights");
      if (op.type == "convolution") {
        ASSERT_NE(w, nullptr) << op.name;
        const ir::Constant* k = op.attribute_value("kernelSize");
        ASSERT_NE(k, nullptr);
        auto ks = k->to_ints();
        EXPECT_EQ((ir::Shape{int_attr(op, "outputChannels"), int_attr(op, "kernelChannels"), ks.at(0), ks.at(1)}), w->shape());
        ++checked;
      }
      if (op.type == "innerProduct") {
        ASSERT_NE(w, nullptr) << op.name;
        EXPECT_EQ((ir::Shape{int_attr(op, "outputChannels"), int_attr(op, "inputChannels")}), w->shape());
        EXPECT_EQ(ir::DType::Float32, w->dtype());  // both models store fp32 floatValue weights (§9.4 [C])
        ++checked;
      }
    }
    EXPECT_GT(checked, 0);
  }
}

TEST(NeuralNetworkLayers, ImageScalerPreprocessingIsKept) {
  MLSCOPE_REQUIRE_SHARED();
  ir::Model m = open_corpus("corpus/hollance-image2image/Image2Image.mlmodel");  // README: "scaler preprocessing"
  ASSERT_EQ(1u, m.preprocessing.size());
  ASSERT_EQ(1u, m.inputs.size());
  EXPECT_EQ(m.inputs[0].name, m.preprocessing[0].feature_name);
  EXPECT_EQ(256, m.inputs[0].type.image_width);
}

TEST(NeuralNetworkLayers, CustomLayerKeepsItsClassName) {
  MLSCOPE_REQUIRE_SHARED();
  ir::Model m = open_corpus("corpus/lstsq-custom-layer/test-model.mlmodel");
  const ir::Function& f = nn_function(m);
  int custom = 0;
  for (const auto& op : f.ops)
    if (op.type == "custom") {
      ++custom;
      const ir::Constant* cls = op.attribute_value("className");
      ASSERT_NE(cls, nullptr);
      EXPECT_NE(std::string::npos, cls->scalar_string().value_or("").find("lstsq"));
    }
  EXPECT_EQ(1, custom);
}

TEST(NeuralNetworkLayers, ClassifierHasLabelsAndNoOpGraphKindsHaveNotes) {
  MLSCOPE_REQUIRE_SHARED();
  ir::Model mnist = open_corpus("corpus/mnist-cnn/mnistCNN.mlmodel");
  EXPECT_EQ(10u, mnist.class_labels.size());  // MNIST digits
  ir::Model trees = open_corpus("corpus/improve-xgb-tree-ensemble/model_v8.mlmodel");
  EXPECT_TRUE(trees.functions.empty());
  ASSERT_EQ(1u, trees.notes.size());
  EXPECT_EQ("no op graph: treeEnsembleRegressor", trees.notes[0]);
}

}  // namespace
}  // namespace mlscope
