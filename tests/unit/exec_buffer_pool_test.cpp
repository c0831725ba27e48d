// The tensor buffer pool: recycled storage must never leak old values into zero-filled
// tensors, copy-on-write must still copy, and idle buffers stay bounded.
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "core/exec/buffer_pool.h"
#include "core/exec/tensor.h"

namespace mlscope::exec {
namespace {

constexpr int64_t kBig = 1 << 20;  // 4 MB of floats: above the pooling threshold

TEST(ExecBufferPool, FreedTensorStorageIsReusedByTheNextTensorOfThatSize) {
  release_pooled_buffers();
  const float* first = nullptr;
  {
    Tensor t = Tensor::uninitialized(ir::DType::Float32, {kBig});
    first = t.floats().data();
  }
  const BufferPoolStats before = buffer_pool_stats();
  Tensor u = Tensor::uninitialized(ir::DType::Float32, {kBig});
  EXPECT_EQ(u.floats().data(), first);
  EXPECT_EQ(buffer_pool_stats().reused, before.reused + 1);
}

TEST(ExecBufferPool, ZeroFilledTensorIsZeroEvenOnADirtyRecycledBuffer) {
  release_pooled_buffers();
  {
    Tensor dirty = Tensor::uninitialized(ir::DType::Float32, {kBig});
    for (float& v : dirty.mutable_floats()) v = 7.0f;
    Tensor dirty_ints = Tensor::uninitialized(ir::DType::Int32, {kBig});
    for (int64_t& v : dirty_ints.mutable_ints()) v = -3;
  }
  Tensor z(ir::DType::Float32, {kBig});
  for (float v : z.floats()) ASSERT_EQ(v, 0.0f);
  Tensor zi(ir::DType::Int32, {kBig});
  for (int64_t v : zi.ints()) ASSERT_EQ(v, 0);
}

TEST(ExecBufferPool, CopyOnWriteStillCopiesSharedStorage) {
  Tensor a = Tensor::uninitialized(ir::DType::Float32, {kBig});
  for (float& v : a.mutable_floats()) v = 1.0f;
  Tensor b = a;
  b.mutable_floats()[0] = 2.0f;
  EXPECT_EQ(a.floats()[0], 1.0f);
  EXPECT_EQ(b.floats()[0], 2.0f);
  EXPECT_EQ(b.floats()[kBig - 1], 1.0f);
  EXPECT_FALSE(a.shares_storage_with(b));
}

TEST(ExecBufferPool, SmallerRequestTakesABufferAtMostTwiceItsSize) {
  release_pooled_buffers();
  { Tensor t = Tensor::uninitialized(ir::DType::Float32, {4 * kBig}); }
  const BufferPoolStats before = buffer_pool_stats();
  Tensor small = Tensor::uninitialized(ir::DType::Float32, {kBig});  // 4x smaller: not a fit
  EXPECT_EQ(buffer_pool_stats().reused, before.reused);
  EXPECT_EQ(small.size(), uint64_t(kBig));
}

TEST(ExecBufferPool, IdleBytesStayBounded) {
  release_pooled_buffers();
  {
    std::vector<Tensor> many;
    for (int i = 0; i < 64; ++i) many.push_back(Tensor::uninitialized(ir::DType::Float32, {kBig}));
  }  // 256 MB released at once
  EXPECT_GT(buffer_pool_stats().pooled_bytes, 0u);
  EXPECT_LE(buffer_pool_stats().pooled_bytes, uint64_t(96) << 20);
  release_pooled_buffers();
  EXPECT_EQ(buffer_pool_stats().pooled_bytes, 0u);
}

TEST(ExecBufferPool, AMissEvictsOnlyWhatKeepsLivePlusIdleWithinOneAndAHalfPeaks) {
  release_pooled_buffers();
  {
    std::vector<Tensor> three;  // the live peak: 3 x 4 MB
    for (int i = 0; i < 3; ++i) three.push_back(Tensor::uninitialized(ir::DType::Float32, {kBig}));
  }
  EXPECT_EQ(buffer_pool_stats().pooled_bytes, uint64_t(12) << 20);
  // 1 MB fits none of them (a buffer over twice the request is not a fit). Beside 12 MB idle it
  // stays within 1.5 x the 12 MB peak: nothing is evicted.
  const BufferPoolStats before = buffer_pool_stats();
  Tensor small = Tensor::uninitialized(ir::DType::Float32, {kBig / 4});
  EXPECT_EQ(buffer_pool_stats().allocated, before.allocated + 1);
  EXPECT_EQ(buffer_pool_stats().pooled_bytes, uint64_t(12) << 20);
  // 6 MB fits none either; 1 live + 6 + 12 idle would pass 18 MB, so one idle buffer goes — only one.
  Tensor medium = Tensor::uninitialized(ir::DType::Float32, {kBig * 3 / 2});
  EXPECT_EQ(buffer_pool_stats().allocated, before.allocated + 2);
  EXPECT_EQ(buffer_pool_stats().pooled_bytes, uint64_t(8) << 20);
  // The two that stayed still serve their size.
  Tensor a = Tensor::uninitialized(ir::DType::Float32, {kBig});
  Tensor b = Tensor::uninitialized(ir::DType::Float32, {kBig});
  EXPECT_EQ(buffer_pool_stats().reused, before.reused + 2);
  EXPECT_EQ(buffer_pool_stats().pooled_bytes, 0u);
}

TEST(ExecBufferPool, ABufferTakenForFewerElementsServesItsFullSizeAgain) {
  release_pooled_buffers();
  { Tensor t = Tensor::uninitialized(ir::DType::Float32, {kBig}); }
  const BufferPoolStats before = buffer_pool_stats();
  { Tensor fewer = Tensor::uninitialized(ir::DType::Float32, {kBig - 4096}); }  // an im2col tile of another conv
  Tensor full = Tensor::uninitialized(ir::DType::Float32, {kBig});
  EXPECT_EQ(buffer_pool_stats().reused, before.reused + 2);
  EXPECT_EQ(buffer_pool_stats().allocated, before.allocated);
  EXPECT_EQ(full.size(), uint64_t(kBig));
}

TEST(ExecBufferPool, AtTheCapTheBufferJustReturnedStaysAndTheLongestIdleGo) {
  release_pooled_buffers();
  constexpr int kFill = 24;  // 24 x 4 MB: the 96 MB cap
  std::vector<std::optional<Tensor>> filled;
  for (int i = 0; i < kFill; ++i) filled.emplace_back(Tensor::uninitialized(ir::DType::Float32, {kBig}));
  const float* returned_first = filled[0]->floats().data();
  const float* returned_second = filled[1]->floats().data();
  for (auto& t : filled) t.reset();  // returned in this order
  ASSERT_EQ(buffer_pool_stats().pooled_bytes, uint64_t(96) << 20);

  // A 5 MB buffer (no 4 MB one holds it) comes back to a full pool, as after a large job: it stays,
  // and the two buffers idle longest make room for it.
  const float* five_mb = nullptr;
  {
    Tensor t = Tensor::uninitialized(ir::DType::Float32, {kBig * 5 / 4});
    five_mb = t.floats().data();
  }
  EXPECT_EQ(buffer_pool_stats().pooled_bytes, uint64_t(88 + 5) << 20);
  const BufferPoolStats before = buffer_pool_stats();
  Tensor again = Tensor::uninitialized(ir::DType::Float32, {kBig * 5 / 4});
  EXPECT_EQ(again.floats().data(), five_mb);
  std::vector<Tensor> rest;
  for (int i = 0; i < kFill - 2; ++i) {
    rest.push_back(Tensor::uninitialized(ir::DType::Float32, {kBig}));
    EXPECT_NE(rest.back().floats().data(), returned_first);
    EXPECT_NE(rest.back().floats().data(), returned_second);
  }
  EXPECT_EQ(buffer_pool_stats().reused, before.reused + 1 + (kFill - 2));
  EXPECT_EQ(buffer_pool_stats().allocated, before.allocated);
  rest.push_back(Tensor::uninitialized(ir::DType::Float32, {kBig}));  // the evicted two are gone
  EXPECT_EQ(buffer_pool_stats().allocated, before.allocated + 1);
}

TEST(ExecBufferPool, ByteStorageIsRecycledToo) {
  release_pooled_buffers();
  const uint8_t* first = nullptr;
  {
    Tensor t = Tensor::from_bytes(ir::DType::Int8, {kBig}, take_byte_buffer(size_t(kBig)));
    first = t.bytes().data();
  }
  const BufferPoolStats before = buffer_pool_stats();
  Tensor u = Tensor::from_bytes(ir::DType::UInt8, {kBig}, take_byte_buffer(size_t(kBig)));
  EXPECT_EQ(u.bytes().data(), first);
  EXPECT_EQ(buffer_pool_stats().reused, before.reused + 1);
}

}  // namespace
}  // namespace mlscope::exec
