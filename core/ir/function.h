// The program IR: Function owns arenas of Values, Ops and Blocks, addressed by small ids.
//
// Modeled on MLIR's Operation/Value/Block but with plain vectors and indices (Core ML programs
// have thousands of ops, not millions). MIL ops keep their bare type ("conv"), NeuralNetwork
// layers are ops of the NeuralNetwork dialect with their schema name ("convolution").
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/ir/constant.h"
#include "core/ir/type.h"

namespace mlscope::ir {

using ValueId = int32_t;
using OpId = int32_t;
using BlockId = int32_t;
constexpr int32_t kNone = -1;

enum class Dialect : uint8_t { MIL, NeuralNetwork };

/// One use of a value: op `op`, its input `input` (index into Op::inputs), binding `binding`.
struct Use {
  OpId op = kNone;
  int32_t input = 0;
  int32_t binding = 0;
};

struct Value {
  std::string name;
  Type type;
  OpId producer = kNone;     ///< kNone for function/block inputs
  int32_t producer_output = 0;
  BlockId block = kNone;     ///< block that defines it (function body for function inputs)
  std::vector<Use> uses;     ///< filled by Function::rebuild_uses()
};

/// One binding of an op input: a reference to a value in scope, or a literal constant.
struct Binding {
  ValueId value = kNone;
  std::shared_ptr<const Constant> literal;
  bool is_literal() const { return value == kNone; }
};

/// A named op input (MIL parameter). Variadic parameters have several bindings.
struct NamedInput {
  std::string name;
  std::vector<Binding> bindings;
};

struct Attribute {
  std::string name;
  std::shared_ptr<const Constant> value;
};

struct Op {
  std::string type;  ///< "conv", "const", "constexpr_lut_to_dense"; NN: "convolution"
  std::string name;  ///< debug name (MIL `name` attribute, NN layer name)
  Dialect dialect = Dialect::MIL;
  std::vector<NamedInput> inputs;
  std::vector<ValueId> outputs;
  std::vector<Attribute> attributes;  ///< compile-time attributes, `name` excluded
  std::vector<BlockId> blocks;        ///< nested blocks (cond: 2, while_loop: 2)
  BlockId parent = kNone;             ///< block containing this op

  const NamedInput* input(std::string_view n) const;
  const Attribute* attribute(std::string_view n) const;
  /// The constant behind an attribute, or nullptr.
  const Constant* attribute_value(std::string_view n) const;
  /// "nn.convolution" for NeuralNetwork layers, the bare type otherwise.
  std::string qualified_type() const;
  bool is_const() const { return type == "const"; }
  bool is_constexpr() const { return type.rfind("constexpr_", 0) == 0; }
};

struct Block {
  std::vector<ValueId> inputs;
  std::vector<OpId> ops;  ///< in program order
  std::vector<ValueId> outputs;
  OpId parent_op = kNone;  ///< kNone for a function body
  int32_t index_in_parent = 0;
};

/// One block specialization of a function (MIL: opset key → block).
struct Specialization {
  std::string opset;  ///< e.g. "CoreML7" (protobuf) or "ios17" (text)
  BlockId body = kNone;
};

class Function {
 public:
  std::string name;
  Dialect dialect = Dialect::MIL;
  std::string opset;                       ///< active specialization
  std::vector<ValueId> inputs;
  std::vector<Specialization> specializations;
  std::vector<Value> values;
  std::vector<Op> ops;
  std::vector<Block> blocks;

  /// Body of the active specialization (first one if the opset is not found).
  BlockId body() const;
  const Block& body_block() const { return blocks.at(static_cast<size_t>(body())); }
  const std::vector<ValueId>& outputs() const { return body_block().outputs; }

  ValueId add_value(std::string name, Type type, BlockId block, OpId producer = kNone, int32_t output = 0);
  BlockId add_block(OpId parent_op);
  /// Appends op to `block` and sets producers of its outputs. Returns the op id.
  OpId add_op(BlockId block, Op op);

  /// Recomputes every Value::uses from the ops (call after building).
  void rebuild_uses();

  /// Visits every op of the active specialization in program order, nested blocks right after
  /// their parent op (pre-order). Return false from `fn` to stop.
  void walk(const std::function<bool(OpId)>& fn) const;
  /// Same over every specialization.
  void walk_all(const std::function<bool(OpId)>& fn) const;
  /// Ops in walk() order.
  std::vector<OpId> program_order() const;

  /// "" for the body; "while_loop_0/block1" style for nested blocks (op name + block index).
  std::string block_path(BlockId b) const;
  /// Nesting depth of a block (0 = body).
  int block_depth(BlockId b) const;

  const Value& value(ValueId v) const { return values.at(static_cast<size_t>(v)); }
  const Op& op(OpId o) const { return ops.at(static_cast<size_t>(o)); }
  const Block& block(BlockId b) const { return blocks.at(static_cast<size_t>(b)); }
  /// Value by name in the whole function (first match), kNone if absent.
  ValueId find_value(std::string_view name) const;
  /// Op by debug name or by one of its output names, kNone if absent.
  OpId find_op(std::string_view name) const;
};

}  // namespace mlscope::ir
