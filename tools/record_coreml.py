#!/usr/bin/env python3
"""Record a Core ML compute plan and per-compute-unit predictions on a Mac, for mlscope.

Writes the mlscope recording format (docs/recording-format.md, docs/recording.schema.json):
  * the model's identity (SHA-256 of one file, chosen as mlscope does, and the op count),
  * MLComputePlan per op in program order (preferred device, supported devices, cost weight),
  * predictions for cpu_only, cpu_and_gpu, cpu_and_ne and all, each repeated --runs times
    (bit-stable or not, worst absolute difference to the first prediction).

Usage (macOS, coremltools >= 8 and numpy installed):
  python3 tools/record_coreml.py model.mlpackage --input x=input.npy --runs 100 --out rec.json
  mlscope-cli plan model.mlpackage --recording rec.json

`--self-test` writes a sample recording from fake data (no coremltools, no numpy, any OS); the
mlscope tests check that sample against the schema and the C++ loader.
"""
import argparse
import hashlib
import json
import os
import platform
import sys

RECORDER = "tools/record_coreml.py 1"
COMPUTE_UNITS = ["cpu_only", "cpu_and_gpu", "cpu_and_ne", "all"]
DEVICE_NAMES = {  # MLComputePlan device classes -> recording names
    "MLCPUComputeDevice": "cpu",
    "MLGPUComputeDevice": "gpu",
    "MLNeuralEngineComputeDevice": "neural_engine",
}
INLINE_LIMIT = 4096  # larger tensors go to .npy files beside the recording


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def model_identity(model_path):
    """(format, hashed_file, full path of the hashed file): the same choice as core/recording/model_identity.h."""
    p = model_path.rstrip("/")
    if p.endswith(".mlpackage"):
        rel = "Data/com.apple.CoreML/model.mlmodel"
        return "mlpackage", rel, os.path.join(p, rel)
    if p.endswith(".mlmodelc"):
        rel = "model.mil" if os.path.exists(os.path.join(p, "model.mil")) else "coremldata.bin"
        return "mlmodelc", rel, os.path.join(p, rel)
    fmt = "mil" if p.endswith(".mil") else "mlmodel"
    return fmt, os.path.basename(p), p


def make_recording(identity, op_count, plan_ops, predictions, recorded_on, ct_version, provenance):
    """The recording document; identity = (format, hashed_file, sha256)."""
    fmt, hashed_file, sha = identity
    return {
        "format": "mlscope-recording",
        "format_version": 1,
        "recorder": RECORDER,
        "recorded_on": recorded_on,
        "coremltools_version": ct_version,
        "provenance": provenance,
        "model": {"hashed_file": hashed_file, "format": fmt, "sha256": sha, "op_count": op_count},
        "compute_plan": {"compute_units": "all", "ops": plan_ops},
        "predictions": predictions,
    }


def plan_entry(function, index, op_type, name, preferred, supported, cost):
    return {"function": function, "index": index, "type": op_type, "name": name,
            "preferred": preferred, "supported": supported, "cost": cost}


def prediction_entry(compute_units, inputs, outputs, runs, bit_stable, worst_abs_diff):
    return {"compute_units": compute_units, "inputs": inputs, "outputs": outputs,
            "repeat": {"runs": runs, "bit_stable": bit_stable, "worst_abs_diff": worst_abs_diff}}


def self_test_recording():
    """A small recording from fake data: what a two-op program would produce."""
    fake_sha = hashlib.sha256(b"mlscope self-test model").hexdigest()
    ops = [
        plan_entry("main", 0, "const", "w", None, [], None),
        plan_entry("main", 1, "ios17.linear", "y", "neural_engine", ["cpu", "gpu", "neural_engine"], 1.0),
    ]
    x = {"name": "x", "dtype": "float32", "shape": [1, 2], "values": [0.5, -1.0]}
    preds = []
    for cu, y in zip(COMPUTE_UNITS, ([1.0, 2.0], [1.0, 2.0], [1.0009766, 2.0], [1.0009766, 2.0])):
        out = {"name": "y", "dtype": "float16", "shape": [1, 2], "values": y}
        preds.append(prediction_entry(cu, [x], [out], 10, True, 0.0))
    return make_recording(("mlpackage", "Data/com.apple.CoreML/model.mlmodel", fake_sha), 2, ops, preds,
                          "self-test (no Mac)", "none", "fake data written by --self-test")


# ---------------------------------------------------------------------------------------------
# Mac-only part (coremltools + numpy imported lazily so --self-test runs anywhere).

def device_name(device):
    return None if device is None else DEVICE_NAMES.get(type(device).__name__, type(device).__name__)


def walk_ops(operations):
    """Ops in mlscope's program order: each op, then the ops of its nested blocks (pre-order)."""
    for op in operations:
        yield op
        for block in getattr(op, "blocks", []) or []:
            yield from walk_ops(block.operations)


def record_plan(ct, compiled_path):
    plan = ct.models.compute_plan.MLComputePlan.load_from_path(
        path=compiled_path, compute_units=ct.ComputeUnit.ALL)
    entries = []
    program = plan.model_structure.program
    if program is not None:
        for fname, fn in program.functions.items():
            for i, op in enumerate(walk_ops(fn.block.operations)):
                usage = plan.get_compute_device_usage_for_mlprogram_operation(op)
                cost = plan.get_estimated_cost_for_mlprogram_operation(op)
                name = op.outputs[0].name if getattr(op, "outputs", None) else ""
                entries.append(plan_entry(
                    fname, i, op.operator_name, name,
                    device_name(usage.preferred_compute_device) if usage else None,
                    sorted({device_name(d) for d in usage.supported_compute_devices}) if usage else [],
                    cost.weight if cost is not None else None))
    elif plan.model_structure.neuralnetwork is not None:
        for i, layer in enumerate(plan.model_structure.neuralnetwork.layers):
            usage = plan.get_compute_device_usage_for_neuralnetwork_layer(layer)
            cost = plan.get_estimated_cost_for_neuralnetwork_layer(layer) if hasattr(
                plan, "get_estimated_cost_for_neuralnetwork_layer") else None
            entries.append(plan_entry(
                "main", i, layer.type, layer.name,  # mlscope names the NeuralNetwork function "main"
                device_name(usage.preferred_compute_device) if usage else None,
                sorted({device_name(d) for d in usage.supported_compute_devices}) if usage else [],
                cost.weight if cost is not None else None))
    else:
        sys.exit("record_coreml: the compute plan has neither an ML program nor a NeuralNetwork")
    return entries


def tensor_entry(np, name, arr, out_dir, stem, npy_path=None):
    arr = np.asarray(arr)
    entry = {"name": name, "dtype": str(arr.dtype), "shape": list(arr.shape)}
    if npy_path is None and arr.size <= INLINE_LIMIT:
        entry["values"] = [float(v) for v in arr.reshape(-1)]
        return entry
    if npy_path is None:
        npy_path = os.path.join(out_dir, stem + ".npy")
        np.save(npy_path, arr)
    entry["npy"] = os.path.relpath(npy_path, out_dir)
    entry["npy_sha256"] = sha256_file(npy_path)
    return entry


def record_predictions(ct, np, model_path, inputs, input_files, runs, out_dir, units):
    cu_enum = {"cpu_only": ct.ComputeUnit.CPU_ONLY, "cpu_and_gpu": ct.ComputeUnit.CPU_AND_GPU,
               "cpu_and_ne": ct.ComputeUnit.CPU_AND_NE, "all": ct.ComputeUnit.ALL}
    results = []
    for cu in units:
        model = ct.models.MLModel(model_path, compute_units=cu_enum[cu])
        ref = {k: np.asarray(v) for k, v in model.predict(inputs).items()}
        bit_stable, worst = True, 0.0
        for _ in range(runs):
            cur = model.predict(inputs)
            for k, v in ref.items():
                c = np.asarray(cur[k])
                if not np.array_equal(c, v):
                    bit_stable = False
                if v.dtype.kind in "fiu":
                    worst = max(worst, float(np.max(np.abs(c.astype(np.float64) - v.astype(np.float64)))) if v.size else 0.0)
        ins = [tensor_entry(np, k, v, out_dir, f"input_{k}", input_files.get(k)) for k, v in inputs.items()]
        outs = [tensor_entry(np, k, v, out_dir, f"{cu}_{k}") for k, v in ref.items()]
        results.append(prediction_entry(cu, ins, outs, runs, bit_stable, worst))
    return results


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model", nargs="?", help=".mlpackage, .mlmodel or .mlmodelc")
    ap.add_argument("--out", help="recording file to write (default: stdout)")
    ap.add_argument("--input", action="append", default=[], metavar="NAME=FILE.npy",
                    help="model input from an .npy file (repeatable)")
    ap.add_argument("--runs", type=int, default=100, help="repeated predictions per compute unit (default 100)")
    ap.add_argument("--compute-units", default=",".join(COMPUTE_UNITS),
                    help="comma-separated subset of " + ",".join(COMPUTE_UNITS))
    ap.add_argument("--no-predictions", action="store_true", help="record the compute plan only")
    ap.add_argument("--self-test", action="store_true", help="write a sample recording from fake data and exit")
    args = ap.parse_args(argv)

    if args.self_test:
        doc = self_test_recording()
    else:
        if not args.model:
            ap.error("MODEL is required (or --self-test)")
        units = [u for u in args.compute_units.split(",") if u]
        for u in units:
            if u not in COMPUTE_UNITS:
                ap.error(f"unknown compute units {u!r}")
        import numpy as np  # noqa: E402 (Mac-only dependencies)
        import coremltools as ct
        out_dir = os.path.dirname(os.path.abspath(args.out)) if args.out else os.getcwd()
        fmt, rel, hashed = model_identity(args.model)
        if args.model.rstrip("/").endswith(".mlmodelc"):
            compiled = args.model
        else:
            # Keep the MLModel alive while the plan reads its compiled copy.
            holder = ct.models.MLModel(args.model, compute_units=ct.ComputeUnit.ALL)
            compiled = holder.get_compiled_model_path()
        plan = record_plan(ct, compiled)
        preds = []
        if not args.no_predictions:
            inputs, files = {}, {}
            for spec in args.input:
                name, _, path = spec.partition("=")
                if not path:
                    ap.error(f"--input expects NAME=FILE.npy, got {spec!r}")
                inputs[name] = np.load(path)
                files[name] = os.path.abspath(path)
            if not inputs:
                ap.error("predictions need --input NAME=FILE.npy (or pass --no-predictions)")
            preds = record_predictions(ct, np, args.model, inputs, files, args.runs, out_dir, units)
        doc = make_recording((fmt, rel, sha256_file(hashed)), len(plan), plan, preds,
                             f"macOS {platform.mac_ver()[0]}, {platform.machine()}", ct.__version__,
                             "recorded with coremltools MLComputePlan and MLModel.predict")
    text = json.dumps(doc, indent=1) + "\n"
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
