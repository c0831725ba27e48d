// Types of IR values: tensors (dtype + shape with unknown dims), lists, tuples, dicts, states.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ir/dtype.h"

namespace mlscope::ir {

/// A dimension whose size is not known statically.
constexpr int64_t kUnknownDim = -1;

struct Shape {
  std::vector<int64_t> dims;  ///< kUnknownDim for a dynamic dimension
  bool unknown_rank = false;  ///< rank itself unknown (MIL rank -1 / variadic)

  Shape() = default;
  Shape(std::initializer_list<int64_t> d) : dims(d) {}
  explicit Shape(std::vector<int64_t> d) : dims(std::move(d)) {}

  size_t rank() const { return dims.size(); }
  bool is_static() const;
  /// Product of the dims; nullopt when a dim is unknown, negative, or the product overflows.
  std::optional<uint64_t> element_count() const;
  /// "[1, 3, 224, 224]", unknown dims as "?", unknown rank as "[*]".
  std::string str() const;
  bool operator==(const Shape&) const = default;
};

struct Type {
  enum class Kind : uint8_t { Unknown, Tensor, List, Tuple, Dict, State };

  Kind kind = Kind::Unknown;
  DType dtype = DType::Invalid;  ///< Tensor only
  Shape shape;                   ///< Tensor only (rank 0 = scalar)
  /// List: [element]; Tuple: elements; Dict: [key, value]; State: [wrapped].
  std::vector<Type> elements;
  int64_t list_length = kUnknownDim;  ///< List only

  static Type tensor(DType dt, Shape s) {
    Type t; t.kind = Kind::Tensor; t.dtype = dt; t.shape = std::move(s); return t;
  }
  static Type scalar(DType dt) { return tensor(dt, Shape{}); }
  static Type list(Type element, int64_t length = kUnknownDim) {
    Type t; t.kind = Kind::List; t.elements = {std::move(element)}; t.list_length = length; return t;
  }
  static Type tuple(std::vector<Type> elems) {
    Type t; t.kind = Kind::Tuple; t.elements = std::move(elems); return t;
  }
  static Type dict(Type key, Type value) {
    Type t; t.kind = Kind::Dict; t.elements = {std::move(key), std::move(value)}; return t;
  }
  static Type state(Type wrapped) {
    Type t; t.kind = Kind::State; t.elements = {std::move(wrapped)}; return t;
  }

  bool is_tensor() const { return kind == Kind::Tensor; }
  bool is_scalar() const { return kind == Kind::Tensor && shape.rank() == 0 && !shape.unknown_rank; }
  /// MIL text spelling: "tensor<fp16, [1, 3]>", "list<tensor<fp32, [?]>, ?>", "state<...>" ...
  std::string str() const;
  bool operator==(const Type&) const = default;
};

}  // namespace mlscope::ir
