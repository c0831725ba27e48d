// Locating where a protobuf that failed to parse breaks: a schema-guided walk of the wire format
// (tags, varints, lengths against the bytes left, UTF-8 of string fields) that descends into
// known sub-messages, so the error can name a byte offset instead of just "invalid".
#include <string>

#include <google/protobuf/descriptor.h>

#include "core/format/protobuf/model_from_proto.h"

namespace mlscope::format::pbread {

namespace {

namespace gp = google::protobuf;

struct Walker {
  const uint8_t* base;
  WireProblem problem;

  bool varint(size_t& pos, size_t end, uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= end) return false;
      uint8_t b = base[pos++];
      v |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }

  bool fail(size_t at, std::string why) {
    problem.offset = static_cast<int64_t>(at);
    problem.reason = std::move(why);
    return false;
  }

  static bool valid_utf8(const uint8_t* p, size_t n) {
    size_t i = 0;
    while (i < n) {
      uint8_t c = p[i];
      int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
      if (len == 0 || i + static_cast<size_t>(len) > n) return false;
      for (int k = 1; k < len; ++k)
        if ((p[i + static_cast<size_t>(k)] & 0xc0) != 0x80) return false;
      i += static_cast<size_t>(len);
    }
    return true;
  }

  bool message(size_t pos, size_t end, const gp::Descriptor* d, int depth) {
    if (depth > 100) return fail(pos, "messages nested more than 100 deep");
    while (pos < end) {
      size_t tag_at = pos;
      uint64_t tag;
      if (!varint(pos, end, tag)) return fail(tag_at, "truncated field tag");
      uint32_t number = static_cast<uint32_t>(tag >> 3);
      int wire = static_cast<int>(tag & 7);
      if (number == 0) return fail(tag_at, "field number 0");
      const gp::FieldDescriptor* f = d ? d->FindFieldByNumber(static_cast<int>(number)) : nullptr;
      switch (wire) {
        case 0: {
          uint64_t v;
          if (!varint(pos, end, v)) return fail(tag_at, "truncated varint in field " + std::to_string(number));
          break;
        }
        case 1:
          if (end - pos < 8) return fail(tag_at, "truncated 64-bit field " + std::to_string(number));
          pos += 8;
          break;
        case 5:
          if (end - pos < 4) return fail(tag_at, "truncated 32-bit field " + std::to_string(number));
          pos += 4;
          break;
        case 2: {
          uint64_t len;
          if (!varint(pos, end, len)) return fail(tag_at, "truncated length of field " + std::to_string(number));
          if (len > end - pos)
            return fail(tag_at, "field " + std::to_string(number) + " claims " + std::to_string(len) +
                                    " bytes but only " + std::to_string(end - pos) + " remain");
          if (f && f->type() == gp::FieldDescriptor::TYPE_MESSAGE) {
            if (!message(pos, pos + len, f->message_type(), depth + 1)) return false;
          } else if (f && f->type() == gp::FieldDescriptor::TYPE_STRING) {
            if (!valid_utf8(base + pos, len)) return fail(pos, "string field " + f->name() + " is not valid UTF-8");
          }
          pos += len;
          break;
        }
        default: return fail(tag_at, "unsupported wire type " + std::to_string(wire) + " in field " + std::to_string(number));
      }
    }
    return true;
  }
};

}  // namespace

WireProblem find_wire_problem(const uint8_t* data, size_t size, const gp::Descriptor* d) {
  Walker w{data, {}};
  w.message(0, size, d, 0);
  return w.problem;
}

}  // namespace mlscope::format::pbread
