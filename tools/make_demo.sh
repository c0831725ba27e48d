#!/usr/bin/env bash
# Rebuilds assets/demo/: the seed's amplified conv-tie W8A8 program (coremltools 9.0 copy from
# ../shared/corpus-gen/amplified_conv_tie_w8a8_ct9) re-saved with mlscope's own writer, its seed
# input, and the seed's transcribed Mac recording bound to this copy.
# Usage: tools/make_demo.sh [build/app/mlscope-cli] [../shared]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLI="${1:-$ROOT/build/app/mlscope-cli}"
SHARED="${2:-$ROOT/../shared}"
CASE="$SHARED/corpus-gen/amplified_conv_tie_w8a8_ct9"
OUT="$ROOT/assets/demo"
mkdir -p "$OUT"
"$CLI" write "$CASE/model.mlpackage" "$OUT/amplified_conv_tie_w8a8.mlpackage" --force
cp "$CASE/input.npy" "$OUT/input.npy"
python3 "$ROOT/tools/make_seed_recording.py" --cli "$CLI" --shared "$SHARED" \
  --model "$OUT/amplified_conv_tie_w8a8.mlpackage" --input-npy "$OUT/input.npy" \
  --out "$OUT/amplified_conv_tie_w8a8.recording.json"
echo "demo written to $OUT"
