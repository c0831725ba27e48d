// NeuralNetwork LSTM layers: which layer kinds they are and the blob layout of their outputs,
// shared by the NN reader's shape inference (core/format), the cost model (core/analysis) and the
// interpreter's kernels (core/exec) so they cannot disagree.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace mlscope::ir {

/// The NeuralNetwork LSTM layer kinds (uniDirectionalLSTM, biDirectionalLSTM).
inline bool is_nn_lstm(std::string_view layer_kind) {
  return layer_kind == "uniDirectionalLSTM" || layer_kind == "biDirectionalLSTM";
}

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
