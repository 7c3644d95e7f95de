#!/usr/bin/env python3
"""Lipschitz bounds (issue 16): certified bounds against the plain product of
layer norms and against sampled quotients, in one run.

For each generated net and norm it runs `nninv lipschitz --json` and reports
  upper / layer_product   how much the enclosure improves on the product (<= 1)
  sampled_max / upper     the largest sampled ||f(a)-f(b)||/||a-b|| over L (<= 1;
                          1 means the bound is tight)
  inverse_lower / sampled_min   the certified modulus m over the smallest
                          sampled quotient (<= 1; 0 when no m > 0 is proved)
  blocks / without_blocks the block-composition modulus (decide::lipschitz_bounds)
                          over the best other lower source, in the same run
Sampled quotients are floating point estimates (they only show the gap).
Besides the generated nets it measures the invertible PyTorch exports of
tests/import/architectures (i-ResNet and NICE stacks), converted to JSON by
`nninv convert` for the sampler.
usage: benchmarks/lipschitz.py BUILD_DIR   (writes benchmarks/results/lipschitz.{csv,md})
"""
import csv, json, os, random, subprocess, sys, tempfile, time
from fractions import Fraction

import numpy as np

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
nninv = os.path.join(sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "build"), "nninv")


def q(x):
    return str(Fraction(x).limit_denominator(64))


def residual(rng, n, hidden, scale):
    """x + g(x) as a chain: rows [I; -I; W1], columns [I, -I, W2]."""
    w1 = [[rng.choice([-1, 1]) * rng.randint(1, 4) / 4 for _ in range(n)] for _ in range(hidden)]
    w2 = [[scale * rng.uniform(-1, 1) for _ in range(hidden)] for _ in range(n)]
    first = [[1 if j == i else 0 for j in range(n)] for i in range(n)]
    first += [[-1 if j == i else 0 for j in range(n)] for i in range(n)] + w1
    b1 = [0] * (2 * n) + [rng.randint(-2, 2) / 2 for _ in range(hidden)]
    second = [[(1 if j == i else -1 if j == n + i else 0) for j in range(2 * n)] + w2[i] for i in range(n)]
    return [("dense", first, b1), ("relu",), ("dense", second, [0] * n)]


def leaky(rng, n, depth, alpha):
    layers = []
    for k in range(depth):
        w = [[rng.uniform(-1, 1) + (2 if i == j else 0) for j in range(n)] for i in range(n)]
        layers.append(("dense", w, [rng.uniform(-1, 1) for _ in range(n)]))
        if k + 1 < depth:
            layers.append(("leaky", alpha))
    return layers


def to_json(name, n, layers):
    out = []
    for l in layers:
        if l[0] == "dense":
            out.append({"type": "dense", "weights": [[q(v) for v in r] for r in l[1]], "bias": [q(v) for v in l[2]]})
        elif l[0] == "relu":
            out.append({"type": "relu"})
        else:
            out.append({"type": "leaky_relu", "alpha": q(l[1])})
    return {"name": name, "input_dim": n, "layers": out}


def evaluate(net, x):
    for l in net["layers"]:
        if l["type"] == "identity":
            continue
        if l["type"] == "dense":
            w = np.array([[float(Fraction(v)) for v in r] for r in l["weights"]])
            x = w @ x + np.array([float(Fraction(v)) for v in l.get("bias", [0] * len(w))])
        elif l["type"] == "relu":
            x = np.maximum(x, 0)
        else:
            a = float(Fraction(l["alpha"]))
            x = np.where(x >= 0, x, a * x)
    return x


def sampled(net, norm, rng, pairs=3000):
    n = net["input_dim"]
    p = {"inf": np.inf, "1": 1, "2": 2}[norm]
    hi, lo = 0.0, float("inf")
    for k in range(pairs):
        a = np.array([rng.uniform(-3, 3) for _ in range(n)])
        d = np.array([rng.uniform(-1, 1) for _ in range(n)]) * (1e-3 if k % 2 else 1)
        r = np.linalg.norm(evaluate(net, a + d) - evaluate(net, a), p) / np.linalg.norm(d, p)
        hi, lo = max(hi, r), min(lo, r)
    return hi, lo


def main():
    rng = random.Random(16)
    family = []
    for n in (2, 4, 8):
        for hidden in (8, 16):
            family.append((f"iresnet_n{n}_h{hidden}", n, residual(rng, n, hidden, 0.5 / hidden)))
    for n in (2, 4, 8):
        for depth in (2, 4):
            family.append((f"leaky_n{n}_d{depth}", n, leaky(rng, n, depth, 0.1)))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        nets = []
        for name, n, layers in family:
            net = to_json(name, n, layers)
            path = os.path.join(tmp, name + ".json")
            with open(path, "w") as f:
                json.dump(net, f)
            nets.append((name, net, path))
        arch = os.path.join(root, "tests", "import", "architectures")
        for stem in ("iresnet_block_8", "iresnet_stack4_8", "iresnet_leaky_stack2_8", "nice_coupling_1_4",
                     "nice_stack4_8"):
            path = os.path.join(tmp, stem + ".json")
            subprocess.run([nninv, "convert", os.path.join(arch, stem + ".onnx"), path], check=True,
                           capture_output=True)
            with open(path) as f:
                nets.append((stem, json.load(f), path))
        for name, net, path in nets:
            n = net["input_dim"]
            for norm in ("inf", "1", "2"):
                start = time.monotonic()
                cert = os.path.join(tmp, "c.json")
                out = subprocess.run([nninv, "lipschitz", path, "--norm", norm, "--json", "--certificate", cert],
                                     capture_output=True, text=True, timeout=120)
                seconds = time.monotonic() - start
                j = json.loads(out.stdout)
                checked = subprocess.run([nninv + "-check", path, cert], capture_output=True, text=True).returncode == 0
                upper, m = float(Fraction(j["upper"])), float(Fraction(j["inverse_lower"]))
                product = float(Fraction(j["sources"]["layer_product"]))
                smax, smin = sampled(net, norm, rng)
                src = j["sources"]
                others = [float(Fraction(src[k])) for k in ("layer_composition", "jacobian_k") if k in src]
                without = max(others, default=0.0)
                blocks = float(Fraction(src["blocks"])) if "blocks" in src else None
                rows.append({"net": name, "norm": norm, "upper": f"{upper:.4g}", "layer_product": f"{product:.4g}",
                             "upper_over_product": f"{upper / product:.3f}" if product else "",
                             "sampled_max_over_upper": f"{smax / upper:.3f}" if upper else "",
                             "inverse_lower": f"{m:.4g}", "lower_over_sampled_min": f"{m / smin:.3f}" if smin else "",
                             "blocks": f"{blocks:.4g}" if blocks is not None else "",
                             "blocks_over_without": (f"{blocks / without:.3g}" if without else "inf")
                             if blocks is not None else "",
                             "certified": checked, "seconds": f"{seconds:.3f}"})
                print(rows[-1], flush=True)
    res = os.path.join(root, "benchmarks", "results")
    with open(os.path.join(res, "lipschitz.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with open(os.path.join(res, "lipschitz.md"), "w") as f:
        f.write("# Lipschitz bounds: certified vs layer-norm product vs sampled\n\n")
        f.write("Generated by `benchmarks/lipschitz.py build` (seed 16; sampled quotients: 3000 float pairs in [-3, 3]^n).\n")
        f.write("Ratios: upper/product <= 1 (smaller: the enclosure helps more); sampled/upper <= 1 (1: tight);\n")
        f.write("m/sampled_min <= 1 (0: no modulus proved); blocks: the block-composition modulus, and its ratio to the\n")
        f.write("best other lower source of the same run (inf: the others prove nothing; empty: not a chain of\n")
        f.write("bijective blocks, or a contraction in another norm only).\n\n")
        f.write("| " + " | ".join(rows[0]) + " |\n|" + "---|" * len(rows[0]) + "\n")
        for r in rows:
            f.write("| " + " | ".join(str(v) for v in r.values()) + " |\n")
        def med(key, pick):
            v = sorted(float(r[key]) for r in rows if pick(r) and r[key] != "")
            return v[len(v) // 2] if v else float("nan")
        f.write("\nMedians: ")
        for fam in ("iresnet_n", "leaky", "iresnet_block", "iresnet_stack", "iresnet_leaky", "nice"):
            pick = lambda r, fam=fam: r["net"].startswith(fam)
            f.write(f"{fam}: upper/product {med('upper_over_product', pick):.3f}, sampled/upper "
                    f"{med('sampled_max_over_upper', pick):.3f}, m/sampled_min {med('lower_over_sampled_min', pick):.3f}; ")
        f.write(f"certified {sum(r['certified'] for r in rows)} of {len(rows)}.\n")


main()
