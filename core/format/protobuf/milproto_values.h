// MIL.proto types and values → ir::Type / ir::Constant (internal to core/format).
#pragma once

#include <memory>
#include <string>

#include "core/format/protobuf/read_context.h"
#include "core/ir/constant.h"
#include "mil.pb.h"

namespace mlscope::format::pbread {

/// Throws mlscope::Error naming ctx.file and `op` on unknown dtypes / oversize dimensions.
ir::Type convert_value_type(const pb::mil::ValueType& t, const ReadContext& ctx, const std::string& op);
/// Immediate or blob-backed value → Constant, validated (size vs dtype × shape; blob record read,
/// data pages not touched). Errors name the op.
std::shared_ptr<const ir::Constant> convert_value(const pb::mil::Value& v, ReadContext& ctx, const std::string& op);

}  // namespace mlscope::format::pbread
