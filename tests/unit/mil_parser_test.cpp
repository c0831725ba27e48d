// MIL text parser: structure and every literal form of coreml-formats.md §8.3.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/unit/mil_test_util.h"

namespace mlscope::test {
namespace {

using ir::DType;

// coremltools' committed add_model.mlmodelc/model.mil (§8.1), verbatim.
const char* kAddModel = R"(program(1.0)
[buildInfo = dict<tensor<string, []>, tensor<string, []>>({{"coremlc-component-MIL", "3402.3.2"}, {"coremlc-version", "3402.4.1"}, {"coremltools-component-torch", "2.5.1"}, {"coremltools-source-dialect", "TorchScript"}, {"coremltools-version", "8.1"}})]
{
    func main<ios16>(tensor<fp16, [1, 10]> x, tensor<fp16, [1, 10]> y) {
            tensor<fp16, [1, 10]> var_3 = mul(x = x, y = y)[name = tensor<string, []>("op_3_cast_fp16")];
        } -> (var_3);
}
)";

/// The literal bound to `val` of the const op defining value `name`.
const ir::Constant& const_val(const ir::Model& m, const std::string& name) {
  const ir::Function& f = m.functions.at(0);
  ir::OpId o = f.find_op(name);
  EXPECT_NE(o, ir::kNone) << name;
  const ir::Constant* c = f.op(o).attribute_value("val");
  EXPECT_NE(c, nullptr) << name;
  return *c;
}

std::string const_stmt(const std::string& type, const std::string& name, const std::string& literal) {
  return "            " + type + " " + name + " = const()[name = string(\"" + name + "\"), val = " + literal + "];\n";
}

TEST(MilParser, AddModelStructure) {
  ir::Model m = parse_mil_text(kAddModel);
  EXPECT_EQ(m.program_version, 1);
  EXPECT_EQ(m.program_attributes.at("coremlc-version"), "3402.4.1");
  EXPECT_EQ(m.program_attributes.at("coremltools-source-dialect"), "TorchScript");
  ASSERT_EQ(m.functions.size(), 1u);
  const ir::Function& f = m.functions[0];
  EXPECT_EQ(f.name, "main");
  EXPECT_EQ(f.opset, "ios16");
  ASSERT_EQ(f.inputs.size(), 2u);
  EXPECT_EQ(f.value(f.inputs[1]).type, ir::Type::tensor(DType::Float16, ir::Shape{1, 10}));
  ASSERT_EQ(f.body_block().ops.size(), 1u);
  const ir::Op& op = f.op(f.body_block().ops[0]);
  EXPECT_EQ(op.type, "mul");
  EXPECT_EQ(op.name, "op_3_cast_fp16");
  EXPECT_TRUE(op.attributes.empty()) << "name must not stay an attribute";
  EXPECT_EQ(f.value(op.input("x")->bindings[0].value).name, "x");
  EXPECT_EQ(f.value(op.input("y")->bindings[0].value).name, "y");
  ASSERT_EQ(f.outputs().size(), 1u);
  EXPECT_EQ(f.value(f.outputs()[0]).name, "var_3");
  // rebuild_uses() ran: x is used once by the mul.
  EXPECT_EQ(f.value(f.inputs[0]).uses.size(), 1u);
}

TEST(MilParser, OldFormLiterals) {
  std::string body =
      const_stmt("tensor<string, []>", "s", "tensor<string, []>(\"valid\")") +
      const_stmt("tensor<int32, []>", "i", "tensor<int32, []>(1)") +
      const_stmt("tensor<bool, []>", "b", "tensor<bool, []>(true)") +
      const_stmt("tensor<fp16, []>", "h", "tensor<fp16, []>(0x1p-24)") +
      const_stmt("tensor<int32, [4]>", "v", "tensor<int32, [4]>([0, 0, 0, 64])") +
      const_stmt("tensor<bool, [2]>", "bv", "tensor<bool, [2]>([true, false])") +
      const_stmt("tensor<fp32, []>", "neg", "tensor<fp32, []>(-0x1.4p+3)") +
      const_stmt("tensor<fp32, [3]>", "hx", "tensor<fp32, [3]>([0x1.388p+13, 0x0p+0, 0x1.5798eep-27])") +
      const_stmt("tensor<uint64, []>", "u", "tensor<uint64, []>(18446744073709551615)") +
      const_stmt("tensor<int8, [2]>", "i8", "tensor<int8, [2]>([-128, 127])");
  ir::Model m = parse_mil_text(mil_program("", body, "s"));
  EXPECT_EQ(const_val(m, "s").scalar_string(), "valid");
  EXPECT_EQ(const_val(m, "i").scalar_int(), 1);
  EXPECT_EQ(const_val(m, "b").scalar_bool(), true);
  EXPECT_EQ(const_val(m, "h").scalar_float(), std::ldexp(1.0, -24));  // smallest fp16 subnormal, exact
  EXPECT_EQ(const_val(m, "v").to_ints(), (std::vector<int64_t>{0, 0, 0, 64}));
  EXPECT_EQ(const_val(m, "bv").to_ints(), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(const_val(m, "neg").scalar_float(), -10.0);
  auto hx = const_val(m, "hx").to_doubles();
  EXPECT_EQ(hx[0], 10000.0);
  EXPECT_EQ(hx[1], 0.0);
  EXPECT_EQ(hx[2], static_cast<double>(static_cast<float>(std::ldexp(0x1.5798eep0, -27))));
  const auto& u = const_val(m, "u");
  EXPECT_EQ(u.raw().size(), 8u);
  EXPECT_EQ(static_cast<uint64_t>(u.to_ints()[0]), UINT64_MAX);
  EXPECT_EQ(const_val(m, "i8").to_ints(), (std::vector<int64_t>{-128, 127}));
}

TEST(MilParser, NewFormLiteralsAndIos18Header) {
  std::string body = const_stmt("string", "s", "string(\"valid\")") + const_stmt("int32", "i", "int32(-7)") +
                     const_stmt("bool", "b", "bool(false)") + const_stmt("fp16", "h", "fp16(0x1p-3)") +
                     "            tensor<fp16, [2]> y = mul(x = x, y = h)[name = string(\"m\")];\n";
  std::string text = "program(1.3)\n[buildInfo = dict<string, string>({{\"coremltools-version\", \"8.3.0\"}})]\n{\n"
                     "    func main<ios18>(tensor<fp16, [2]> x) {\n" + body + "        } -> (y);\n}\n";
  ir::Model m = parse_mil_text(text);
  EXPECT_EQ(m.program_attributes.at("coremltools-version"), "8.3.0");
  EXPECT_EQ(m.functions[0].opset, "ios18");
  EXPECT_EQ(const_val(m, "s").type, ir::Type::scalar(DType::String));
  EXPECT_EQ(const_val(m, "i").scalar_int(), -7);
  EXPECT_EQ(const_val(m, "b").scalar_bool(), false);
  EXPECT_EQ(const_val(m, "h").scalar_float(), 0.125);
  EXPECT_EQ(const_val(m, "h").type, ir::Type::scalar(DType::Float16));
  const ir::Function& f = m.functions[0];
  EXPECT_EQ(f.op(f.find_op("m")).type, "mul");
}

TEST(MilParser, DecimalInfNanAndSubByteLiterals) {
  std::string body =
      const_stmt("tensor<fp32, [4]>", "d", "tensor<fp32, [4]>([1.5, -2.5e-1, inf, -inf])") +
      const_stmt("tensor<fp32, []>", "n", "tensor<fp32, []>(nan)") +
      const_stmt("tensor<uint4, [3]>", "u4", "tensor<uint4, [3]>([1, 15, 2])") +
      const_stmt("tensor<int4, [2]>", "i4", "tensor<int4, [2]>([-8, 7])") +
      const_stmt("tensor<uint1, [9]>", "bits", "tensor<uint1, [9]>([1, 0, 0, 0, 0, 0, 0, 1, 1])");
  ir::Model m = parse_mil_text(mil_program("", body, "d"));
  auto d = const_val(m, "d").to_doubles();
  EXPECT_EQ(d[0], 1.5);
  EXPECT_EQ(d[1], -0.25);
  EXPECT_TRUE(std::isinf(d[2]) && d[2] > 0);
  EXPECT_TRUE(std::isinf(d[3]) && d[3] < 0);
  EXPECT_TRUE(std::isnan(*const_val(m, "n").scalar_float()));
  // Sub-byte tensors are packed LSB-first (§6.5): 1 | 15<<4, then 2.
  EXPECT_EQ(const_val(m, "u4").bytes, (std::vector<uint8_t>{0xF1, 0x02}));
  EXPECT_EQ(const_val(m, "i4").to_ints(), (std::vector<int64_t>{-8, 7}));
  EXPECT_EQ(const_val(m, "bits").bytes, (std::vector<uint8_t>{0x81, 0x01}));
}

TEST(MilParser, NestedAndFlatRank2LiteralsAgree) {
  std::string body = const_stmt("tensor<int32, [2, 3]>", "nested", "tensor<int32, [2, 3]>([[1, 2, 3], [4, 5, 6]])") +
                     const_stmt("tensor<int32, [2, 3]>", "flat", "tensor<int32, [2, 3]>([1, 2, 3, 4, 5, 6])") +
                     const_stmt("tensor<string, [2]>", "strs", "tensor<string, [2]>([\"a\\\"b\", \"c\\\\d\\n\"])");
  ir::Model m = parse_mil_text(mil_program("", body, "nested"));
  EXPECT_EQ(const_val(m, "nested").bytes, const_val(m, "flat").bytes);
  EXPECT_EQ(const_val(m, "nested").to_ints(), (std::vector<int64_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(const_val(m, "strs").strings, (std::vector<std::string>{"a\"b", "c\\d\n"}));
}

TEST(MilParser, MultiResultVariadicAndLiteralBindings) {
  std::string body =
      "            tensor<fp32, [1, 1, 4]> o_0, tensor<fp32, [1, 4]> o_1, tensor<fp32, [1, 4]> o_2 = lstm(x = x)[name = tensor<string, []>(\"l\")];\n"
      "            tensor<fp32, [1, 12]> c = concat(axis = tensor<int32, []>(1), interleave = tensor<bool, []>(false), values = (o_1, o_2, o_1))[name = tensor<string, []>(\"c\")];\n"
      "            (tensor<fp32, [1, 4]> p, tensor<fp32, [1, 4]> q) = split(x = o_1);\n";
  ir::Model m = parse_mil_text(mil_program("tensor<fp32, [1, 1, 4]> x", body, "c, o_0, p"));
  const ir::Function& f = m.functions[0];
  const ir::Op& lstm = f.op(f.find_op("l"));
  ASSERT_EQ(lstm.outputs.size(), 3u);
  EXPECT_EQ(f.value(lstm.outputs[2]).name, "o_2");
  EXPECT_EQ(f.value(lstm.outputs[0]).type.shape, (ir::Shape{1, 1, 4}));
  const ir::Op& cat = f.op(f.find_op("c"));
  const ir::NamedInput* values = cat.input("values");
  ASSERT_NE(values, nullptr);
  ASSERT_EQ(values->bindings.size(), 3u);
  EXPECT_EQ(f.value(values->bindings[1].value).name, "o_2");
  ASSERT_TRUE(cat.input("axis")->bindings[0].is_literal());
  EXPECT_EQ(cat.input("axis")->bindings[0].literal->scalar_int(), 1);
  const ir::Op& split = f.op(f.find_op("p"));
  EXPECT_EQ(split.type, "split");
  EXPECT_EQ(split.name, "") << "no attribute list: no name";
  EXPECT_EQ(f.outputs().size(), 3u);
  EXPECT_EQ(f.value(f.find_value("o_1")).uses.size(), 3u);  // two concat bindings + split
}

TEST(MilParser, ConstexprParametersInAttributeList) {
  std::string body =
      "            tensor<fp16, [2, 2]> w = constexpr_lut_to_dense()[indices = tensor<uint8, [1]>([228]), "
      "lut = tensor<fp16, [4]>([0x1p+0, 0x1p+1, 0x1.8p+1, 0x1p+2]), name = tensor<string, []>(\"w\"), "
      "shape = tensor<uint32, [2]>([2, 2])];\n";
  ir::Model m = parse_mil_text(mil_program("", body, "w"));
  const ir::Op& op = m.functions[0].op(0);
  EXPECT_EQ(op.type, "constexpr_lut_to_dense");
  EXPECT_TRUE(op.is_constexpr());
  EXPECT_TRUE(op.inputs.empty());
  EXPECT_EQ(op.name, "w");
  ASSERT_EQ(op.attributes.size(), 3u);
  EXPECT_EQ(op.attribute_value("shape")->to_ints(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(op.attribute_value("shape")->dtype(), DType::UInt32);
  EXPECT_EQ(op.attribute_value("lut")->to_floats(), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(op.attribute_value("name"), nullptr);
}

TEST(MilParser, StatesUnknownDimsAndContainerTypes) {
  std::string body =
      "            tensor<fp16, [1, 4]> r = read_state(input = k_cache)[name = string(\"r\")];\n"
      "            tensor<fp32, [?, 3]> y = relu(x = x)[name = string(\"y\")];\n"
      "            list<tensor<fp32, [3]>, ?> l = make_list(elem_shape = (tensor<int32, []>(3)))[name = string(\"l\")];\n"
      "            tuple<int32, fp32> t = const()[name = string(\"t\"), val = tuple<int32, fp32>([1, 0x1p-1])];\n"
      "            tensor<fp32, [*]> z = identity(x = y);\n";
  ir::Model m = parse_mil_text(
      mil_program("state<tensor<fp16, [1, 4]>> k_cache, tensor<fp32, [is0, 3]> x", body, "r, y, l, t, z", "ios18"));
  const ir::Function& f = m.functions[0];
  const ir::Type& st = f.value(f.inputs[0]).type;
  EXPECT_EQ(st.kind, ir::Type::Kind::State);
  EXPECT_EQ(st.elements[0], ir::Type::tensor(DType::Float16, ir::Shape{1, 4}));
  EXPECT_EQ(f.value(f.inputs[1]).type.shape, (ir::Shape{ir::kUnknownDim, 3}));
  EXPECT_EQ(f.value(f.find_value("y")).type.shape, (ir::Shape{ir::kUnknownDim, 3}));
  EXPECT_EQ(f.value(f.find_value("l")).type.kind, ir::Type::Kind::List);
  EXPECT_TRUE(f.value(f.find_value("z")).type.shape.unknown_rank);
  const ir::Constant& t = *f.op(f.find_op("t")).attribute_value("val");
  ASSERT_EQ(t.elements.size(), 2u);
  EXPECT_EQ(t.elements[0].scalar_int(), 1);
  EXPECT_EQ(t.elements[1].scalar_float(), 0.5);
}

TEST(MilParser, NestedBlocksWhileLoopAndCond) {
  std::string body =
      "            tensor<int32, []> i0 = const()[name = string(\"i0\"), val = int32(0)];\n"
      "            tensor<int32, []> out = while_loop(loop_vars = (i0))[name = string(\"loop\")] (tensor<int32, []> i) {\n"
      "                tensor<bool, []> c = less(x = i, y = n)[name = string(\"less\")];\n"
      "            } -> (c) (tensor<int32, []> j) {\n"
      "                tensor<int32, []> k = add(x = j, y = n)[name = string(\"inc\")];\n"
      "            } -> (k);\n"
      "            tensor<int32, []> sel = cond(pred = p)[name = string(\"if\")] {\n"
      "                tensor<int32, []> a = identity(x = out);\n"
      "            } -> (a) {\n"
      "            } -> (n);\n";
  ir::Model m = parse_mil_text(mil_program("tensor<int32, []> n, tensor<bool, []> p", body, "sel"));
  const ir::Function& f = m.functions[0];
  const ir::Op& loop = f.op(f.find_op("loop"));
  ASSERT_EQ(loop.blocks.size(), 2u);
  const ir::Block& cond_block = f.block(loop.blocks[0]);
  EXPECT_EQ(cond_block.inputs.size(), 1u);
  EXPECT_EQ(f.value(cond_block.outputs[0]).name, "c");
  EXPECT_EQ(f.block_path(loop.blocks[1]), "loop/block1");
  // The body sees the function parameter n (lexical scope).
  const ir::Op& inc = f.op(f.find_op("inc"));
  EXPECT_EQ(f.value(inc.input("y")->bindings[0].value).name, "n");
  EXPECT_EQ(inc.parent, loop.blocks[1]);
  const ir::Op& iff = f.op(f.find_op("if"));
  ASSERT_EQ(iff.blocks.size(), 2u);
  EXPECT_EQ(f.block(iff.blocks[1]).ops.size(), 0u);
  EXPECT_EQ(m.op_counts().at("while_loop"), 1);
  EXPECT_EQ(m.op_counts().at("identity"), 1);
  // Walk order: nested ops right after their parent.
  auto order = f.program_order();
  EXPECT_EQ(f.op(order[2]).name, "less");
}

TEST(MilParser, NamesInsideNestedBlocksAreNotVisibleOutside) {
  std::string body =
      "            tensor<int32, []> sel = cond(pred = p)[name = string(\"if\")] {\n"
      "                tensor<int32, []> a = identity(x = n);\n"
      "            } -> (a) {\n"
      "            } -> (n);\n"
      "            tensor<int32, []> b = identity(x = a)[name = string(\"after\")];\n";
  expect_mil_error(mil_program("tensor<int32, []> n, tensor<bool, []> p", body, "b"), 8, 48, "undefined value 'a'");
}

TEST(MilParser, MultipleFunctionsAndDictLiteral) {
  std::string text =
      "program(1.0)\n{\n"
      "    func a<ios17>(tensor<fp32, [1]> x) {\n"
      "            dict<tensor<string, []>, tensor<int32, []>> d = const()[name = tensor<string, []>(\"d\"), "
      "val = dict<tensor<string, []>, tensor<int32, []>>({{\"one\", 1}, {\"two\", 2}})];\n"
      "        } -> (x);\n"
      "    func b<ios17>(tensor<fp32, [1]> x) {\n"
      "        } -> (x);\n}\n";
  ir::Model m = parse_mil_text(text);
  ASSERT_EQ(m.functions.size(), 2u);
  EXPECT_EQ(m.functions[1].name, "b");
  const ir::Constant& d = *m.functions[0].op(0).attribute_value("val");
  ASSERT_EQ(d.elements.size(), 4u);
  EXPECT_EQ(d.elements[2].scalar_string(), "two");
  EXPECT_EQ(d.elements[3].scalar_int(), 2);
}

}  // namespace
}  // namespace mlscope::test
