// MIL printer: compiler-style text, and print -> parse gives back the same IR (built in code).
#include <gtest/gtest.h>

#include <cstring>
#include <sstream>

#include "core/format/mil_printer.h"
#include "support/ir_compare.h"
#include "support/sample_program.h"
#include "tests/unit/mil_test_util.h"

namespace mlscope::test {
namespace {

using ir::Constant;
using ir::DType;
using ir::Shape;
using ir::Type;

std::shared_ptr<const Constant> lit(Constant c) { return std::make_shared<const Constant>(std::move(c)); }

struct Builder {
  ir::Function& f;
  ir::BlockId block;
  ir::ValueId constant(const std::string& name, Constant c) {
    ir::Op op;
    op.type = "const";
    op.name = name;
    Type t = c.type;
    op.attributes.push_back({"val", lit(std::move(c))});
    op.outputs.push_back(f.add_value(name, t, block));
    f.add_op(block, std::move(op));
    return f.ops.back().outputs[0];
  }
  ir::OpId op(const std::string& type, const std::string& name, std::vector<ir::NamedInput> inputs,
              std::vector<std::pair<std::string, Type>> outs) {
    ir::Op o;
    o.type = type;
    o.name = name;
    o.inputs = std::move(inputs);
    for (auto& [n, t] : outs) o.outputs.push_back(f.add_value(n, t, block));
    return f.add_op(block, std::move(o));
  }
};

ir::NamedInput by_name(const std::string& param, std::vector<ir::ValueId> vs) {
  ir::NamedInput in{param, {}};
  for (auto v : vs) in.bindings.push_back({v, nullptr});
  return in;
}

Constant dict_constant() {
  Constant d;
  d.type = Type::dict(Type::scalar(DType::String), Type::scalar(DType::Int32));
  for (int i = 0; i < 2; ++i) {
    d.elements.push_back(Constant::from_string(i ? "b\"q" : "a"));
    d.elements.push_back(Constant::from_ints({i + 40}, Shape{}));
  }
  return d;
}

/// A program touching every printable construct.
ir::Model build_model(const std::string& opset) {
  ir::Model m;
  m.kind = "mlProgram";
  m.program_version = 1;
  m.program_attributes = {{"coremltools-version", "8.3.0"}, {"weird key", "tab\there"}};
  m.functions.emplace_back();
  ir::Function& f = m.functions.back();
  f.name = "main";
  f.opset = opset;
  ir::BlockId body = f.add_block(ir::kNone);
  f.specializations.push_back({opset, body});
  auto param = [&](const std::string& n, Type t) {
    ir::ValueId v = f.add_value(n, std::move(t), body);
    f.inputs.push_back(v);
    return v;
  };
  ir::ValueId x = param("x", Type::tensor(DType::Float16, Shape{1, 4}));
  ir::ValueId k = param("k_cache", Type::state(Type::tensor(DType::Float16, Shape{1, 4})));
  ir::ValueId n = param("n", Type::scalar(DType::Int32));
  param("dyn", Type::tensor(DType::Float32, Shape{ir::kUnknownDim, 3}));

  Builder b{f, body};
  b.constant("h", Constant::from_floats({1.5f, -0.25f, 65504.0f, 5.9604645e-8f}, Shape{4}, DType::Float16));
  b.constant("f32", Constant::from_floats({0.1f, -3.4e38f, 1e-45f, 0.0f, -0.0f, 1.0f / 3.0f}, Shape{2, 3}));
  Constant f64;
  f64.type = Type::scalar(DType::Float64);
  f64.bytes.resize(8);
  double tenth = 0.1;
  std::memcpy(f64.bytes.data(), &tenth, 8);
  b.constant("f64", f64);
  b.constant("i8", Constant::from_ints({-128, 0, 1, 127, -5, 6}, Shape{3, 2}, DType::Int8));
  b.constant("u4", Constant::from_ints({0, 15, 7, 8, 1}, Shape{5}, DType::UInt4));
  b.constant("i4", Constant::from_ints({-8, 7, -1}, Shape{3}, DType::Int4));
  b.constant("u64", Constant::from_ints({static_cast<int64_t>(UINT64_MAX)}, Shape{}, DType::UInt64));
  b.constant("i64", Constant::from_ints({INT64_MIN}, Shape{1}, DType::Int64));
  b.constant("flag", Constant::from_bool(true));
  b.constant("empty", Constant::from_ints({}, Shape{0}));
  Constant strs;
  strs.type = Type::tensor(DType::String, Shape{2, 1});
  strs.strings = {"quote\" back\\slash", "new\nline"};
  b.constant("strs", strs);
  b.constant("table", dict_constant());

  // multi-output op with a literal binding and an extra attribute
  ir::NamedInput hidden{"hidden", {{ir::kNone, lit(Constant::from_floats({0, 1, 2, 3}, Shape{1, 4}, DType::Float16))}}};
  ir::OpId l = b.op("lstm", "lstm_0", {by_name("x", {x}), hidden},
                    {{"o0", Type::tensor(DType::Float16, Shape{1, 4})}, {"o1", Type::tensor(DType::Float16, Shape{1, 4})}});
  f.ops[static_cast<size_t>(l)].attributes.push_back({"direction", lit(Constant::from_string("forward"))});
  ir::ValueId o0 = f.ops[static_cast<size_t>(l)].outputs[0];
  ir::ValueId o1 = f.ops[static_cast<size_t>(l)].outputs[1];
  // variadic mixing names and a literal; op without a debug name
  ir::NamedInput values = by_name("values", {o0, o1});
  values.bindings.push_back({ir::kNone, lit(Constant::from_floats({9, 9, 9, 9}, Shape{1, 4}, DType::Float16))});
  b.op("concat", "", {values, {"axis", {{ir::kNone, lit(Constant::from_ints({0}, Shape{}))}}}},
       {{"cat", Type::tensor(DType::Float16, Shape{3, 4})}});
  ir::OpId rs = b.op("read_state", "rs", {by_name("input", {k})}, {{"kv", Type::tensor(DType::Float16, Shape{1, 4})}});
  (void)rs;
  b.op("write_state", "ws", {by_name("data", {x}), by_name("input", {k})}, {});
  // constexpr with its parameters as attributes (iOS16/17 form)
  ir::OpId cx = b.op("constexpr_lut_to_dense", "w", {}, {{"w", Type::tensor(DType::Float16, Shape{2, 2})}});
  f.ops[static_cast<size_t>(cx)].attributes = {
      {"indices", lit(Constant::from_ints({228}, Shape{1}, DType::UInt8))},
      {"lut", lit(Constant::from_floats({1, 2, 3, 4}, Shape{4}, DType::Float16))},
      {"shape", lit(Constant::from_ints({2, 2}, Shape{2}, DType::UInt32))}};

  // while_loop: condition block and body block with inputs, seeing n from the outer scope
  ir::OpId loop = b.op("while_loop", "loop", {by_name("loop_vars", {n})}, {{"final", Type::scalar(DType::Int32)}});
  ir::BlockId cond_b = f.add_block(loop);
  ir::ValueId ci = f.add_value("ci", Type::scalar(DType::Int32), cond_b);
  f.blocks[static_cast<size_t>(cond_b)].inputs.push_back(ci);
  Builder cb{f, cond_b};
  ir::OpId less = cb.op("less", "less_0", {by_name("x", {ci}), by_name("y", {n})}, {{"c", Type::scalar(DType::Bool)}});
  f.blocks[static_cast<size_t>(cond_b)].outputs.push_back(f.ops[static_cast<size_t>(less)].outputs[0]);
  ir::BlockId body_b = f.add_block(loop);
  ir::ValueId bi = f.add_value("bi", Type::scalar(DType::Int32), body_b);
  f.blocks[static_cast<size_t>(body_b)].inputs.push_back(bi);
  Builder bb{f, body_b};
  ir::OpId inc = bb.op("add", "inc", {by_name("x", {bi}), {"y", {{ir::kNone, lit(Constant::from_ints({1}, Shape{}))}}}},
                       {{"bj", Type::scalar(DType::Int32)}});
  f.blocks[static_cast<size_t>(body_b)].outputs.push_back(f.ops[static_cast<size_t>(inc)].outputs[0]);

  // cond with an empty false branch returning an outer value
  ir::ValueId flag = f.find_value("flag");
  ir::OpId cnd = b.op("cond", "if_0", {by_name("pred", {flag})}, {{"picked", Type::scalar(DType::Int32)}});
  ir::BlockId t_b = f.add_block(cnd);
  Builder tb{f, t_b};
  ir::OpId id = tb.op("identity", "id", {by_name("x", {f.ops[static_cast<size_t>(loop)].outputs[0]})},
                      {{"tv", Type::scalar(DType::Int32)}});
  f.blocks[static_cast<size_t>(t_b)].outputs.push_back(f.ops[static_cast<size_t>(id)].outputs[0]);
  ir::BlockId f_b = f.add_block(cnd);
  f.blocks[static_cast<size_t>(f_b)].outputs.push_back(n);

  f.blocks[static_cast<size_t>(body)].outputs = {f.ops[static_cast<size_t>(cnd)].outputs[0], f.find_value("cat")};
  f.rebuild_uses();
  return m;
}

TEST(MilPrinter, RoundTripOfIrBuiltInCode) {
  for (const std::string opset : {"CoreML7", "ios18"}) {
    ir::Model m = build_model(opset);
    format::MilText text = format::print_mil_text(m);
    ir::Model back;
    ASSERT_NO_THROW(back = parse_mil_text(text.text)) << text.text;
    EXPECT_EQ(diff_programs(m, back), "") << text.text;
    EXPECT_EQ(m.op_counts(), back.op_counts());
    // Printing the parsed program again is a fixed point.
    EXPECT_EQ(format::print_mil(back), text.text);
  }
}

TEST(MilPrinter, LiteralStyleFollowsTheOpset) {
  std::string old_text = format::print_mil(build_model("CoreML7"));
  EXPECT_EQ(old_text.rfind("program(1.0)\n", 0), 0u);
  EXPECT_NE(old_text.find("func main<ios17>("), std::string::npos);
  EXPECT_NE(old_text.find("name = tensor<string, []>(\"lstm_0\")]"), std::string::npos);
  EXPECT_NE(old_text.find("buildInfo = dict<tensor<string, []>, tensor<string, []>>({{\"coremltools-version\", \"8.3.0\"}"),
            std::string::npos);
  std::string new_text = format::print_mil(build_model("ios18"));
  EXPECT_EQ(new_text.rfind("program(1.3)\n", 0), 0u);
  EXPECT_NE(new_text.find("name = string(\"lstm_0\")]"), std::string::npos);
  EXPECT_NE(new_text.find("buildInfo = dict<string, string>("), std::string::npos);
}

TEST(MilPrinter, CompilerStyleDetails) {
  std::string t = format::print_mil(build_model("CoreML6"));
  // fp16 values as C99 hex floats; 65504 = 0x1.ffcp+15, smallest subnormal 2^-24.
  EXPECT_NE(t.find("tensor<fp16, [4]>([0x1.8p+0, -0x1p-2, 0x1.ffcp+15, 0x1p-24])"), std::string::npos);
  // rank-2 literals nested, arguments sorted by name, 12-space op indentation.
  EXPECT_NE(t.find("tensor<int8, [3, 2]>([[-128, 0], [1, 127], [-5, 6]])"), std::string::npos);
  EXPECT_NE(t.find("\n            tensor<fp16, [3, 4]> cat = concat(axis = tensor<int32, []>(0), values = (o0, o1, "),
            std::string::npos);
  EXPECT_NE(t.find("\n        } -> (picked, cat);\n}"), std::string::npos);
  EXPECT_NE(t.find("constexpr_lut_to_dense()[indices = tensor<uint8, [1]>([228]), lut = "), std::string::npos);
}

TEST(MilPrinter, OpLinesPointAtTheirStatements) {
  ir::Model m = build_model("CoreML7");
  format::MilText text = format::print_mil_text(m);
  std::vector<std::string> lines;
  std::istringstream in(text.text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  const ir::Function& f = m.functions[0];
  ASSERT_EQ(text.op_line.size(), 1u);
  ASSERT_EQ(text.op_line[0].size(), f.ops.size());
  for (size_t o = 0; o < f.ops.size(); ++o) {
    int ln = text.op_line[0][o];
    ASSERT_GT(ln, 0) << f.ops[o].type;
    ASSERT_LE(ln, static_cast<int>(lines.size()));
    const std::string& l = lines[static_cast<size_t>(ln - 1)];
    std::string want = f.ops[o].outputs.empty() ? " " + f.ops[o].type + "("
                                                : " " + f.value(f.ops[o].outputs.back()).name + " = " + f.ops[o].type + "(";
    EXPECT_NE(l.find(want), std::string::npos)
        << "op " << o << " line " << ln << ": " << l;
  }
  // Per-function printing numbers from the func line.
  format::MilText one = format::print_mil_function(f);
  EXPECT_EQ(one.text.rfind("func main<ios17>(", 0), 0u);
  EXPECT_EQ(one.op_line[0][0], 2);
}

TEST(MilPrinter, ReprintsTheCompilersAddModelByteForByte) {
  // coremltools' committed add_model.mlmodelc/model.mil (§8.1): printing its IR gives it back.
  const std::string add_model =
      "program(1.0)\n"
      "[buildInfo = dict<tensor<string, []>, tensor<string, []>>({{\"coremlc-component-MIL\", \"3402.3.2\"}, "
      "{\"coremlc-version\", \"3402.4.1\"}, {\"coremltools-component-torch\", \"2.5.1\"}, "
      "{\"coremltools-source-dialect\", \"TorchScript\"}, {\"coremltools-version\", \"8.1\"}})]\n"
      "{\n"
      "    func main<ios16>(tensor<fp16, [1, 10]> x, tensor<fp16, [1, 10]> y) {\n"
      "            tensor<fp16, [1, 10]> var_3 = mul(x = x, y = y)[name = tensor<string, []>(\"op_3_cast_fp16\")];\n"
      "        } -> (var_3);\n"
      "}\n";
  EXPECT_EQ(format::print_mil(parse_mil_text(add_model)), add_model);
}

}  // namespace
}  // namespace mlscope::test

namespace mlscope::test {
namespace {

TEST(MilPrinter, RoundTripOfTheSharedSampleProgram) {
  // The writer/reader tests' program (tests/support/sample_program): cond blocks, a state
  // input, two functions, several dtypes.
  ir::Model m = sample_program();
  ir::Model back = parse_mil_text(format::print_mil(m));
  EXPECT_EQ(diff_programs(m, back), "");
  EXPECT_EQ(back.op_counts(), m.op_counts());
}

}  // namespace
}  // namespace mlscope::test
