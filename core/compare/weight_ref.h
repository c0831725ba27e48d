// One weight of one op, in either dialect: which parameter it is (an ML-program input bound to
// a compile-time float tensor, or a NeuralNetwork layer's WeightParams attribute), how it is
// stored (plain fp32/fp16 or a compression scheme from the quantization lineage, and its stored
// bytes) and its dense value. The pieces weight_diff.cpp compares; decoding is left to the
// caller so it can decode one weight at a time.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/analysis/lineage.h"
#include "core/ir/function.h"
#include "core/weights/decompress.h"

namespace mlscope::compare {

/// The compressed weights of one function (its quantization lineage, computed once), looked up
/// by consuming op name, input name and consumed value name.
class WeightSchemes {
 public:
  explicit WeightSchemes(const ir::Function& f);
  const analysis::TensorLineage* find(const std::string& op, const std::string& input, const std::string& value) const;

 private:
  std::vector<analysis::TensorLineage> weights_;
  std::map<std::tuple<std::string, std::string, std::string>, size_t> index_;
};

/// How a lineage record stores its weight: scheme, codes, granularity — "lut 4-bit per_tensor",
/// "affine int8 per_channel", "blockwise int4 per_block", "sparse fp32"; NeuralNetwork
/// WeightParams name their schemes as NeuralNetwork.proto does ("linear uint8 per_channel").
std::string scheme_text(const analysis::TensorLineage& t);

/// One parameter of one op, as a weight or as the reason it is not one.
struct WeightRef {
  enum class Kind { Missing, Runtime, Value, Literal, NnAttribute };
  Kind kind = Kind::Missing;
  const ir::Function* function = nullptr;
  ir::OpId op = ir::kNone;
  std::string input;    ///< MIL input name or NN attribute name
  size_t binding = 0;   ///< MIL: binding of a variadic input
  ir::ValueId value = ir::kNone;           ///< Value and Runtime
  const ir::Constant* literal = nullptr;   ///< Literal
  /// "weight", "values[1]" for a later binding of a variadic input, "weights" for NN.
  std::string param() const;
  bool is_weight() const { return kind == Kind::Value || kind == Kind::Literal || kind == Kind::NnAttribute; }
};

/// The weights op `o` computes with: MIL inputs bound to compile-time float tensors of rank ≥ 1
/// (scalars and integer parameters are not weights), NN layers' weight attributes. None for
/// const / constexpr / quantize / dequantize / cast plumbing.
std::vector<WeightRef> op_weights(const ir::Function& f, ir::OpId o);
/// Parameter `input` (binding `binding`) of op `o`, whatever it is bound to.
WeightRef op_param(const ir::Function& f, ir::OpId o, const std::string& input, size_t binding);
/// The name of `w`'s counterpart in a function of dialect `to` (NN "weights" ↔ MIL "weight").
std::string counterpart_input(const std::string& input, ir::Dialect from, ir::Dialect to);

/// MIL: the consumed value's name (or "<op>.<param>" for a literal); NN: "<layer>.<attribute>".
std::string weight_name(const WeightRef& w);
/// Element count from the declared type or layer layout, if static.
std::optional<uint64_t> declared_elements(const WeightRef& w);

struct WeightStorage {
  std::string scheme;  ///< "fp32", "fp16", or scheme_text() of the lineage
  uint64_t bytes = 0;  ///< stored bytes of every constant it is decoded from
};
WeightStorage weight_storage(const WeightRef& w, const WeightSchemes& schemes);

/// Dense value of a weight. Throws mlscope::Error (malformed data, an NN layer without a layout).
weights::DenseTensor decode_weight(const WeightRef& w, const std::string& file);

}  // namespace mlscope::compare
