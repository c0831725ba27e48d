#include "core/compare/golden.h"

#include <algorithm>

#include "core/compare/values.h"
#include "core/io/npy.h"
#include "core/util/error.h"

namespace mlscope::compare {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// Shape without leading 1-dims, so [1, 7, 32] golden matches a [7, 32] output.
exec::Dims squeeze_leading(exec::Dims d) {
  while (d.size() > 1 && d.front() == 1) d.erase(d.begin());
  return d;
}

}  // namespace

std::map<std::string, exec::Tensor> load_golden(const std::string& path, const std::vector<std::string>& output_names) {
  std::map<std::string, exec::Tensor> out;
  if (ends_with(path, ".npz")) {
    auto members = io::read_npz(path);
    for (auto& [name, t] : members)
      if (std::find(output_names.begin(), output_names.end(), name) != output_names.end()) out[name] = std::move(t);
    if (out.empty()) {
      std::string have, want;
      for (const auto& [n, t] : members) have += (have.empty() ? "" : ", ") + n;
      for (const auto& n : output_names) want += (want.empty() ? "" : ", ") + n;
      throw Error(Location::in_file(path), "golden .npz has no member named like an output (members: " + have +
                                                "; outputs: " + want + ")");
    }
    return out;
  }
  if (output_names.empty()) throw Error(Location::in_file(path), "golden file given but the model has no outputs");
  out[output_names.front()] = io::read_npy(path);
  return out;
}

GoldenReport golden_gate(const exec::RunResult& run, const std::map<std::string, exec::Tensor>& golden,
                         const std::string& file, const GoldenOptions& options) {
  GoldenReport r;
  r.file = file;
  r.min_cosine = options.min_cosine;
  r.pass = true;
  for (const auto& [name, g] : golden) {
    auto it = run.outputs.find(name);
    if (it == run.outputs.end())
      throw Error(Location::at_op(file, name), "golden names output '" + name + "' which the run did not produce");
    FlatValue got = flatten(it->second);
    if (got.kind != FlatValue::Kind::Numeric)
      throw Error(Location::at_op(file, name), "output '" + name + "' is not numeric (" + got.description + ")");
    if (g.storage() == exec::Storage::String)
      throw Error(Location::at_op(file, name), "golden for '" + name + "' holds strings, not numbers");
    std::vector<double> want(g.size());
    for (uint64_t i = 0; i < g.size(); ++i) want[i] = g.at(i);
    const exec::Dims gs = squeeze_leading(g.shape()), os = squeeze_leading(got.shape);
    if (want.size() != got.values.size() || (options.axis && gs != os))
      throw Error(Location::at_op(file, name), "golden shape " + exec::dims_str(g.shape()) + " does not match output '" +
                                                   name + "' shape " + exec::dims_str(got.shape));
    GoldenCheck c;
    c.output = name;
    c.diff = diff_stats(want, got.values);
    if (!options.axis) {
      c.cosines = {c.diff.cosine};
    } else {
      const int64_t rank = static_cast<int64_t>(g.shape().size());
      int64_t axis = *options.axis < 0 ? *options.axis + rank : *options.axis;
      if (axis < 0 || axis >= rank)
        throw Error(Location::at_op(file, name), "axis " + std::to_string(*options.axis) + " out of range for shape " +
                                                     exec::dims_str(g.shape()));
      // Element index = (outer * n + position) * inner + k in C order.
      int64_t outer = 1, inner = 1;
      const int64_t n = g.shape()[static_cast<size_t>(axis)];
      for (int64_t d = 0; d < axis; ++d) outer *= g.shape()[static_cast<size_t>(d)];
      for (int64_t d = axis + 1; d < rank; ++d) inner *= g.shape()[static_cast<size_t>(d)];
      std::vector<double> a, b;
      for (int64_t p = 0; p < n; ++p) {
        a.clear();
        b.clear();
        for (int64_t o = 0; o < outer; ++o)
          for (int64_t k = 0; k < inner; ++k) {
            const size_t idx = static_cast<size_t>((o * n + p) * inner + k);
            a.push_back(want[idx]);
            b.push_back(got.values[idx]);
          }
        c.cosines.push_back(cosine_similarity(a, b));
      }
    }
    c.worst_cosine = 1;
    for (size_t p = 0; p < c.cosines.size(); ++p) {
      // NaN cosine (NaN outputs) must fail: compare with !(x >= min).
      if (p == 0 || !(c.cosines[p] >= c.worst_cosine)) {
        c.worst_cosine = c.cosines[p];
        c.worst_position = options.axis ? static_cast<int64_t>(p) : -1;
      }
    }
    c.pass = !c.cosines.empty();
    for (double x : c.cosines) c.pass = c.pass && x >= options.min_cosine;
    r.pass = r.pass && c.pass;
    r.checks.push_back(std::move(c));
  }
  return r;
}

}  // namespace mlscope::compare
