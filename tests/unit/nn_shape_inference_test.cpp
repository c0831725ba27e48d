// NN blob-shape rules not exercised by the corpus models, against the output sizes the
// NeuralNetwork spec's formulas give when worked by hand.
#include <gtest/gtest.h>

#include "core/format/nn_shape_inference.h"
#include "placement_ir_builder.h"

namespace mlscope {
namespace {

using Dims = std::vector<int64_t>;

struct NNGraph {
  test::PlacementIr ir{ir::Dialect::NeuralNetwork};

  ir::ValueId input(Dims shape) { return ir.input("x", ir::Type::tensor(ir::DType::Float32, ir::Shape(shape))); }
  ir::ValueId layer(const std::string& type, std::vector<ir::ValueId> in,
                    std::vector<std::pair<std::string, std::vector<int64_t>>> attrs) {
    ir::ValueId v = ir.op(type, type + std::to_string(ir.fn().ops.size()), {}, ir::Type{});
    ir::Op& op = ir.fn().ops.back();
    ir::NamedInput ni;
    ni.name = "input";
    for (ir::ValueId x : in) ni.bindings.push_back({x, nullptr});
    op.inputs.push_back(ni);
    for (auto& [name, values] : attrs) {
      ir::Constant c = values.size() == 1 ? ir::Constant::from_ints(values, ir::Shape{})
                                          : ir::Constant::from_ints(values, ir::Shape{int64_t(values.size())});
      op.attributes.push_back({name, std::make_shared<const ir::Constant>(std::move(c))});
    }
    return v;
  }
  Dims shape_of(ir::ValueId v) {
    format::infer_nn_blob_types(ir.fn());
    const ir::Type& t = ir.fn().value(v).type;
    return t.is_tensor() ? t.shape.dims : Dims{-99};
  }
};

TEST(NNShapeRules, ValidConvolutionWithPaddingStrideAndDilation) {
  NNGraph g;
  ir::ValueId x = g.input({1, 3, 32, 30});
  // H: (32 + 1 + 1 - (2*(3-1)+1)) / 2 + 1 = 15; W: (30 + 0 - 5) / 2 + 1 = 13
  ir::ValueId y = g.layer("convolution", {x},
                          {{"outputChannels", {8}}, {"kernelChannels", {3}}, {"kernelSize", {3, 3}}, {"stride", {2, 2}},
                           {"dilationFactor", {2, 2}}, {"valid.paddingAmounts.borderAmounts.0.startEdgeSize", {1}},
                           {"valid.paddingAmounts.borderAmounts.0.endEdgeSize", {1}}});
  EXPECT_EQ((Dims{1, 8, 15, 13}), g.shape_of(y));
}

TEST(NNShapeRules, SameConvolutionAndDeconvolution) {
  NNGraph g;
  ir::ValueId x = g.input({4, 9, 9});  // rank-3 [C, H, W] blob stays rank 3
  ir::ValueId same = g.layer("convolution", {x}, {{"outputChannels", {6}}, {"kernelSize", {3, 3}}, {"stride", {2, 2}}, {"same.asymmetryMode", {0}}});
  // deconvolution, valid: (9 - 1) * 2 + (3 - 1) + 1 = 19
  ir::ValueId deconv = g.layer("convolution", {x}, {{"outputChannels", {5}}, {"kernelSize", {3, 3}}, {"stride", {2, 2}}, {"isDeconvolution", {1}}});
  ir::ValueId explicit_out = g.layer("convolution", {x}, {{"outputChannels", {5}}, {"kernelSize", {3, 3}}, {"stride", {2, 2}},
                                                          {"isDeconvolution", {1}}, {"outputShape", {18, 18}}});
  EXPECT_EQ((Dims{6, 5, 5}), g.shape_of(same));  // ceil(9 / 2)
  EXPECT_EQ((Dims{5, 19, 19}), g.shape_of(deconv));
  EXPECT_EQ((Dims{5, 18, 18}), g.shape_of(explicit_out));
}

TEST(NNShapeRules, PoolingModes) {
  NNGraph g;
  ir::ValueId x = g.input({1, 2, 7, 7});
  ir::ValueId valid = g.layer("pooling", {x}, {{"kernelSize", {2, 2}}, {"stride", {2, 2}}});
  ir::ValueId last_pixel = g.layer("pooling", {x}, {{"kernelSize", {2, 2}}, {"stride", {2, 2}}, {"includeLastPixel.paddingAmounts", {0, 0}}});
  ir::ValueId global = g.layer("pooling", {x}, {{"globalPooling", {1}}});
  EXPECT_EQ((Dims{1, 2, 3, 3}), g.shape_of(valid));       // floor((7 - 2) / 2) + 1
  EXPECT_EQ((Dims{1, 2, 4, 4}), g.shape_of(last_pixel));  // ceil((7 - 2) / 2) + 1
  EXPECT_EQ((Dims{1, 2, 1, 1}), g.shape_of(global));
}

TEST(NNShapeRules, FlattenInnerProductConcatAndBroadcastAdd) {
  NNGraph g;
  ir::ValueId x = g.input({1, 4, 3, 2});
  ir::ValueId flat = g.layer("flatten", {x}, {});
  ir::ValueId fc = g.layer("innerProduct", {flat}, {{"inputChannels", {24}}, {"outputChannels", {10}}});
  ir::ValueId cat = g.layer("concat", {x, x}, {});
  ir::ValueId sum = g.layer("add", {x, fc}, {});  // [1,4,3,2] + [1,10,1,1] does not broadcast
  EXPECT_EQ((Dims{1, 24, 1, 1}), g.shape_of(flat));
  EXPECT_EQ((Dims{1, 10, 1, 1}), g.shape_of(fc));
  EXPECT_EQ((Dims{1, 8, 3, 2}), g.shape_of(cat));
  EXPECT_EQ((Dims{-99}), g.shape_of(sum)) << "incompatible shapes stay unknown rather than guessed";
}

TEST(NNShapeRules, UnknownLayerLeavesItsUsersUnknown) {
  NNGraph g;
  ir::ValueId x = g.input({1, 4, 3, 2});
  ir::ValueId custom = g.layer("custom", {x}, {});
  ir::ValueId after = g.layer("activation", {custom}, {});
  ir::ValueId permuted = g.layer("permute", {x}, {{"axis", {0, 2, 3, 1}}});
  EXPECT_EQ((Dims{-99}), g.shape_of(custom));
  EXPECT_EQ((Dims{-99}), g.shape_of(after));
  EXPECT_EQ((Dims{1, 3, 2, 4}), g.shape_of(permuted));
}

TEST(NNShapeRules, DynamicDimensionsPropagateAsUnknown) {
  NNGraph g;
  ir::ValueId x = g.input({ir::kUnknownDim, 3, 16, 16});
  ir::ValueId y = g.layer("convolution", {x}, {{"outputChannels", {8}}, {"kernelSize", {3, 3}}, {"stride", {1, 1}}});
  EXPECT_EQ((Dims{ir::kUnknownDim, 8, 14, 14}), g.shape_of(y));
}

TEST(NNShapeRules, LstmLayersInEveryInputRank) {
  NNGraph g;
  const std::vector<std::pair<std::string, std::vector<int64_t>>> seq = {{"inputVectorSize", {3}}, {"outputVectorSize", {4}}, {"params.sequenceOutput", {1}}};
  const std::vector<std::pair<std::string, std::vector<int64_t>>> last = {{"inputVectorSize", {3}}, {"outputVectorSize", {4}}};
  ir::ValueId x5 = g.input({7, 2, 3, 1, 1});
  ir::ValueId uni_seq = g.layer("uniDirectionalLSTM", {x5}, seq);
  ir::ValueId uni_last = g.layer("uniDirectionalLSTM", {x5}, last);
  ir::ValueId bi_seq = g.layer("biDirectionalLSTM", {x5}, seq);
  EXPECT_EQ((Dims{7, 2, 4, 1, 1}), g.shape_of(uni_seq));
  EXPECT_EQ((Dims{1, 2, 4, 1, 1}), g.shape_of(uni_last));
  EXPECT_EQ((Dims{7, 2, 8, 1, 1}), g.shape_of(bi_seq));

  NNGraph low;
  ir::ValueId x1 = low.input({3});
  EXPECT_EQ((Dims{4}), low.shape_of(low.layer("uniDirectionalLSTM", {x1}, seq)));
  NNGraph two;
  ir::ValueId x2 = two.input({6, 3});  // read as [Seq, C]
  EXPECT_EQ((Dims{6, 4}), two.shape_of(two.layer("uniDirectionalLSTM", {x2}, seq)));
  NNGraph four;
  ir::ValueId x4 = four.input({5, 3, 1, 1});  // [Batch, C, H, W]
  EXPECT_EQ((Dims{5, 8, 1, 1}), four.shape_of(four.layer("biDirectionalLSTM", {x4}, last)));

  NNGraph bad;
  ir::ValueId xb = bad.input({7, 2, 5, 1, 1});  // 5 features, inputVectorSize 3
  EXPECT_EQ((Dims{-99}), bad.shape_of(bad.layer("uniDirectionalLSTM", {xb}, seq)));
  NNGraph dyn;
  ir::ValueId xd = dyn.input({ir::kUnknownDim, 1, 3, 1, 1});
  EXPECT_EQ((Dims{ir::kUnknownDim, 1, 4, 1, 1}), dyn.shape_of(dyn.layer("uniDirectionalLSTM", {xd}, seq)));
}

}  // namespace
}  // namespace mlscope
