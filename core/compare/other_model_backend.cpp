#include "core/compare/other_model_backend.h"

#include "core/util/error.h"

namespace mlscope::compare {

OtherModelBackend::OtherModelBackend(std::unique_ptr<exec::Backend> inner, std::shared_ptr<const ir::Model> b,
                                     std::shared_ptr<const ModelMatch> match, std::string name)
    : inner_(std::move(inner)), b_(std::move(b)), match_(std::move(match)), name_(std::move(name)) {}

exec::RunResult OtherModelBackend::run(const ir::Model&, const exec::RunInputs& inputs, const exec::RunOptions& options) {
  const ModelMatch& m = *match_;
  exec::RunInputs in;
  for (const auto& [an, bn] : m.inputs) {
    auto it = inputs.find(an);
    if (it != inputs.end()) in[bn] = it->second;
  }
  const ir::Function& fb = *m.b;
  const ir::Function& fa = *m.a;
  auto a_name = [&m](const std::string& bn) -> const std::string* {
    auto it = m.a_value_of_b.find(bn);
    return it == m.a_value_of_b.end() ? nullptr : &it->second;
  };
  // The op reported with a renamed value is A's counterpart, so observers see one program.
  auto a_op = [&](const ir::Op& op) -> const ir::Op& {
    const ir::OpId id = static_cast<ir::OpId>(&op - fb.ops.data());
    const OpPair* p = id >= 0 && static_cast<size_t>(id) < fb.ops.size() ? m.pair_of_b(id) : nullptr;
    return p ? fa.op(p->a) : op;
  };
  exec::RunOptions ro = options;
  ro.function = fb.name;
  if (options.on_value)
    ro.on_value = [&](const ir::Op& op, const std::string& name, const exec::RunValue& v) {
      if (const std::string* an = a_name(name)) options.on_value(a_op(op), *an, v);
    };
  if (options.on_codes)
    ro.on_codes = [&](const ir::Op& op, const std::string& name, const exec::DequantizedCodes& c) {
      if (const std::string* an = a_name(name)) options.on_codes(a_op(op), *an, c);
    };
  if (options.rewrite_output)
    throw Error(Location::in_file(b_->path), "a rewriting backend (what-if) cannot run another model");
  exec::RunResult r = inner_->run(*b_, in, ro);
  std::map<std::string, exec::RunValue> outputs;
  for (const auto& [an, bn] : m.outputs) {
    auto it = r.outputs.find(bn);
    if (it != r.outputs.end()) outputs[an] = std::move(it->second);
  }
  r.outputs = std::move(outputs);
  if (!r.intermediates.empty()) {
    std::map<std::string, exec::RunValue> kept;
    for (auto& [bn, v] : r.intermediates)
      if (const std::string* an = a_name(bn)) kept[*an] = std::move(v);
    r.intermediates = std::move(kept);
  }
  for (auto& member : r.band_members) {
    std::map<std::string, exec::RunValue> renamed;
    for (const auto& [an, bn] : m.outputs)
      if (auto it = member.outputs.find(bn); it != member.outputs.end()) renamed[an] = std::move(it->second);
    member.outputs = std::move(renamed);
  }
  r.provenance += "; model B: " + b_->path;
  return r;
}

}  // namespace mlscope::compare
