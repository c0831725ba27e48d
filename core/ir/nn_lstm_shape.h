// The blob layout of a NeuralNetwork LSTM layer's outputs, shared by the NN reader's shape
// inference (core/format) and the interpreter's kernels (core/exec) so the two cannot disagree.
#pragma once

#include <cstdint>
#include <vector>

namespace mlscope::ir {

/// An LSTM output — [seq, batch, width, 1, 1] in the spec — in the rank of its input x (leading
/// unit dimensions dropped; rank 2 is [seq, width]).
inline std::vector<int64_t> nn_lstm_output_dims(size_t x_rank, int64_t seq, int64_t batch, int64_t width) {
  switch (x_rank) {
    case 5: return {seq, batch, width, 1, 1};
    case 4: return {batch, width, 1, 1};
    case 3: return {width, 1, 1};
    case 2: return {seq, width};
    default: return {width};
  }
}

}  // namespace mlscope::ir
