// Lexical name scopes used while building a Function from a file: a nested block sees the
// names of its enclosing blocks; a name defined later is not visible yet (so cycles and
// forward references surface as "undefined value" errors with the op that made them).
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "core/ir/function.h"

namespace mlscope::ir {

class ScopeStack {
 public:
  void push() { scopes_.emplace_back(); }
  void pop() { scopes_.pop_back(); }
  bool empty() const { return scopes_.empty(); }
  /// Defines (or, NeuralNetwork-style, redefines) a name in the innermost scope.
  void define(const std::string& name, ValueId v) { scopes_.back()[name] = v; }
  /// Innermost definition of `name`, or kNone.
  ValueId resolve(const std::string& name) const {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
      auto f = it->find(name);
      if (f != it->end()) return f->second;
    }
    return kNone;
  }
  bool defined_in_innermost(const std::string& name) const {
    return !scopes_.empty() && scopes_.back().count(name) != 0;
  }

 private:
  std::vector<std::unordered_map<std::string, ValueId>> scopes_;
};

}  // namespace mlscope::ir
