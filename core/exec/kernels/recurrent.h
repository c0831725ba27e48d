// The LSTM recurrence shared by the MIL `lstm` kernel (recurrent.cpp) and the
// NeuralNetwork uniDirectionalLSTM / biDirectionalLSTM layers (nn.cpp). Weights are in
// the MIL layout: the four gates stacked in the order input (i), forget (f), output (o), block
// input / cell (z); NN layers pack their per-gate matrices into it. Each step's matrix products
// go through gemm() so numeric profiles apply to them.
#pragma once

#include <cstdint>
#include <string>

#include "core/exec/kernels/kernel.h"

namespace mlscope::exec {

/// A gate activation with its parameters (MIL recurrent activations, NN ActivationParams).
struct RecurrentActivation {
  enum class Kind { Sigmoid, Tanh, Relu, Linear, SigmoidHard, ScaledTanh };
  Kind kind = Kind::Sigmoid;
  float alpha = 1, beta = 0;  ///< linear: a*x+b; sigmoidHard: clamp(a*x+b, 0, 1); scaledTanh: a*tanh(b*x)

  static RecurrentActivation sigmoid() { return {Kind::Sigmoid, 1, 0}; }
  static RecurrentActivation tanh() { return {Kind::Tanh, 1, 0}; }
  float operator()(float v) const;
};

/// One direction's weights, row-major float32, gates stacked i, f, o, z.
struct LstmWeights {
  const float* w_ih = nullptr;      ///< [4H, I]
  const float* w_hh = nullptr;      ///< [4H, H]
  const float* bias = nullptr;      ///< [4H], or nullptr
  const float* peephole = nullptr;  ///< [3H] for i, f, o, or nullptr
};

struct LstmOptions {
  RecurrentActivation recurrent = RecurrentActivation::sigmoid();  ///< gates i, f, o
  RecurrentActivation cell = RecurrentActivation::tanh();          ///< block input z
  RecurrentActivation output = RecurrentActivation::tanh();        ///< applied to c for h
  float gate_clip = 0;  ///< gate pre-activations clamped to ±gate_clip (0: no clamp)
  float cell_clip = 0;  ///< cell state clamped to ±cell_clip after each update (0: no clamp)
  bool coupled_input_forget = false;  ///< f = 1 - i (the forget gate's weights are unused)
  bool reverse = false;               ///< steps run from the last time index to the first
};

/// Runs one LSTM direction over x [T, B, I] (contiguous). h and c ([B, H]) hold the initial
/// state and receive the final one. The output of the step at time index t (its position in x,
/// also for reverse) is written to seq[(t * B + b) * seq_stride + seq_offset + k].
void lstm_direction(const KernelContext& ctx, const float* x, int64_t T, int64_t B, int64_t I, int64_t H, const LstmWeights& w,
                    const LstmOptions& opt, float* h, float* c, float* seq, int64_t seq_stride, int64_t seq_offset);

}  // namespace mlscope::exec
