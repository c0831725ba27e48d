// classify: probabilities + class labels -> (top label, label -> probability dictionary).
#include "core/exec/kernels/families.h"
#include "core/exec/kernels/kernel_util.h"

namespace mlscope::exec {

namespace {

const ir::Constant* classes_constant(const KernelContext& ctx) {
  const ir::NamedInput* in = ctx.op().input("classes");
  if (!in || in->bindings.empty()) return ctx.op().attribute_value("classes");
  const ir::Binding& b = in->bindings[0];
  if (b.is_literal()) return b.literal.get();
  const ir::Value& v = ctx.function().value(b.value);
  if (v.producer == ir::kNone) return nullptr;
  const ir::Op& p = ctx.function().op(v.producer);
  return p.type == "const" ? p.attribute_value("val") : nullptr;
}

void k_classify(KernelContext& ctx) {
  const Tensor probs = ctx.tensor("probabilities").cast_to(ir::DType::Float32);
  const ir::Constant* c = classes_constant(ctx);
  if (!c) ctx.fail("classes must be a constant list");
  Dictionary d;
  std::vector<const ir::Constant*> items;
  if (c->type.kind == ir::Type::Kind::List || c->type.kind == ir::Type::Kind::Tuple) {
    for (const auto& e : c->elements) items.push_back(&e);
  }
  if (!items.empty()) {
    d.string_keys = items[0]->dtype() == ir::DType::String;
    for (const auto* e : items) {
      if (d.string_keys) d.string_key.push_back(e->scalar_string().value_or(""));
      else d.int_key.push_back(e->scalar_int().value_or(0));
    }
  } else if (c->dtype() == ir::DType::String) {
    d.string_key = c->strings;
  } else {
    d.string_keys = false;
    d.int_key = c->to_ints();
  }
  const size_t n = d.string_keys ? d.string_key.size() : d.int_key.size();
  if (probs.size() != n) ctx.fail(std::to_string(probs.size()) + " probabilities for " + std::to_string(n) + " classes");
  size_t best = 0;
  for (size_t i = 0; i < n; ++i) {
    d.value.push_back(probs.floats()[i]);
    if (probs.floats()[i] > probs.floats()[best]) best = i;
  }
  if (n == 0) ctx.fail("no classes");
  if (d.string_keys) ctx.set(Tensor::from_strings({}, {d.string_key[best]}), 0);
  else ctx.set(Tensor::scalar_int(d.int_key[best], ir::DType::Int64), 0);
  ctx.set_output(1, std::move(d));
}

}  // namespace

void register_classify_kernels() { register_kernel("classify", k_classify); }

}  // namespace mlscope::exec
