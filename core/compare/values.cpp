#include "core/compare/values.h"

#include <algorithm>
#include <numeric>

namespace mlscope::compare {

namespace {

FlatValue from_tensor(const exec::Tensor& t) {
  FlatValue f;
  f.shape = t.shape();
  if (t.empty()) return f;
  if (t.storage() == exec::Storage::String) {
    f.kind = FlatValue::Kind::Text;
    f.text = t.strings();
    return f;
  }
  f.kind = FlatValue::Kind::Numeric;
  f.values.resize(t.size());
  if (t.is_float()) {
    auto src = t.floats();
    std::copy(src.begin(), src.end(), f.values.begin());
  } else {
    auto src = t.ints();
    for (size_t i = 0; i < src.size(); ++i) f.values[i] = static_cast<double>(src[i]);
  }
  return f;
}

FlatValue from_dictionary(const exec::Dictionary& d) {
  FlatValue f;
  f.kind = FlatValue::Kind::Numeric;
  f.from_dictionary = true;
  std::vector<size_t> order(d.size());
  std::iota(order.begin(), order.end(), 0);
  if (d.string_keys) {
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return d.string_key[a] < d.string_key[b]; });
  } else {
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return d.int_key[a] < d.int_key[b]; });
  }
  for (size_t i : order) {
    f.values.push_back(d.value[i]);
    f.labels.push_back(d.string_keys ? d.string_key[i] : std::to_string(d.int_key[i]));
  }
  f.shape = {static_cast<int64_t>(f.values.size())};
  return f;
}

}  // namespace

FlatValue flatten(const exec::RunValue& v) {
  FlatValue f;
  if (const auto* t = std::get_if<exec::Tensor>(&v)) {
    f = from_tensor(*t);
  } else if (const auto* d = std::get_if<exec::Dictionary>(&v)) {
    f = from_dictionary(*d);
  }
  f.description = exec::describe(v);
  return f;
}

bool is_classification_like(const FlatValue& v) {
  if (v.kind != FlatValue::Kind::Numeric || v.values.size() < 2) return false;
  if (v.from_dictionary) return true;
  int non_unit = 0;
  for (int64_t d : v.shape) non_unit += d != 1;
  return non_unit == 1;
}

}  // namespace mlscope::compare
