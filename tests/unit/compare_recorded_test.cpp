// RecordedBackend: one backend per compute unit, replay only of the recorded input.
#include <gtest/gtest.h>

#include "core/compare/recorded_backend.h"
#include "core/util/error.h"

using namespace mlscope;
using namespace mlscope::compare;

namespace {

std::shared_ptr<const recording::Recording> two_unit_recording() {
  auto r = std::make_shared<recording::Recording>();
  r->recorded_on = "test Mac";
  r->path = "test.recording.json";
  for (auto [cu, y0] : {std::pair{"cpu_only", 3.1015625}, std::pair{"cpu_and_ne", 4.44140625}}) {
    recording::Prediction p;
    p.compute_units = cu;
    p.inputs.push_back({"x", "float32", {1, 3}, {0.5, -1.25, 2}, "", ""});
    p.outputs.push_back({"y", "float16", {1, 2}, {y0, 3.572265625}, "", ""});
    p.stats.runs = 100;
    p.stats.bit_stable = true;
    r->predictions.push_back(p);
  }
  return r;
}

}  // namespace

TEST(RecordedBackend, OneBackendPerComputeUnitReplayingItsOutputs) {
  auto backends = recorded_backends(two_unit_recording());
  ASSERT_EQ(backends.size(), 2u);
  EXPECT_EQ(backends[0]->name(), "recorded:cpu_only");
  EXPECT_EQ(backends[1]->name(), "recorded:cpu_and_ne");
  EXPECT_EQ(backends[1]->kind(), exec::BackendKind::Recorded);
  exec::RunInputs in{{"x", exec::Tensor::from_floats(ir::DType::Float32, {1, 3}, {0.5f, -1.25f, 2.f})}};
  ir::Model m;
  exec::RunResult r = backends[1]->run(m, in, {});
  const auto& y = std::get<exec::Tensor>(r.outputs.at("y"));
  EXPECT_EQ(y.dtype(), ir::DType::Float16);
  EXPECT_EQ(y.shape(), (exec::Dims{1, 2}));
  EXPECT_EQ(y.at(0), 4.44140625);
  EXPECT_NE(r.provenance.find("recorded"), std::string::npos);
  EXPECT_NE(r.provenance.find("CPU_AND_NE"), std::string::npos);
  EXPECT_NE(r.provenance.find("test.recording.json"), std::string::npos);
  DriftStats d = backends[0]->recorded_drift();
  EXPECT_EQ(d.repeats, 100);
  EXPECT_TRUE(d.bit_stable);
}

TEST(RecordedBackend, RefusesAnyOtherInput) {
  RecordedBackend b(two_unit_recording(), "cpu_only");
  ir::Model m;
  exec::RunInputs other{{"x", exec::Tensor::from_floats(ir::DType::Float32, {1, 3}, {0.5f, -1.25f, 2.001f})}};
  try {
    b.run(m, other, {});
    FAIL() << "a different input was replayed";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("element 2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(b.run(m, {}, {}), Error);
  exec::RunInputs shape{{"x", exec::Tensor::from_floats(ir::DType::Float32, {2}, {0.5f, -1.25f})}};
  EXPECT_THROW(b.run(m, shape, {}), Error);
  EXPECT_THROW(RecordedBackend(two_unit_recording(), "all"), Error);
}
