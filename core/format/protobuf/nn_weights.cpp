// NeuralNetwork weights (docs/coreml-formats.md §9.4). Payloads are kept as stored: fp32, fp16,
// unsigned N-bit codes (rawValue, MSB-first packed when N < 8) or int8; never dequantized here.
#include "core/format/protobuf/nn_weights.h"

#include <cstring>

#include "core/util/error.h"

namespace mlscope::format::pbread {

namespace {

std::shared_ptr<const ir::Constant> make(ir::Constant c) { return std::make_shared<const ir::Constant>(std::move(c)); }

ir::Shape pick_shape(uint64_t count, const std::vector<int64_t>& hint) {
  if (!hint.empty()) {
    ir::Shape s(hint);
    auto n = s.element_count();
    if (n && *n == count) return s;
  }
  return ir::Shape{static_cast<int64_t>(count)};
}

std::vector<uint8_t> to_bytes(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

}  // namespace

void append_weight_attributes(const pb::WeightParams& w, const std::string& name, const std::vector<int64_t>& hint,
                              const std::string& file, const std::string& layer, std::vector<ir::Attribute>& out) {
  const auto& q = w.quantization();
  const uint64_t bits = q.numberofbits();
  ir::Constant c;
  bool have = true;
  if (w.floatvalue_size() > 0) {
    std::vector<uint8_t> raw(static_cast<size_t>(w.floatvalue_size()) * 4);
    std::memcpy(raw.data(), w.floatvalue().data(), raw.size());
    c = ir::Constant::from_raw(ir::DType::Float32, pick_shape(static_cast<uint64_t>(w.floatvalue_size()), hint), std::move(raw));
  } else if (!w.float16value().empty()) {
    if (w.float16value().size() % 2 != 0)
      throw Error(Location::at_op(file, layer), name + ": float16Value has an odd byte count (" +
                                                    std::to_string(w.float16value().size()) + ")");
    c = ir::Constant::from_raw(ir::DType::Float16, pick_shape(w.float16value().size() / 2, hint), to_bytes(w.float16value()));
  } else if (!w.rawvalue().empty()) {
    if (bits < 1 || bits > 8)
      throw Error(Location::at_op(file, layer), name + ": quantized weights with numberOfBits = " + std::to_string(bits) +
                                                    " (must be 1..8)");
    const uint64_t nbytes = w.rawvalue().size();
    // N < 8 codes are bit-packed MSB-first; keep the packed bytes, report the code count separately.
    ir::Shape shape = bits == 8 ? pick_shape(nbytes, hint) : ir::Shape{static_cast<int64_t>(nbytes)};
    c = ir::Constant::from_raw(ir::DType::UInt8, shape, to_bytes(w.rawvalue()));
    if (bits < 8) out.push_back({name + ".quantization.bit_order", make(ir::Constant::from_string("msb-first"))});
  } else if (!w.int8rawvalue().empty()) {
    c = ir::Constant::from_raw(ir::DType::Int8, pick_shape(w.int8rawvalue().size(), hint), to_bytes(w.int8rawvalue()));
  } else {
    have = false;
  }
  if (have) out.push_back({name, make(std::move(c))});
  if (!w.has_quantization()) return;
  out.push_back({name + ".quantization.bits", make(ir::Constant::from_ints({static_cast<int64_t>(bits)}, ir::Shape{}))});
  auto floats = [](const google::protobuf::RepeatedField<float>& v) {
    return ir::Constant::from_floats(std::vector<float>(v.begin(), v.end()), ir::Shape{static_cast<int64_t>(v.size())});
  };
  if (q.has_linearquantization()) {
    out.push_back({name + ".quantization.type", make(ir::Constant::from_string("linear"))});
    out.push_back({name + ".quantization.scale", make(floats(q.linearquantization().scale()))});
    out.push_back({name + ".quantization.bias", make(floats(q.linearquantization().bias()))});
  } else if (q.has_lookuptablequantization()) {
    out.push_back({name + ".quantization.type", make(ir::Constant::from_string("lookup_table"))});
    out.push_back({name + ".quantization.lut", make(floats(q.lookuptablequantization().floatvalue()))});
  }
}

}  // namespace mlscope::format::pbread
