#include "core/compare/divergence.h"

#include <cmath>
#include <limits>

#include "core/compare/values.h"
#include "core/util/error.h"

namespace mlscope::compare {

namespace {

double rel_l2(const std::vector<double>& a, const std::vector<double>& b) {
  double num = 0, den = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    num += (b[i] - a[i]) * (b[i] - a[i]);
    den += a[i] * a[i];
  }
  if (den == 0) return num == 0 ? 0 : std::numeric_limits<double>::infinity();
  return std::sqrt(num / den);
}

}  // namespace

DivergenceReport divergence_from_results(const ir::Function& fn, exec::RunResult& ref, exec::RunResult& other,
                                         const DivergenceOptions& options) {
  DivergenceReport rep;
  rep.function = fn.name;
  rep.options = options;
  int64_t order = 0;
  for (ir::OpId id : fn.program_order()) {
    const ir::Op& op = fn.op(id);
    if (op.is_const() || op.is_constexpr() || op.outputs.empty()) continue;
    OpDivergence d;
    d.order = order++;
    d.type = op.type;
    d.name = op.name.empty() ? fn.value(op.outputs[0]).name : op.name;
    bool first = true;
    for (ir::ValueId vid : op.outputs) {
      const std::string& vname = fn.value(vid).name;
      auto ra = ref.intermediates.find(vname);
      auto rb = other.intermediates.find(vname);
      if (ra == ref.intermediates.end() || rb == other.intermediates.end()) {
        if (d.note.empty()) d.note = std::string("value '") + vname + "' not kept by " + (ra == ref.intermediates.end() ? "the reference" : "the other backend");
        continue;
      }
      FlatValue a = flatten(ra->second), b = flatten(rb->second);
      // Reduce and free right away: intermediates of big models dominate memory.
      ref.intermediates.erase(ra);
      other.intermediates.erase(rb);
      if (a.kind != FlatValue::Kind::Numeric || b.kind != FlatValue::Kind::Numeric || a.values.size() != b.values.size()) {
        if (d.note.empty()) d.note = "value '" + vname + "': " + a.description + " vs " + b.description;
        continue;
      }
      const DiffStats s = diff_stats(a.values, b.values);
      const double rel = rel_l2(a.values, b.values);
      if (first || s.cosine < d.cosine || (s.cosine == d.cosine && rel > d.rel_error)) {
        d.value = vname;
        d.cosine = s.cosine;
        d.max_abs_diff = s.max_abs_diff;
        d.rel_error = rel;
        first = false;
      }
      d.compared = true;
    }
    if (d.compared) d.note.clear();
    d.crosses = d.compared && (!(d.cosine >= options.min_cosine) || !(d.rel_error <= options.max_rel_error));
    if (d.crosses && rep.first_crossing.size() < options.first_crossings) rep.first_crossing.push_back(rep.ops.size());
    rep.ops.push_back(std::move(d));
  }
  return rep;
}

DivergenceReport run_divergence(exec::Backend& reference, exec::Backend& other, const ir::Model& model,
                                const exec::RunInputs& inputs, const exec::RunOptions& run_options,
                                const DivergenceOptions& options) {
  const ir::Function* fn = options.function.empty() ? model.main_function() : model.function(options.function);
  if (!fn) throw Error(Location::in_file(model.path), "divergence: model has no function '" + options.function + "'");
  exec::RunOptions ro = run_options;
  ro.keep_intermediates = true;
  ro.function = options.function;
  exec::RunResult a = reference.run(model, inputs, ro);
  exec::RunResult b = other.run(model, inputs, ro);
  DivergenceReport rep = divergence_from_results(*fn, a, b, options);
  rep.reference = reference.name();
  rep.other = other.name();
  return rep;
}

}  // namespace mlscope::compare
