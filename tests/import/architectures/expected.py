"""Reference outputs of the architecture exports, for tests/import/test_architectures.cpp.

Runs each .onnx here with make.py's numpy interpreter of ONNX graphs (written
apart from nninv's reader, and checked against PyTorch by make.py) in float64,
at a few inputs whose entries are multiples of 1/8, and writes expected.json:
{"file.onnx": [{"x": [...], "y": [...]}, ...]}. nninv's exact evaluation of
the network it read must agree to float precision.

Run: /usr/bin/python3 expected.py   (numpy, onnx; no PyTorch needed)
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make import run_onnx  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = set()  # every export, smooth activations and heads included


def as_float64(model):
    for init in model.graph.initializer:
        a = numpy_helper.to_array(init)
        if a.dtype == np.float32:
            init.CopyFrom(numpy_helper.from_array(a.astype(np.float64), init.name))
    return model


def main():
    rng = np.random.default_rng(2026)
    out = {}
    for name in sorted(os.listdir(HERE)):
        if not name.endswith(".onnx") or name in SKIP:
            continue
        model = as_float64(onnx.load(os.path.join(HERE, name)))
        dims = [d.dim_value or 1 for d in model.graph.input[0].type.tensor_type.shape.dim]
        cases = []
        for _ in range(4):
            x = rng.integers(-24, 25, size=dims).astype(np.float64) / 8.0
            y = np.asarray(run_onnx(model, x), dtype=np.float64).reshape(-1)
            cases.append({"x": x.reshape(-1).tolist(), "y": y.tolist()})
        out[name] = cases
        print(name, len(cases))
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
