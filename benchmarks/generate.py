#!/usr/bin/python3
"""Generator of the scalable benchmark families of nninv (see benchmarks/README.md).

Standard library only, deterministic (fixed seeds), run from anywhere:

    /usr/bin/python3 benchmarks/generate.py            # full suite
    /usr/bin/python3 benchmarks/generate.py --quick    # the small smoke subset
    /usr/bin/python3 benchmarks/generate.py --list     # print the manifest only

Writes benchmarks/instances/<family>/<name>.json and
benchmarks/instances/manifest.csv (one row per instance: id, family, size
label, property, input dim, ReLU count, depth, the answer if it is known by
construction, file, sha256). The instance files are not checked in (some are
hundreds of KB); the generator recreates them bit for bit.

Every number is written as an exact decimal (JSON number token, e.g. -0.37) or
an exact rational string "p/q"; nothing depends on floating point. Random
weights are random.Random(seed) draws rounded to two decimals, so the same
seed gives the same file on every platform.

Families (sizes grow along each ladder; "relus" counts hidden ReLU/leaky units):
  random     square ReLU nets n -> w x d -> n on R^n, w = 2n..4n, n = 2..16,
             4..320 ReLUs
  expansive  one ReLU layer x -> relu(W x + b), W random m x n with
             m = 2n, 3n, 4n, 7n (2n is necessary, Puthawala et al.; for Gaussian
             W without bias and n -> infinity the threshold is about 6.7n,
             Maillard et al. 2023), n = 2..20 (2..200 for m = 2n), on R^n;
             one ladder per ratio
  leaky      square leaky-ReLU nets n -> 2n x d -> n (alpha 1/10..1/2) with a
             width-n bottleneck in the middle, so that no layer-by-layer
             argument applies
  split      the identity in disguise: k blocks [W;-W] -> relu -> [M,-M]
             (each computes x -> M (W x + b) + c) with random invertible W, M,
             after a random invertible mixing layer; always injective
  box        random square ReLU nets on boxes [c-r, c+r]^n, r = 1/100, 1/10, 1;
             one ladder per radius
  surjective square ReLU / leaky nets n -> 2n -> n onto the box [-1,1]^n, on
             R^n or a box (question: surjective); one ladder per activation
  real       the networks in ../shared/nets/ that nninv's loaders read
             (probed at generation time, see REAL_NETS below)
"""
import argparse
import csv
import hashlib
import json
import math
import os
import random
import subprocess
import sys
from fractions import Fraction as F

HERE = os.path.dirname(os.path.abspath(__file__))
INSTANCES = os.path.join(HERE, "instances")
SHARED_NETS = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "nets"))
DEFAULT_NNINV = os.path.normpath(os.path.join(HERE, "..", "build-bench", "nninv"))


# --------------------------------------------------------------------------- numbers
def dec(rng, scale=1.0, digits=2):
    """A random weight ~ N(0, scale^2), as an exact decimal Fraction with `digits` decimals."""
    q = 10 ** digits
    v = round(rng.gauss(0.0, scale) * q)
    return F(v, q)


def token(v):
    """JSON text for an exact number: a decimal token when the denominator is 2^a 5^b, else "p/q"."""
    v = F(v)
    if v.denominator == 1:
        return str(v.numerator)
    d = v.denominator
    k = 0
    while d % 2 == 0 or d % 5 == 0:
        d //= 2 if d % 2 == 0 else 5
        k += 1
    if d == 1:  # finite decimal: scale to 10^k exactly
        for e in range(1, 64):
            if (10 ** e) % v.denominator == 0:
                num = v.numerator * (10 ** e // v.denominator)
                s = str(abs(num)).rjust(e + 1, "0")
                s = s[:-e] + "." + s[-e:]
                s = s.rstrip("0").rstrip(".")
                return ("-" if num < 0 else "") + s
    return json.dumps(f"{v.numerator}/{v.denominator}")


def dump(v):
    if v is None:
        return "null"
    if isinstance(v, F) or (isinstance(v, int) and not isinstance(v, bool)):
        return token(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(dump(e) for e in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(json.dumps(k) + ": " + dump(e) for k, e in v.items()) + "}"
    raise TypeError(repr(v))


# --------------------------------------------------------------------------- layers
def D(W, b=None):
    d = {"type": "dense", "weights": W}
    if b is not None:
        d["bias"] = b
    return d


def R():
    return {"type": "relu"}


def LK(alpha):
    return {"type": "leaky_relu", "alpha": F(alpha)}


def rand_matrix(rng, rows, cols, scale=None):
    s = scale if scale is not None else 1.0 / max(1.0, cols) ** 0.5
    return [[dec(rng, s) for _ in range(cols)] for _ in range(rows)]


def rand_vector(rng, k, scale=0.5):
    return [dec(rng, scale) for _ in range(k)]


def det(M):
    """Exact determinant (fraction-free Bareiss elimination on the common-denominator integer matrix)."""
    n = len(M)
    M = [[F(e) for e in r] for r in M]
    q = 1
    for r in M:
        for e in r:
            q = q * e.denominator // math.gcd(q, e.denominator)
    A = [[int(e * q) for e in r] for r in M]
    sign, prev = 1, 1
    for c in range(n - 1):
        p = next((i for i in range(c, n) if A[i][c] != 0), None)
        if p is None:
            return F(0)
        if p != c:
            A[c], A[p] = A[p], A[c]
            sign = -sign
        for i in range(c + 1, n):
            for j in range(c + 1, n):
                A[i][j] = (A[i][j] * A[c][c] - A[i][c] * A[c][j]) // prev
        prev = A[c][c]
    return F(sign * A[n - 1][n - 1], q ** n)


def rand_invertible(rng, n):
    """Random n x n matrix with |det| bounded away from 0 relative to its size (exact check)."""
    while True:
        W = rand_matrix(rng, n, n, 1.0 / n ** 0.5)
        if abs(det(W)) > F(1, 10 ** 3):
            return W


def neg_rows(W):
    return [[-e for e in r] for r in W]


def relus_of(layers):
    """Number of hidden activation units (ReLU or leaky) = widths of the activation layers."""
    width, count = None, 0
    for lay in layers:
        if lay["type"] == "dense":
            width = len(lay["weights"])
        elif lay["type"] in ("relu", "leaky_relu"):
            count += width
    return count


def depth_of(layers):
    return sum(1 for lay in layers if lay["type"] in ("relu", "leaky_relu"))


# --------------------------------------------------------------------------- families
class Inst:
    def __init__(self, family, size, name, prop, n, layers, expect="", domain=None, codomain=None, note="", ladder=""):
        self.family, self.size, self.name, self.prop = family, size, name, prop
        self.ladder = ladder  # the runner's cut-off follows growing sizes inside one (family, ladder)
        self.n, self.layers, self.expect = n, layers, expect
        self.domain, self.codomain, self.note = domain, codomain, note
        self.path = None  # for real networks: an existing file

    def network(self):
        net = {"name": self.name, "input_dim": self.n}
        if self.domain is not None:
            net["domain"] = self.domain
        if self.codomain is not None:
            net["codomain"] = self.codomain
        net["layers"] = self.layers
        return net


def square_relu_net(rng, n, w, d, act="relu", alpha=None, bottleneck=False):
    """n -> w (x d hidden layers) -> n. With bottleneck, a width-n dense layer
    followed by the activation sits in the middle of the hidden stack."""
    layers, cur = [], n
    widths = [w] * d
    if bottleneck and d >= 2:
        widths[d // 2] = n
    for wd in widths:
        layers.append(D(rand_matrix(rng, wd, cur), rand_vector(rng, wd)))
        layers.append(R() if act == "relu" else LK(alpha))
        cur = wd
    layers.append(D(rand_matrix(rng, n, cur), rand_vector(rng, n)))
    return layers


def fam_random(quick):
    # (n, w, d): relus = w d, from 4 up to 320; sizes in ladder order (growing)
    ladder = [(2, 4, 1), (2, 8, 1), (2, 8, 2), (3, 6, 2), (3, 12, 2), (4, 16, 2), (5, 20, 2), (8, 32, 3), (10, 40, 4), (12, 48, 5), (16, 64, 5)]
    seeds = 2  # for n <= 5; one seed above
    if quick:
        ladder, seeds = [(2, 4, 1), (2, 8, 2), (5, 20, 2)], 1
    out = []
    for n, w, d in ladder:
        for s in range(seeds if n <= 5 else 1):
            rng = random.Random(1000 * n + 10 * d + w * 100000 + s)
            layers = square_relu_net(rng, n, w, d)
            out.append(Inst("random", f"n{n}_w{w}_d{d}", f"random_n{n}_w{w}_d{d}_s{s}", "injective", n, layers))
    return out


def fam_expansive(quick):
    # one layer relu(W x + b), W m x n, m = r n
    # one ladder per ratio m / n; the m = 2n ladder goes on to 400 ReLUs
    ladder = [(n, r) for r in (2, 3, 4, 7) for n in ((2, 3, 6, 10, 20, 50, 100, 200) if r == 2 else (2, 3, 6, 10, 20))]
    seeds = 1
    if quick:
        ladder = [(3, 2), (3, 5), (10, 3)]
    out = []
    for n, r in ladder:
        for s in range(seeds):
            rng = random.Random(20000 + 100 * n + 10 * r + s)
            m = r * n
            layers = [D(rand_matrix(rng, m, n, 1.0), rand_vector(rng, m, 0.3)), R()]
            out.append(Inst("expansive", f"m{r}n_n{n}", f"expansive_n{n}_m{m}_s{s}", "injective", n, layers,
                            ladder=f"m={r}n"))
    return out


def fam_leaky(quick):
    ladder = [(2, 2), (2, 3), (3, 2), (3, 3), (4, 3), (6, 3), (8, 4), (12, 5), (20, 6)]
    seeds = 2  # for n <= 3; one seed above
    if quick:
        ladder, seeds = [(2, 2), (3, 3)], 1
    out = []
    for n, d in ladder:
        for s in range(seeds if n <= 3 else 1):
            rng = random.Random(30000 + 100 * n + 10 * d + s)
            alpha = [F(1, 10), F(1, 4), F(1, 2)][(n + s) % 3]
            w = 2 * n
            layers = square_relu_net(rng, n, w, d, act="leaky", alpha=alpha, bottleneck=True)
            out.append(Inst("leaky", f"n{n}_w{w}_d{d}", f"leaky_n{n}_w{w}_d{d}_s{s}", "injective", n, layers))
    return out


def fam_split(quick):
    # (n, blocks): relus = 2 n k
    ladder = [(2, 1), (3, 1), (2, 2), (4, 1), (3, 2), (6, 2), (8, 3), (12, 4), (16, 6), (20, 8)]
    seeds = 1
    if quick:
        ladder = [(2, 1), (3, 1), (3, 2)]
    out = []
    for n, k in ladder:
        for s in range(seeds):
            rng = random.Random(40000 + 100 * n + 10 * k + s)
            layers = [D(rand_invertible(rng, n), rand_vector(rng, n))]  # mixing layer
            for _ in range(k):
                W, b = rand_invertible(rng, n), rand_vector(rng, n)
                layers.append(D(W + neg_rows(W), b + [-e for e in b]))
                layers.append(R())
                mix = rand_invertible(rng, n)  # [M, -M] = M [I, -I]: recombine and mix at once
                layers.append(D([row + [-e for e in row] for row in mix], rand_vector(rng, n)))
            out.append(Inst("split", f"n{n}_k{k}", f"split_n{n}_k{k}_s{s}", "injective", n, layers,
                            expect="holds", note="affine bijection in disguise"))
    return out


def fam_box(quick):
    # the same net on boxes of growing radius around a random centre; nets grow too
    radii = [F(1, 100), F(1, 10), F(1)]
    nets = [(2, 8, 2), (4, 16, 2), (16, 64, 5)]
    if quick:
        radii, nets = [F(1, 100), F(1)], [(2, 8, 2)]
    out = []
    for r in radii:  # one ladder per radius, nets growing
        for n, w, d in nets:
            rng = random.Random(50000 + 100 * n + d)  # same net for every radius
            layers = square_relu_net(rng, n, w, d)
            crng = random.Random(50500 + 100 * n + d)
            c = [dec(crng, 0.5) for _ in range(n)]
            dom = {"lower": [ci - r for ci in c], "upper": [ci + r for ci in c]}
            rs = token(r).replace(".", "p").replace('"', "")
            out.append(Inst("box", f"r{rs}_n{n}_w{w}_d{d}", f"box_n{n}_w{w}_d{d}_r{rs}", "injective", n, layers,
                            domain=dom, ladder=f"r={token(r)}"))
    return out


def fam_surjective(quick):
    # square nets n -> w -> n onto the box [-1,1]^n; relu and leaky; some on a domain box
    ladder = [(2, 4, "relu", False), (3, 6, "relu", False), (4, 8, "relu", False), (5, 10, "relu", True),
              (8, 16, "relu", False),
              (2, 6, "leaky", False), (3, 6, "leaky", True), (4, 8, "leaky", False), (8, 16, "leaky", False)]
    if quick:
        ladder = [ladder[0], ladder[5]]
    out = []
    for n, w, act, boxed in ladder:
        rng = random.Random(60000 + 100 * n + w + (7 if act == "leaky" else 0))
        layers = square_relu_net(rng, n, w, 1, act=act, alpha=F(1, 4))
        dom = {"lower": [F(-4)] * n, "upper": [F(4)] * n} if boxed else None
        cod = {"lower": [F(-1)] * n, "upper": [F(1)] * n}
        tag = f"n{n}_w{w}_{act}" + ("_box" if boxed else "")
        out.append(Inst("surjective", tag, f"surj_{tag}", "surjective", n, layers, domain=dom, codomain=cod,
                        ladder=act))
    return out


# --------------------------------------------------------------------------- real networks (HOOK)
# HOOK for the NNet/ONNX loader: the real networks of ../shared/nets/ are
# included as they are (no conversion here) as soon as nninv reads them.
# `loader_reads(nninv, file)` asks the binary; when it returns True for the
# probe file, every file in REAL_NETS is added to the suite, family "real".
REAL_PROBE = "marabou/fc_2-2-3.nnet"
# (file under ../shared/nets, shape label, input dim, hidden ReLUs) -- shapes from ../shared/nets/SOURCES.md
REAL_NETS = [
    ("marabou/fc_2-2-3.nnet", "2-2-3", 2, 2),
    ("marabou/test_small_vnncomp.onnx", "1-2-2-1", 1, 4),
    ("marabou/twin_ladder-5_inp-2_layers-5_width-1_margin.nnet", "5-10-1", 5, 10),
    ("marabou/fc1.onnx", "2-25x3-2", 2, 75),
    ("marabou/mnist10x10.nnet", "784-10x10-10", 784, 100),
    ("marabou/reluBenchmark0.221790075302s_SAT.nnet", "6-40-40-38-19-1", 6, 137),
    ("acasxu/ACASXU_experimental_v2a_1_1.nnet", "5-50x6-5", 5, 300),
    ("acasxu/ACASXU_experimental_v2a_5_9.nnet", "5-50x6-5", 5, 300),
]


def loader_reads(nninv, rel):
    path = os.path.join(SHARED_NETS, rel)
    if not (nninv and os.path.exists(nninv) and os.path.exists(path)):
        return False
    try:
        p = subprocess.run([nninv, "injective", path, "--json", "--quiet", "--timeout", "5"],
                           capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        return True  # it parsed and started deciding
    return p.returncode in (0, 1, 2)


def fam_real(quick, nninv):
    out = []
    if not loader_reads(nninv, REAL_PROBE):
        return out, f"skipped: `nninv injective {REAL_PROBE}` does not load (no NNet/ONNX loader yet)"
    for rel, shape, n, relus in (REAL_NETS[:2] if quick else REAL_NETS):
        if not loader_reads(nninv, rel):
            continue
        name = os.path.splitext(os.path.basename(rel))[0]
        inst = Inst("real", shape, name, "injective", n, [], note=rel, ladder=name)  # no cut-off between nets
        inst.path = os.path.join(SHARED_NETS, rel)
        inst.relus = relus
        out.append(inst)
    return out, f"included {len(out)} of {len(REAL_NETS[:2] if quick else REAL_NETS)} real networks"


# --------------------------------------------------------------------------- main
def generate(quick, nninv, write=True):
    insts = (fam_random(quick) + fam_expansive(quick) + fam_leaky(quick) + fam_split(quick) + fam_box(quick)
             + fam_surjective(quick))
    real, real_note = fam_real(quick, nninv)
    insts += real
    rows = []
    for i, inst in enumerate(insts):
        if inst.path is None:
            path = os.path.join(INSTANCES, inst.family, inst.name + ".json")
            rel = os.path.relpath(path, HERE)
            text = dump(inst.network()) + "\n"
            if write:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w") as f:
                    f.write(text)
            digest = hashlib.sha256(text.encode()).hexdigest()[:16]
            relus, depth = relus_of(inst.layers), depth_of(inst.layers)
            n = inst.n
        else:
            path = inst.path
            rel = os.path.relpath(path, HERE)
            with open(path, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()[:16]
            relus, depth, n = inst.relus, "", inst.n
        rows.append({"id": i, "family": inst.family, "ladder": inst.ladder, "size": inst.size, "name": inst.name, "property": inst.prop,
                     "n": n, "relus": relus, "depth": depth, "expect": inst.expect, "file": rel,
                     "sha256_16": digest})
    if write:
        os.makedirs(INSTANCES, exist_ok=True)
        with open(os.path.join(INSTANCES, "manifest.csv"), "w", newline="") as f:
            wr = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
            wr.writeheader()
            wr.writerows(rows)
        with open(os.path.join(INSTANCES, "real_networks.txt"), "w") as f:
            f.write(real_note + "\n")
    return rows, real_note


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="the small smoke subset")
    ap.add_argument("--list", action="store_true", help="print the manifest, write nothing")
    ap.add_argument("--nninv", default=DEFAULT_NNINV, help="binary used to probe the NNet/ONNX loader hook")
    a = ap.parse_args()
    rows, note = generate(a.quick, a.nninv, write=not a.list)
    for r in rows:
        print(f"{r['id']:3} {r['family']:10} {r['size']:16} {r['property']:10} n={r['n']!s:3} relus={r['relus']!s:4} "
              f"{r['file']}")
    print(f"{len(rows)} instances; real networks: {note}", file=sys.stderr)


if __name__ == "__main__":
    main()
