#include "core/compare/backend_runs.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "core/compare/nonfinite.h"

namespace mlscope::compare {

std::vector<BackendRunOutcome> run_backends(const std::vector<BackendRunRequest>& requests, const ir::Model& model,
                                            const exec::RunInputs& inputs, CancelToken cancel,
                                            const ProgressFn& progress) {
  const size_t n = requests.size();
  std::vector<BackendRunOutcome> out(n);
  std::vector<std::atomic<float>> part(n);
  std::vector<size_t> todo;
  for (size_t i = 0; i < n; ++i) {
    part[i] = 0;
    if (requests[i].cached) {
      out[i].run = requests[i].cached;
      part[i] = 1;
    } else {
      todo.push_back(i);
    }
  }
  auto report = [&](const std::string& stage) {
    if (!progress) return;
    double sum = 0;
    for (const auto& p : part) sum += p.load();
    progress({sum, static_cast<double>(n), stage});
  };
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t k; (k = next.fetch_add(1)) < todo.size();) {
      const size_t i = todo[k];
      const BackendSpec& spec = requests[i].spec;
      exec::RunOptions ro;
      ro.cancel = cancel;
      ro.progress = [&, i](const Progress& p) {
        const auto done = static_cast<int64_t>(p.done);
        if (p.total <= 0 || (done % 4 != 0 && p.done != p.total)) return;
        part[i] = p.fraction();
        report(spec.name);
      };
      try {
        auto backend = make_backend(spec);
        auto run = std::make_shared<BackendRun>();
        run->name = spec.name;
        run->kind = backend->kind();
        run->result = backend->run(model, inputs, ro);
        run->provenance = run->result.provenance;
        const NonfiniteCheck nf = check_nonfinite_outputs(run->result, backend.get(), model, inputs, ro);
        run->result.warnings.insert(run->result.warnings.end(), nf.warnings.begin(), nf.warnings.end());
        out[i].run = run;
        out[i].fresh = true;
      } catch (const std::exception& e) {
        out[i].error = e.what();
      }
      part[i] = 1;
    }
  };
  const size_t threads = std::min<size_t>(todo.size(), std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  return out;
}

}  // namespace mlscope::compare
