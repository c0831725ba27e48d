#!/usr/bin/env python3
"""Regenerate assets/recordings/amplified_conv_tie_w8a8_ct9.recording.json.

The fixture is a TRANSCRIPTION of the only real Mac measurements we have (seed 000/001, summarized
in ../shared/docs/seed-measurements.md): MLComputePlan with compute units ALL, and 100 repeated
predictions per compute unit. The numbers below are typed in from that document; the op list
(function, index, name, type) comes from our copy of the program,
../shared/corpus-gen/amplified_conv_tie_w8a8_ct9, read by `mlscope-cli plan --json`.

The script refuses to write if our program's op counts differ from the seed's table.

Usage: tools/make_seed_recording.py --cli build/app/mlscope-cli [--shared ../shared] [--out FILE]
"""
import argparse
import collections
import hashlib
import json
import os
import subprocess
import sys

CASE = "corpus-gen/amplified_conv_tie_w8a8_ct9"

# Seed 000 "OP TYPE COUNTS" as MLComputePlan reported them (opset prefixes included).
SEED_TYPE_COUNTS = {
    "const": 68, "ios17.dequantize": 11, "ios17.quantize": 11, "ios16.constexpr_affine_dequantize": 6,
    "ios16.silu": 5, "ios17.conv": 5, "ios16.reduce_mean": 1, "ios17.linear": 1, "ios17.mul": 1,
    "ios17.reshape": 1,
}
SEED_TYPE = {t.split(".")[-1]: t for t in SEED_TYPE_COUNTS}  # bare type -> reported type
NO_DEVICE = {"const", "constexpr_affine_dequantize"}       # 74 ops "None" in the seed
ALL_DEVICES = ["cpu", "gpu", "neural_engine"]              # "supported on CPU, GPU and NE"

# Seed 000 probe_3_drift.py: ref_logits per compute unit (fp16 values, printed as float32;
# written here as their exact binary values, which reproduce the printed margins exactly).
SEED_LOGITS = {
    "cpu_only": [3.1015625, 3.572265625],
    "cpu_and_gpu": [3.1015625, 3.572265625],
    "cpu_and_ne": [4.44140625, 3.68359375],
    "all": [4.44140625, 3.68359375],
}
RUNS = 100  # "100 repeated runs per compute unit; each unit was bit-stable"

PROVENANCE = (
    "TRANSCRIBED, not recorded by mlscope: the compute plan and predictions were measured by "
    "Core ML on a Mac on the seed document's own W8A8 file (seed 000/001; "
    "../shared/docs/seed-measurements.md) and typed in from that publication. This recording is "
    "bound to our copy of the program, ../shared/corpus-gen/amplified_conv_tie_w8a8_ct9 "
    "(coremltools 9.0, same recipe): model.sha256 is the hash of OUR file, because the Mac file's "
    "bytes are not available. Our file is very likely numerically the same as the Mac's (same op "
    "structure, op counts and output dtypes; an fp16 evaluation of ours gives the Mac's CPU_ONLY "
    "logits [3.1015625, 3.5722656] bit for bit), but that is inferred, not proven. The plan's "
    "op names and program order are ours; device usage per op type is the seed's (74 ops without "
    "device, 36 Neural Engine preferred and CPU/GPU/NE supported). Cost weights were not "
    "published (null). The input is numpy default_rng(1234).standard_normal((1,3,224,224)) as "
    "float32, i.e. that folder's input.npy (path relative to this file)."
)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def build(cli, shared, out_path):
    case = os.path.join(shared, CASE)
    model = os.path.join(case, "model.mlpackage")
    plan = json.loads(subprocess.run([cli, "plan", model, "--json"], check=True, capture_output=True, text=True).stdout)
    ops = []
    for op in plan["ops"]:
        bare = op["type"]
        if bare not in SEED_TYPE:
            sys.exit(f"make_seed_recording: op type {bare!r} does not occur in the seed's plan")
        no_device = bare in NO_DEVICE
        ops.append({"function": op["function"], "index": op["index"], "type": SEED_TYPE[bare], "name": op["name"],
                    "preferred": None if no_device else "neural_engine",
                    "supported": [] if no_device else ALL_DEVICES, "cost": None})
    counts = collections.Counter(o["type"] for o in ops)
    if dict(counts) != SEED_TYPE_COUNTS:
        sys.exit(f"make_seed_recording: our program's op counts {dict(counts)} differ from the seed's")
    input_npy = os.path.join(case, "input.npy")
    rel_input = os.path.relpath(input_npy, os.path.dirname(os.path.abspath(out_path)))
    x = {"name": "x", "dtype": "float32", "shape": [1, 3, 224, 224], "npy": rel_input, "npy_sha256": sha256(input_npy)}
    preds = [{"compute_units": cu, "inputs": [x],
              "outputs": [{"name": "y", "dtype": "float32", "shape": [1, 2], "values": y}],
              "repeat": {"runs": RUNS, "bit_stable": True, "worst_abs_diff": 0.0}}
             for cu, y in SEED_LOGITS.items()]
    return {
        "format": "mlscope-recording",
        "format_version": 1,
        "recorder": "transcription: tools/make_seed_recording.py from ../shared/docs/seed-measurements.md (seed 000/001)",
        "recorded_on": "the seed document's Mac (model and OS not published)",
        "coremltools_version": "not published (model converted for macOS14)",
        "provenance": PROVENANCE,
        "model": {"hashed_file": "Data/com.apple.CoreML/model.mlmodel", "format": "mlpackage",
                  "sha256": sha256(os.path.join(model, "Data/com.apple.CoreML/model.mlmodel")), "op_count": len(ops)},
        "compute_plan": {"compute_units": "all", "ops": ops},
        "predictions": preds,
    }


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    ap = argparse.ArgumentParser(description="Regenerate the seed recording fixture.")
    ap.add_argument("--cli", required=True, help="path of the mlscope-cli binary")
    ap.add_argument("--shared", default=os.path.join(repo, "..", "shared"), help="the shared corpus folder")
    ap.add_argument("--out", default=os.path.join(repo, "assets/recordings/amplified_conv_tie_w8a8_ct9.recording.json"))
    args = ap.parse_args()
    doc = build(args.cli, args.shared, args.out)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
