// The kernel registry: one function per op type, registered from one file per op family
// (kernels/*.cpp, each with a register_*_kernels() function called once by the registry —
// explicit calls, because static registrars in a static library can be dropped by the linker). A kernel reads its inputs/attributes through KernelContext,
// computes in fp32 (or exact integers) and sets its outputs; the interpreter applies the profile's
// storage rounding to float outputs afterwards. Kernels that accumulate (conv, matmul, reductions)
// read ctx.numerics() themselves.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/exec/dequantized_codes.h"
#include "core/exec/numeric_profile.h"
#include "core/exec/tensor.h"
#include "core/ir/function.h"

namespace mlscope::exec {

struct AccumulationTally;

class KernelContext {
 public:
  virtual ~KernelContext() = default;
  virtual const ir::Op& op() const = 0;
  virtual const ir::Function& function() const = 0;
  virtual const OpNumerics& numerics() const = 0;
  virtual const std::string& file() const = 0;  ///< model path, for errors

  /// Named input present (MIL parameter, or NN layer input slot).
  virtual bool has(const std::string& name) const = 0;
  /// Value of binding `index` of input `name` (throws a named Error if absent).
  virtual const RunValue& value(const std::string& name, size_t index = 0) const = 0;
  virtual size_t count(const std::string& name) const = 0;  ///< bindings of a variadic input
  /// Declared IR type of a binding's value (Unknown for literals without type).
  virtual ir::Type declared(const std::string& name, size_t index = 0) const = 0;

  virtual void set_output(size_t index, RunValue v) = 0;
  virtual size_t output_count() const = 0;
  virtual ir::Type output_type(size_t index) const = 0;

  /// Runs nested block `block_index` of this op with the given block inputs; returns its outputs.
  virtual std::vector<RunValue> run_block(size_t block_index, const std::vector<RunValue>& inputs) = 0;
  /// Mutable state storage (read_state / write_state); the Tensor behind a state-typed input.
  virtual Tensor& state(const std::string& input_name) = 0;
  /// A non-fatal note for RunResult::warnings.
  virtual void warn(const std::string& message) = 0;
  /// Where this op's reductions report their fp16 partial sums (RunResult::accumulation);
  /// nullptr when nobody listens. Kernels hand it to their Accumulators.
  virtual AccumulationTally* accumulation_tally() const { return nullptr; }
  /// Input `name` as codes + table when the interpreter deferred the `dequantize` producing it
  /// (register_dequantized_codes_reader); nullopt otherwise, and then tensor(name) has the
  /// values as usual (a deferred dequantize runs when its value is first read).
  virtual std::optional<DequantizedCodes> dequantized_codes(const std::string& name);
  /// Input `name` handed over for the kernel to overwrite with its output, when this op is the
  /// value's last reader, its float storage is shared with nothing (not a caller's input, not
  /// a kept intermediate, not an observer's copy) and it is bound once; otherwise nullopt.
  /// Elementwise kernels use it to compute in place: one activation-sized buffer less at the peak.
  virtual std::optional<Tensor> take_dying_input(const std::string& name);

  // --- conveniences built on the above ---
  const Tensor& tensor(const std::string& name, size_t index = 0) const;
  std::optional<Tensor> opt_tensor(const std::string& name) const;
  /// Scalar/vector parameter helpers with defaults when absent.
  int64_t int_param(const std::string& name, int64_t fallback) const;
  int64_t int_param(const std::string& name) const;
  double float_param(const std::string& name, double fallback) const;
  bool bool_param(const std::string& name, bool fallback) const;
  std::string string_param(const std::string& name, const std::string& fallback) const;
  std::vector<int64_t> ints_param(const std::string& name) const;
  std::vector<int64_t> ints_param(const std::string& name, std::vector<int64_t> fallback) const;
  /// The op's attribute (NN layer parameters, constexpr attributes) as a Tensor, if present.
  virtual std::optional<Tensor> attr(const std::string& name) const;
  void set(const Tensor& t, size_t index = 0) { set_output(index, t); }
  /// Declared dtype of output `index` (fallback if unknown).
  ir::DType out_dtype(size_t index, ir::DType fallback) const;
  /// Error located at this op.
  [[noreturn]] void fail(const std::string& message) const;
};

using KernelFn = void (*)(KernelContext&);

bool register_kernel(const char* op_type, KernelFn fn);
/// Declares that op_type's kernel reads input `input` through dequantized_codes() when it can,
/// so the interpreter may defer a `dequantize` whose every reader is such an input.
void register_dequantized_codes_reader(const char* op_type, const char* input);
bool reads_dequantized_codes(const std::string& qualified_type, const std::string& input);
/// nullptr when no kernel exists. NeuralNetwork layers are looked up as "nn.<type>".
KernelFn find_kernel(const std::string& qualified_type);
std::vector<std::string> kernel_names();

/// Tensor from an IR constant (every dtype decoded; sub-byte packed types unpacked).
Tensor tensor_from_constant(const ir::Constant& c, const std::string& where);

}  // namespace mlscope::exec
