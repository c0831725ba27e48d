// .npy/.npz reading and writing: round trips per dtype, and every malformed file is an Error
// naming the file and byte offset.
#include <gtest/gtest.h>

#include <fstream>

#include "core/io/npy.h"
#include "core/io/random_inputs.h"
#include "core/util/error.h"
#include "support/test_paths.h"

using namespace mlscope;
using namespace mlscope::exec;
using namespace mlscope::io;

namespace {

std::string write_bytes(const std::string& tag, const std::vector<uint8_t>& b) {
  auto p = (test::scratch_dir(tag) / "f.npy").string();
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
  return p;
}

}  // namespace

TEST(ExecNpy, RoundTripsEveryStoredDtype) {
  auto dir = test::scratch_dir("npy_roundtrip");
  std::vector<Tensor> cases = {
      Tensor::from_floats(ir::DType::Float32, {2, 3}, {1.5f, -2, 3, 1e-8f, 65504, -0.0f}),
      Tensor::from_floats(ir::DType::Float16, {3}, {0.099975586f, -1, 2048}),
      Tensor::from_ints(ir::DType::Int32, {2, 2}, {1, -2, 2147483647, -2147483647 - 1}),
      Tensor::from_ints(ir::DType::Int8, {2}, {-128, 127}),
      Tensor::from_ints(ir::DType::UInt8, {1, 2}, {0, 255}),
      Tensor::from_ints(ir::DType::Bool, {3}, {1, 0, 1}),
      Tensor::from_strings({2}, {"cat", "\xE7\x8C\xAB"}),
      Tensor::from_floats(ir::DType::Float32, {}, {7}),
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    std::string p = (dir / ("c" + std::to_string(i) + ".npy")).string();
    write_npy(p, cases[i]);
    Tensor back = read_npy(p);
    EXPECT_EQ(back.dtype(), cases[i].dtype()) << i;
    EXPECT_EQ(back.shape(), cases[i].shape()) << i;
    if (back.dtype() == ir::DType::String) {
      EXPECT_EQ(back.strings(), cases[i].strings());
    } else {
      for (uint64_t k = 0; k < back.size(); ++k) EXPECT_EQ(back.at(k), cases[i].at(k)) << i << ":" << k;
    }
  }
}

TEST(ExecNpy, NpzRoundTrip) {
  auto p = (test::scratch_dir("npz_roundtrip") / "a.npz").string();
  std::map<std::string, Tensor> m = {{"x", random_tensor(ir::DType::Float32, {4, 5}, 3)},
                                     {"ids", Tensor::from_ints(ir::DType::Int32, {3}, {1, 2, 3})}};
  write_npz(p, m);
  auto back = read_npz(p);
  ASSERT_EQ(back.size(), 2u);
  for (uint64_t k = 0; k < 20; ++k) EXPECT_EQ(back["x"].floats()[k], m["x"].floats()[k]);
  EXPECT_EQ(back["ids"].ints()[2], 3);
}

TEST(ExecNpy, ReadsCorpusInputExactly) {
  MLSCOPE_REQUIRE_SHARED();
  Tensor t = read_npy((test::shared_dir() / "corpus-gen/amplified_conv_tie_w8a8_ct9/input.npy").string());
  EXPECT_EQ(t.dtype(), ir::DType::Float32);
  EXPECT_EQ(t.shape(), (Dims{1, 3, 224, 224}));
}

TEST(ExecNpy, MalformedFilesAreErrorsWithOffsets) {
  std::vector<uint8_t> good = npy_bytes(Tensor::from_floats(ir::DType::Float32, {4}, {1, 2, 3, 4}));
  auto expect_error = [](const std::string& path, int64_t offset, const std::string& what) {
    try {
      read_npy(path);
      ADD_FAILURE() << "no error for " << what;
    } catch (const Error& e) {
      EXPECT_EQ(e.where().file, path) << what;
      EXPECT_EQ(e.where().byte_offset, offset) << what << ": " << e.what();
    }
  };
  auto bad_magic = good;
  bad_magic[1] = 'X';
  expect_error(write_bytes("npy_bad_magic", bad_magic), 0, "bad magic");
  auto truncated = good;
  truncated.resize(good.size() - 3);
  expect_error(write_bytes("npy_truncated", truncated), int64_t(good.size() - 16), "truncated data");
  auto huge_header = good;
  huge_header[8] = 0xFF;
  huge_header[9] = 0xFF;
  expect_error(write_bytes("npy_header_len", huge_header), 8, "header length past the end");
  auto bad_dtype = good;
  std::string h(bad_dtype.begin(), bad_dtype.end());
  size_t pos = h.find("<f4");
  bad_dtype[pos + 1] = 'c';  // complex
  expect_error(write_bytes("npy_bad_dtype", bad_dtype), 10, "unsupported dtype");
  auto huge_shape = good;
  std::string hs(huge_shape.begin(), huge_shape.end());
  size_t sp = hs.find("(4,)");
  huge_shape[sp + 1] = '9';  // shape (9,) needs 36 bytes, file has 16
  expect_error(write_bytes("npy_huge_shape", huge_shape), int64_t(good.size() - 16), "shape larger than data");
  EXPECT_THROW(read_npy("/nonexistent/file.npy"), Error);
}

TEST(ExecNpy, MalformedNpzIsAnError) {
  auto dir = test::scratch_dir("npz_bad");
  std::string p = (dir / "bad.npz").string();
  std::ofstream(p) << "PK not really a zip";
  EXPECT_THROW(read_npz(p), Error);
}

TEST(ExecRandom, SeededAndDeterministic) {
  Tensor a = random_tensor(ir::DType::Float32, {1000}, 42), b = random_tensor(ir::DType::Float32, {1000}, 42);
  Tensor c = random_tensor(ir::DType::Float32, {1000}, 43);
  double mean = 0, var = 0;
  for (uint64_t i = 0; i < 1000; ++i) {
    EXPECT_EQ(a.floats()[i], b.floats()[i]);
    mean += a.floats()[i];
  }
  mean /= 1000;
  for (uint64_t i = 0; i < 1000; ++i) var += (a.floats()[i] - mean) * (a.floats()[i] - mean);
  var /= 1000;
  EXPECT_NEAR(mean, 0, 0.15);  // standard normal: 1000 samples, 4.7 sigma
  EXPECT_NEAR(var, 1, 0.2);
  EXPECT_NE(a.floats()[0], c.floats()[0]);
  Tensor h = random_tensor(ir::DType::Float16, {10}, 1);
  EXPECT_EQ(h.dtype(), ir::DType::Float16);
}
