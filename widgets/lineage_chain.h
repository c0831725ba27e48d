// The quantization lineage of the selected op's inputs drawn as small chains of boxes, e.g.
//   [stored int8 64×3×3×3] → [constexpr_affine_dequantize · per_channel axis 0] → [conv.weight]
// from core/analysis TensorLineage records. Clicking a decode box selects that op.
#pragma once

#include "widgets/session.h"

namespace mlscope::gui {

/// Draws every lineage record of op `o` of the current function; returns false if it has none.
bool draw_lineage_chains(Document& doc, ir::OpId o);

}  // namespace mlscope::gui
