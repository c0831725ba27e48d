#include "core/analysis/tensor_histogram.h"

#include <algorithm>
#include <cmath>
#include <exception>

#include "core/weights/decompress.h"
#include "core/util/error.h"

namespace mlscope::analysis {
namespace {

template <class Get>
void accumulate(TensorHistogram& h, uint64_t count, uint64_t stride, int bins, Get get) {
  // Two passes over the same samples: range + moments (Welford), then binning.
  h.stride = std::max<uint64_t>(stride, 1);
  h.used = h.non_finite = 0;
  double mean = 0, m2 = 0, lo = 0, hi = 0;
  for (uint64_t i = 0; i < count; i += h.stride) {
    const double x = get(i);
    if (!std::isfinite(x)) { ++h.non_finite; continue; }
    if (h.used == 0) lo = hi = x;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
    ++h.used;
    const double d = x - mean;
    mean += d / static_cast<double>(h.used);
    m2 += d * (x - mean);
  }
  h.min = lo;
  h.max = hi;
  h.mean = mean;
  h.stddev = h.used > 1 ? std::sqrt(m2 / static_cast<double>(h.used)) : 0;
  h.bins.assign(static_cast<size_t>(std::max(bins, 1)), 0);
  if (h.used == 0) return;
  const double width = hi > lo ? (hi - lo) / static_cast<double>(h.bins.size()) : 1;
  for (uint64_t i = 0; i < count; i += h.stride) {
    const double x = get(i);
    if (!std::isfinite(x)) continue;
    const size_t b = std::min(h.bins.size() - 1, static_cast<size_t>(std::max(0.0, (x - lo) / width)));
    ++h.bins[b];
  }
}

}  // namespace

void fill_histogram(TensorHistogram& h, const float* values, uint64_t count, uint64_t stride, int bins) {
  accumulate(h, count, stride, bins, [values](uint64_t i) { return static_cast<double>(values[i]); });
}

bool is_compile_time_tensor(const ir::Function& f, ir::ValueId v) {
  if (v < 0 || static_cast<size_t>(v) >= f.values.size()) return false;
  const ir::Value& val = f.value(v);
  if (val.producer == ir::kNone || !val.type.is_tensor()) return false;
  return weights::is_materializable(f.op(val.producer).type);
}

TensorHistogram constant_histogram(const ir::Constant& c, const std::string& where, const HistogramOptions& opt) {
  TensorHistogram h;
  try {
    // Stored values, read element by element: no full decode, at most max_samples reads.
    if (!c.is_tensor() || !c.strings.empty() || !c.elements.empty() || c.dtype() == ir::DType::String) {
      h.error = "not a numeric tensor";
      return h;
    }
    c.validate(where);
    h.dtype = std::string(ir::dtype_name(c.dtype()));
    h.shape = c.shape();
    h.elements = c.element_count();
    h.decoded = "stored values";
    const uint64_t stride = (h.elements + opt.max_samples - 1) / std::max<uint64_t>(opt.max_samples, 1);
    accumulate(h, h.elements, stride, opt.bins, [&c](uint64_t i) { return c.element(i); });
  } catch (const Error& e) {
    h.error = e.where().str() + ": " + e.message();
  } catch (const std::exception& e) {
    h.error = e.what();
  }
  if (h.error.empty() && h.used == 0) h.error = h.elements == 0 ? "empty tensor" : "no finite values";
  return h;
}

TensorHistogram value_histogram(const ir::Function& f, ir::ValueId v, const HistogramOptions& opt) {
  TensorHistogram h;
  if (!is_compile_time_tensor(f, v)) {
    h.error = "not a compile-time tensor";
    return h;
  }
  const ir::Value& val = f.value(v);
  const ir::Op& op = f.op(val.producer);
  h.producer_type = op.type;
  h.dtype = std::string(ir::dtype_name(val.type.dtype));
  h.shape = val.type.shape;
  try {
    if (op.is_const()) {
      const ir::Constant* c = op.attribute_value("val");
      if (!c) {
        h.error = "const without a value";
        return h;
      }
      TensorHistogram stored = constant_histogram(*c, op.name, opt);
      stored.producer_type = op.type;
      return stored;
    } else {
      const auto declared = val.type.shape.element_count();
      if (!declared) {
        h.error = "dynamic shape: not decoded";
        return h;
      }
      h.elements = *declared;
      if (h.elements > opt.max_decode) {
        h.error = std::to_string(h.elements) + " elements: larger than the inspector decodes (" + std::to_string(opt.max_decode) +
                  "); `mlscope-cli quant` reports its scale/zero-point statistics";
        return h;
      }
      const weights::DenseTensor d = weights::materialize_value(f, v);
      h.elements = d.values.size();
      h.shape = d.shape;
      h.decoded = "decoded by " + op.type;
      const uint64_t stride = (h.elements + opt.max_samples - 1) / std::max<uint64_t>(opt.max_samples, 1);
      fill_histogram(h, d.values.data(), h.elements, stride, opt.bins);
    }
  } catch (const Error& e) {
    h.error = e.where().str() + ": " + e.message();
  } catch (const std::exception& e) {
    h.error = e.what();
  }
  if (h.error.empty() && h.used == 0) h.error = h.elements == 0 ? "empty tensor" : "no finite values";
  return h;
}

}  // namespace mlscope::analysis
