#include "core/compare/sweep.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <exception>
#include <mutex>
#include <numeric>
#include <thread>

#include "core/compare/metrics.h"
#include "core/compare/values.h"
#include "core/exec/parallel.h"
#include "core/util/error.h"

namespace mlscope::compare {

namespace {

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

Histogram histogram(const std::vector<double>& v, int bins) {
  Histogram h;
  if (v.empty() || bins < 1) return h;
  h.lo = *std::min_element(v.begin(), v.end());
  h.hi = *std::max_element(v.begin(), v.end());
  h.counts.assign(static_cast<size_t>(bins), 0);
  const double w = (h.hi - h.lo) / bins;
  for (double x : v) {
    size_t k = w > 0 ? static_cast<size_t>((x - h.lo) / w) : 0;
    h.counts[std::min(k, h.counts.size() - 1)]++;
  }
  return h;
}

}  // namespace

PairFlip pair_flip(const std::vector<SweepRow>& rows, size_t a, size_t b, const std::vector<std::string>& names,
                   int bins, size_t closest) {
  PairFlip p;
  p.a = names.at(a);
  p.b = names.at(b);
  std::vector<std::pair<double, size_t>> ties;
  for (size_t i = 0; i < rows.size(); ++i) {
    const SweepRow& r = rows[i];
    if (!r.done) continue;
    p.inputs++;
    const bool decided = r.decision.size() <= std::max(a, b) ||
                         (r.decision[a] == Decision::Strict && r.decision[b] == Decision::Strict);
    if (!decided) p.undecided++;
    else if (r.argmax[a] != r.argmax[b]) p.flips++;
    const MarginPair mp = margin_pair(r.scores[a]);
    const double d = margin(r.scores[b], mp) - margin(r.scores[a], mp);
    if (!std::isfinite(d)) continue;  // NaN/inf scores: undecided above, no margin to histogram
    p.margin_delta.push_back(d);
    p.input_index.push_back(i);
    p.max_abs_margin_delta = std::max(p.max_abs_margin_delta, std::fabs(d));
    ties.emplace_back(std::min(r.gap[a], r.gap[b]), i);
  }
  p.flip_rate = p.inputs ? static_cast<double>(p.flips) / static_cast<double>(p.inputs) : 0;
  p.histogram = histogram(p.margin_delta, bins);
  // b's members, each against a's (default) decision.
  std::vector<size_t> member_flips;
  for (const SweepRow& r : rows) {
    if (!r.done || r.member_argmax.size() <= b || r.member_argmax[b].empty() || r.decision.size() <= a) continue;
    if (member_flips.empty()) member_flips.assign(r.member_argmax[b].size(), 0);
    bool any = false;
    for (size_t m = 0; m < r.member_argmax[b].size() && m < member_flips.size(); ++m) {
      const bool flip = r.decision[a] == Decision::Strict && r.member_decision[b][m] == Decision::Strict &&
                        r.member_argmax[b][m] != r.argmax[a];
      member_flips[m] += flip;
      any = any || flip;
    }
    p.band_any_flip += any;
  }
  if (!member_flips.empty()) {
    p.band = true;
    p.band_min_flips = *std::min_element(member_flips.begin(), member_flips.end());
    p.band_max_flips = *std::max_element(member_flips.begin(), member_flips.end());
  }
  std::stable_sort(ties.begin(), ties.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  for (size_t k = 0; k < std::min(closest, ties.size()); ++k) p.closest_to_tie.push_back(ties[k].second);
  return p;
}

SweepResult run_sweep(const ir::Model& model, const std::vector<SweepBackend>& backends, const SweepInputs& inputs,
                      const SweepOptions& options) {
  SweepResult res;
  res.output = options.output;
  if (res.output.empty()) {
    if (model.outputs.empty()) throw Error(Location::in_file(model.path), "sweep: the model declares no outputs");
    res.output = model.outputs.front().name;
  }
  for (const auto& b : backends) res.backends.push_back(b.name);
  if (backends.size() < 2) throw Error(Location{}, "sweep needs at least two backends");
  res.rows.resize(inputs.count);

  std::atomic<size_t> next{0}, done{0};
  std::atomic<bool> stop{false};
  std::mutex mu;  // guards first_error and progress calls
  std::exception_ptr first_error;
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = process_cpu_seconds();

  const int nthreads = std::max(1, std::min<int>(options.threads, static_cast<int>(std::max<size_t>(inputs.count, 1))));
  auto worker = [&] {
    // One run per core already: a run's elementwise kernels stay on its worker's thread.
    exec::ScopedKernelThreads one_thread(nthreads > 1 ? 1 : exec::kernel_threads());
    try {
      std::vector<std::unique_ptr<exec::Backend>> mine;
      for (const auto& b : backends) mine.push_back(b.make());
      exec::RunOptions ro = options.run_options;
      // The user's flag reaches in-flight runs directly; a failed worker stops the others between inputs.
      ro.cancel = options.cancel.can_cancel() ? options.cancel : CancelToken(stop);
      for (;;) {
        if (options.cancel.requested()) stop = true;
        if (stop) return;
        const size_t i = next.fetch_add(1);
        if (i >= inputs.count) return;
        const exec::RunInputs in = inputs.make(i);
        SweepRow row;
        row.label = inputs.label(i);
        for (size_t k = 0; k < mine.size(); ++k) {
          exec::RunResult r = mine[k]->run(model, in, ro);
          auto it = r.outputs.find(res.output);
          if (it == r.outputs.end())
            throw Error(Location::in_file(model.path), "sweep: backend " + backends[k].name + " produced no output '" + res.output + "'");
          FlatValue f = flatten(it->second);
          if (!is_classification_like(f))
            throw Error(Location::in_file(model.path), "sweep: output '" + res.output + "' is not a score vector (" + f.description + ")");
          ClassStats cs = class_stats(f.values, 2);
          row.argmax.push_back(cs.argmax);
          row.gap.push_back(cs.top1_top2_gap);
          row.decision.push_back(cs.decision);
          row.scores.push_back(std::move(f.values));
          row.member_argmax.emplace_back();
          row.member_decision.emplace_back();
          for (const auto& m : r.band_members)
            if (auto mo = m.outputs.find(res.output); mo != m.outputs.end()) {
              const ClassStats ms = class_stats(flatten(mo->second).values, 2);
              row.member_argmax.back().push_back(ms.argmax);
              row.member_decision.back().push_back(ms.decision);
            }
        }
        row.done = true;
        res.rows[i] = std::move(row);  // each slot written by exactly one worker
        const size_t n = done.fetch_add(1) + 1;
        if (options.progress) {
          std::lock_guard<std::mutex> lock(mu);
          const std::string stage = std::to_string(n) + " / " + std::to_string(inputs.count) + " inputs";
          options.progress({static_cast<double>(n), static_cast<double>(inputs.count), stage});
        }
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu);
      // A run stopped because another worker failed or the user cancelled is not an error.
      const bool user_cancel = options.cancel.requested();
      if (!first_error && !stop && !user_cancel) first_error = std::current_exception();
      stop = true;
    }
  };

  std::vector<std::thread> pool;
  for (int t = 0; t < nthreads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  if (first_error) std::rethrow_exception(first_error);

  res.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  res.cpu_seconds = process_cpu_seconds() - c0;
  res.completed = done.load();
  res.cancelled = res.completed < inputs.count;
  for (size_t a = 0; a < backends.size(); ++a)
    for (size_t b = a + 1; b < backends.size(); ++b)
      res.pairs.push_back(pair_flip(res.rows, a, b, res.backends, options.histogram_bins, options.closest));
  return res;
}

}  // namespace mlscope::compare
