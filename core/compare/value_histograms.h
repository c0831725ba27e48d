// Histograms of one op's output under two backends, on a shared range, so the inspector can show
// how the values' distributions differ (e.g. a quantized activation collapsing onto a few levels).
//
// Two ways to get them: from two runs' kept intermediates (value_pair_histograms), or streaming —
// each backend wrapped in a SketchingBackend that reduces every op output to a fine histogram
// over its own range as it is produced (bounded memory, works with the streaming divergence),
// then combine_sketches() re-bins both onto a shared range (error ≤ one fine bin).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/compare/sweep.h"
#include "core/exec/backend.h"

namespace mlscope::compare {

struct ValuePairHistogram {
  std::string value;           ///< value name compared
  Histogram reference, other;  ///< same lo/hi and bin count
};

/// For every value present (numeric, equal element count) in both runs' intermediates: the two
/// histograms over the union of their finite ranges. Keyed by value name. Leaves the runs intact
/// (call before divergence_from_results(), which frees the intermediates it reduces).
std::map<std::string, ValuePairHistogram> value_pair_histograms(const exec::RunResult& reference, const exec::RunResult& other, int bins);

/// A fine histogram of one value over its own finite range.
struct ValueSketch {
  double lo = 0, hi = 0;
  std::vector<int64_t> counts;  ///< empty: not numeric or no finite value
  uint64_t elements = 0;
};
ValueSketch sketch_value(const exec::RunValue& v, int fine_bins = 1024);
/// Both sketches re-binned onto the union of their ranges (`bins` bins). False if either is empty.
bool combine_sketches(const std::string& name, const ValueSketch& reference, const ValueSketch& other, int bins, ValuePairHistogram& out);

/// Wraps a backend: every op output it reports through RunOptions::on_value is sketched (and
/// the caller's own on_value still called). Thread-safe for one run at a time.
class SketchingBackend : public exec::Backend {
 public:
  explicit SketchingBackend(exec::Backend& inner) : inner_(inner) {}
  std::string name() const override { return inner_.name(); }
  exec::BackendKind kind() const override { return inner_.kind(); }
  exec::RunResult run(const ir::Model& model, const exec::RunInputs& inputs, const exec::RunOptions& options) override;
  /// Sketches by value name (moved out).
  std::map<std::string, ValueSketch> take_sketches();

 private:
  exec::Backend& inner_;
  std::mutex mu_;
  std::map<std::string, ValueSketch> sketches_;
};

}  // namespace mlscope::compare
