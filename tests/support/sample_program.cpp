#include "support/sample_program.h"

#include <memory>

namespace mlscope::test {

namespace {

using ir::Constant;
using ir::DType;
using ir::Shape;
using ir::Type;

std::shared_ptr<const Constant> lit(Constant c) { return std::make_shared<const Constant>(std::move(c)); }

ir::ValueId add_const(ir::Function& f, ir::BlockId b, const std::string& name, Constant c) {
  ir::Op op;
  op.type = "const";
  op.name = name;
  op.outputs.push_back(f.add_value(name, c.type, b));
  op.attributes.push_back({"val", lit(std::move(c))});
  f.add_op(b, std::move(op));
  return f.ops.back().outputs[0];
}

ir::NamedInput named(const std::string& n, std::vector<ir::ValueId> vs) {
  ir::NamedInput in;
  in.name = n;
  for (auto v : vs) in.bindings.push_back({v, nullptr});
  return in;
}

ir::NamedInput literal_input(const std::string& n, Constant c) {
  ir::NamedInput in;
  in.name = n;
  in.bindings.push_back({ir::kNone, lit(std::move(c))});
  return in;
}

ir::Feature array_feature(const std::string& name, ir::ArrayDType dt, std::vector<int64_t> shape,
                          ir::FeatureType::Kind kind = ir::FeatureType::Kind::MultiArray) {
  ir::Feature f;
  f.name = name;
  f.type.kind = kind;
  f.type.array_dtype = dt;
  f.type.shape = std::move(shape);
  return f;
}

ir::Function main_function() {
  ir::Function f;
  f.name = "main";
  f.opset = "CoreML8";
  ir::BlockId body = f.add_block(ir::kNone);
  f.specializations.push_back({"CoreML8", body});
  ir::ValueId x = f.add_value("x", Type::tensor(DType::Float32, Shape{1, 4}), body);
  ir::ValueId k = f.add_value("k_cache", Type::state(Type::tensor(DType::Float16, Shape{2})), body);
  f.inputs = {x, k};

  std::vector<float> wv(16);
  for (int i = 0; i < 16; ++i) wv[static_cast<size_t>(i)] = 0.25f * static_cast<float>(i) - 1.0f;
  ir::ValueId w = add_const(f, body, "w", Constant::from_floats(wv, Shape{4, 4}));             // blob
  ir::ValueId b = add_const(f, body, "b", Constant::from_floats({1, 2, 3, 4}, Shape{4}, DType::Float16));  // inline
  std::vector<int64_t> q(24);
  for (int i = 0; i < 24; ++i) q[static_cast<size_t>(i)] = (i % 16) - 8;
  add_const(f, body, "q4", Constant::from_ints(q, Shape{2, 12}, DType::Int4));  // sub-byte blob with padding 0
  std::vector<int64_t> q3(11, 5);
  add_const(f, body, "q3", Constant::from_ints(q3, Shape{11}, DType::UInt3));  // 33 bits: padding 7
  add_const(f, body, "big_i64", Constant::from_ints({1LL << 40, -3}, Shape{2}, DType::Int64));
  Constant strs;
  strs.type = Type::tensor(DType::String, Shape{2});
  strs.strings = {"cat", "dog"};
  add_const(f, body, "labels", strs);
  Constant list;
  list.type = Type::list(Type::tensor(DType::Int32, Shape{2}), 2);
  list.elements = {Constant::from_ints({1, 2}, Shape{2}), Constant::from_ints({3, 4}, Shape{2})};
  add_const(f, body, "pairs", list);
  ir::ValueId p = add_const(f, body, "p", Constant::from_bool(true));

  {  // iOS17-style constexpr: parameters as attributes
    ir::Op op;
    op.type = "constexpr_affine_dequantize";
    op.name = "wq";
    std::vector<int64_t> qd(16, -3);
    // Sorted by name: the reader orders map entries by key.
    op.attributes.push_back({"axis", lit(Constant::from_ints({0}, Shape{}))});
    op.attributes.push_back({"quantized_data", lit(Constant::from_ints(qd, Shape{4, 4}, DType::Int8))});
    op.attributes.push_back({"scale", lit(Constant::from_floats({0.5f}, Shape{}))});
    op.attributes.push_back({"zero_point", lit(Constant::from_ints({0}, Shape{}, DType::Int8))});
    op.outputs.push_back(f.add_value("wq", Type::tensor(DType::Float32, Shape{4, 4}), body));
    f.add_op(body, std::move(op));
  }
  ir::ValueId y;
  {
    ir::Op op;
    op.type = "linear";
    op.name = "linear_0";
    op.inputs = {named("bias", {b}), named("weight", {w}), named("x", {x})};
    y = f.add_value("y", Type::tensor(DType::Float32, Shape{1, 4}), body);
    op.outputs.push_back(y);
    f.add_op(body, std::move(op));
  }
  ir::ValueId c;
  {
    ir::Op op;
    op.type = "concat";
    op.name = "concat_0";
    op.inputs = {literal_input("axis", Constant::from_ints({1}, Shape{})),
                 literal_input("interleave", Constant::from_bool(false)), named("values", {y, y, x})};
    c = f.add_value("c", Type::tensor(DType::Float32, Shape{1, 12}), body);
    op.outputs.push_back(c);
    f.add_op(body, std::move(op));
  }
  ir::ValueId r;
  {
    ir::Op op;
    op.type = "cond";
    op.name = "cond_0";
    op.inputs = {named("pred", {p})};
    r = f.add_value("r", Type::tensor(DType::Float32, Shape{1, 4}), body);
    op.outputs.push_back(r);
    ir::OpId id = f.add_op(body, std::move(op));
    ir::BlockId t = f.add_block(id);
    ir::Op relu;
    relu.type = "relu";
    relu.name = "relu_t";
    relu.inputs = {named("x", {y})};
    ir::ValueId tv = f.add_value("t", Type::tensor(DType::Float32, Shape{1, 4}), t);
    relu.outputs.push_back(tv);
    f.add_op(t, std::move(relu));
    f.blocks[static_cast<size_t>(t)].outputs = {tv};
    ir::BlockId e = f.add_block(id);
    f.blocks[static_cast<size_t>(e)].outputs = {y};
  }
  {
    ir::Op op;
    op.type = "read_state";
    op.name = "read_k";
    op.inputs = {named("input", {k})};
    op.outputs.push_back(f.add_value("k_now", Type::tensor(DType::Float16, Shape{2}), body));
    f.add_op(body, std::move(op));
  }
  f.blocks[static_cast<size_t>(body)].outputs = {c, r};
  f.rebuild_uses();
  return f;
}

ir::Function aux_function() {
  ir::Function f;
  f.name = "aux";
  f.opset = "CoreML8";
  ir::BlockId body = f.add_block(ir::kNone);
  f.specializations.push_back({"CoreML8", body});
  ir::ValueId z = f.add_value("z", Type::tensor(DType::Float32, Shape{ir::kUnknownDim, 2}), body);
  f.inputs = {z};
  ir::Op op;
  op.type = "identity";
  op.name = "id";
  op.inputs = {named("x", {z})};
  ir::ValueId o = f.add_value("z_out", Type::tensor(DType::Float32, Shape{ir::kUnknownDim, 2}), body);
  op.outputs.push_back(o);
  f.add_op(body, std::move(op));
  f.blocks[static_cast<size_t>(body)].outputs = {o};
  f.rebuild_uses();
  return f;
}

bool same_constant(const Constant& a, const Constant& b) {
  if (!(a.type == b.type) || a.strings != b.strings || a.elements.size() != b.elements.size()) return false;
  for (size_t i = 0; i < a.elements.size(); ++i)
    if (!same_constant(a.elements[i], b.elements[i])) return false;
  auto ra = a.raw(), rb = b.raw();
  return std::equal(ra.begin(), ra.end(), rb.begin(), rb.end());
}

std::string binding_text(const ir::Function& f, const ir::Binding& b) {
  if (b.is_literal()) return "literal " + b.literal->type.str();  // values compared by same_constant
  return f.value(b.value).name + ":" + f.value(b.value).type.str();
}

std::string diff_blocks(const ir::Function& fa, ir::BlockId ba, const ir::Function& fb, ir::BlockId bb);

std::string diff_ops(const ir::Function& fa, const ir::Op& a, const ir::Function& fb, const ir::Op& b) {
  const std::string at = "op '" + a.name + "': ";
  if (a.type != b.type || a.name != b.name) return at + "type/name " + b.type + "/" + b.name;
  if (a.inputs.size() != b.inputs.size()) return at + "input count";
  for (size_t i = 0; i < a.inputs.size(); ++i) {
    if (a.inputs[i].name != b.inputs[i].name) return at + "input name " + b.inputs[i].name;
    if (a.inputs[i].bindings.size() != b.inputs[i].bindings.size()) return at + "binding count of " + a.inputs[i].name;
    for (size_t j = 0; j < a.inputs[i].bindings.size(); ++j) {
      const auto &x = a.inputs[i].bindings[j], &y = b.inputs[i].bindings[j];
      if (binding_text(fa, x) != binding_text(fb, y)) return at + "binding " + binding_text(fb, y);
      if (x.is_literal() && !same_constant(*x.literal, *y.literal)) return at + "literal value of " + a.inputs[i].name;
    }
  }
  if (a.outputs.size() != b.outputs.size()) return at + "output count";
  for (size_t i = 0; i < a.outputs.size(); ++i) {
    const auto &x = fa.value(a.outputs[i]), &y = fb.value(b.outputs[i]);
    if (x.name != y.name || !(x.type == y.type)) return at + "output " + y.name + " " + y.type.str();
  }
  if (a.attributes.size() != b.attributes.size()) return at + "attribute count " + std::to_string(b.attributes.size());
  for (size_t i = 0; i < a.attributes.size(); ++i) {
    if (a.attributes[i].name != b.attributes[i].name) return at + "attribute " + b.attributes[i].name;
    if (!same_constant(*a.attributes[i].value, *b.attributes[i].value)) return at + "attribute value " + a.attributes[i].name;
  }
  if (a.blocks.size() != b.blocks.size()) return at + "block count";
  for (size_t i = 0; i < a.blocks.size(); ++i) {
    std::string d = diff_blocks(fa, a.blocks[i], fb, b.blocks[i]);
    if (!d.empty()) return at + d;
  }
  return "";
}

std::string diff_blocks(const ir::Function& fa, ir::BlockId ba, const ir::Function& fb, ir::BlockId bb) {
  const ir::Block &a = fa.block(ba), &b = fb.block(bb);
  if (a.ops.size() != b.ops.size()) return "block op count " + std::to_string(b.ops.size());
  if (a.inputs.size() != b.inputs.size() || a.outputs.size() != b.outputs.size()) return "block interface";
  for (size_t i = 0; i < a.outputs.size(); ++i)
    if (fa.value(a.outputs[i]).name != fb.value(b.outputs[i]).name) return "block output " + fb.value(b.outputs[i]).name;
  for (size_t i = 0; i < a.ops.size(); ++i) {
    std::string d = diff_ops(fa, fa.op(a.ops[i]), fb, fb.op(b.ops[i]));
    if (!d.empty()) return d;
  }
  return "";
}

std::string diff_features(const std::vector<ir::Feature>& a, const std::vector<ir::Feature>& b, const std::string& what) {
  if (a.size() != b.size()) return what + " count";
  for (size_t i = 0; i < a.size(); ++i) {
    const auto &x = a[i].type, &y = b[i].type;
    if (a[i].name != b[i].name || x.kind != y.kind || x.array_dtype != y.array_dtype || x.shape != y.shape ||
        x.image_width != y.image_width || x.image_height != y.image_height || x.color_space != y.color_space ||
        x.optional != y.optional || x.enumerated_shapes != y.enumerated_shapes || x.shape_ranges != y.shape_ranges)
      return what + " " + a[i].name;
  }
  return "";
}

}  // namespace

ir::Model sample_program() {
  ir::Model m;
  m.kind = "mlProgram";
  m.specification_version = 9;
  m.program_version = 1;
  m.program_attributes["buildInfo.coremltools-version"] = "9.0";
  m.program_attributes["buildInfo.mlscope"] = "test";
  m.functions.push_back(main_function());
  m.functions.push_back(aux_function());
  m.default_function = "main";
  ir::FunctionDescription fd;
  fd.name = "main";
  fd.inputs = {array_feature("x", ir::ArrayDType::Float32, {1, 4})};
  fd.outputs = {array_feature("c", ir::ArrayDType::Float32, {1, 12}), array_feature("r", ir::ArrayDType::Float32, {1, 4})};
  fd.states = {array_feature("k_cache", ir::ArrayDType::Float16, {2}, ir::FeatureType::Kind::State)};
  m.function_descriptions.push_back(fd);
  ir::FunctionDescription aux;
  aux.name = "aux";
  aux.inputs = {array_feature("z", ir::ArrayDType::Float32, {1, 2})};
  aux.inputs[0].type.shape_ranges = {{1, -1}, {2, 2}};
  aux.outputs = {array_feature("z_out", ir::ArrayDType::Float32, {1, 2})};
  m.function_descriptions.push_back(aux);
  ir::Feature img;
  img.name = "image";
  img.type.kind = ir::FeatureType::Kind::Image;
  img.type.image_width = 32;
  img.type.image_height = 16;
  img.type.color_space = 20;
  m.inputs = {img};
  m.outputs = {array_feature("c", ir::ArrayDType::Float32, {1, 12})};
  m.metadata.author = "mlscope tests";
  m.metadata.user_defined["com.github.apple.coremltools.version"] = "9.0";
  return m;
}

std::string diff_models(const ir::Model& a, const ir::Model& b) {
  if (a.kind != b.kind) return "kind " + b.kind;
  if (a.specification_version != b.specification_version) return "specification version";
  if (a.program_attributes != b.program_attributes) return "program attributes";
  if (a.default_function != b.default_function) return "default function";
  if (a.metadata.author != b.metadata.author || a.metadata.user_defined != b.metadata.user_defined) return "metadata";
  for (auto d : {diff_features(a.inputs, b.inputs, "input"), diff_features(a.outputs, b.outputs, "output"),
                 diff_features(a.states, b.states, "state")})
    if (!d.empty()) return d;
  if (a.function_descriptions.size() != b.function_descriptions.size()) return "function description count";
  for (size_t i = 0; i < a.function_descriptions.size(); ++i) {
    const auto &x = a.function_descriptions[i], &y = b.function_descriptions[i];
    if (x.name != y.name) return "function description " + y.name;
    for (auto d : {diff_features(x.inputs, y.inputs, x.name + " input"), diff_features(x.outputs, y.outputs, x.name + " output"),
                   diff_features(x.states, y.states, x.name + " state")})
      if (!d.empty()) return d;
  }
  if (a.functions.size() != b.functions.size()) return "function count";
  for (const auto& fa : a.functions) {
    const ir::Function* fb = b.function(fa.name);
    if (!fb) return "missing function " + fa.name;
    if (fa.opset != fb->opset || fa.specializations.size() != fb->specializations.size()) return fa.name + ": opset";
    if (fa.inputs.size() != fb->inputs.size()) return fa.name + ": input count";
    for (size_t i = 0; i < fa.inputs.size(); ++i)
      if (fa.value(fa.inputs[i]).name != fb->value(fb->inputs[i]).name ||
          !(fa.value(fa.inputs[i]).type == fb->value(fb->inputs[i]).type))
        return fa.name + ": input " + fa.value(fa.inputs[i]).name;
    for (size_t s = 0; s < fa.specializations.size(); ++s) {
      if (fa.specializations[s].opset != fb->specializations[s].opset) return fa.name + ": specialization";
      std::string d = diff_blocks(fa, fa.specializations[s].body, *fb, fb->specializations[s].body);
      if (!d.empty()) return fa.name + ": " + d;
    }
  }
  return "";
}

}  // namespace mlscope::test
