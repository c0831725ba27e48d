#include "core/ir/type.h"

#include <limits>

namespace mlscope::ir {

bool Shape::is_static() const {
  if (unknown_rank) return false;
  for (int64_t d : dims)
    if (d < 0) return false;
  return true;
}

std::optional<uint64_t> Shape::element_count() const {
  if (!is_static()) return std::nullopt;
  uint64_t n = 1;
  for (int64_t d : dims) {
    uint64_t u = static_cast<uint64_t>(d);
    if (u != 0 && n > std::numeric_limits<uint64_t>::max() / u) return std::nullopt;
    n *= u;
  }
  return n;
}

std::string Shape::str() const {
  if (unknown_rank) return "[*]";
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ", ";
    s += dims[i] < 0 ? std::string("?") : std::to_string(dims[i]);
  }
  return s + "]";
}

std::string Type::str() const {
  switch (kind) {
    case Kind::Tensor:
      return "tensor<" + std::string(dtype_name(dtype)) + ", " + shape.str() + ">";
    case Kind::List:
      return "list<" + (elements.empty() ? std::string("?") : elements[0].str()) + ", " +
             (list_length < 0 ? std::string("?") : std::to_string(list_length)) + ">";
    case Kind::Tuple: {
      std::string s = "tuple<";
      for (size_t i = 0; i < elements.size(); ++i) s += (i ? ", " : "") + elements[i].str();
      return s + ">";
    }
    case Kind::Dict:
      return "dict<" + (elements.size() > 0 ? elements[0].str() : "?") + ", " +
             (elements.size() > 1 ? elements[1].str() : "?") + ">";
    case Kind::State:
      return "state<" + (elements.empty() ? std::string("?") : elements[0].str()) + ">";
    case Kind::Unknown:
      break;
  }
  return "unknown";
}

}  // namespace mlscope::ir
