#!/usr/bin/python3
"""Generator for the `injective` regression corpus (tests/regress/injective/).

Run from anywhere (standard library only, deterministic):

    /usr/bin/python3 tests/regress/tools/generate_injective.py          # write files
    /usr/bin/python3 tests/regress/tools/generate_injective.py --check  # verify only

It (re)writes tests/regress/injective/<family>/NAME.json and NAME.expect for
every case listed below; files not listed here (e.g. onedim/fold.json) are
left alone.

Every answer is decided by construction or theorem and written down by hand
in `why`; nothing here asks nninv. The script only guards against typos:
  * "violated" cases carry a witness pair (x1, x2); the script checks in exact
    rational arithmetic that x1 != x2, both lie in the domain and f(x1) = f(x2).
    (For a few cases the pair is computed by `relu_layer_collision`, which
    follows the textbook argument: find x whose rows with <w_i, x> >= 0 do not
    span R^n and move along their common orthogonal direction.)
  * "holds" cases carry a reference map `same_as` (what f is on the domain by
    the construction, e.g. W x + b for a split net) and/or an `inverse`; the
    script checks f == same_as and inverse(f(x)) == x on deterministic sample
    points of the domain. That is a sanity check of the construction only;
    the proof is the argument in `why`.
"""
import json
import os
import random
import sys
from fractions import Fraction as F

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "injective"))


# --------------------------------------------------------------------------- numbers
class Dec:
    """A number written verbatim as a JSON number token (e.g. 0.1, 1e-3)."""

    def __init__(self, text):
        self.text = text
        self.value = F(text)


def val(v):
    if isinstance(v, Dec):
        return v.value
    if isinstance(v, bool):
        raise TypeError(v)
    if isinstance(v, int):
        return F(v)
    if isinstance(v, F):
        return v
    if isinstance(v, str):
        return F(v)
    raise TypeError(repr(v))


def dump(v):
    """Serialise to compact JSON text keeping Dec tokens verbatim."""
    if v is None:
        return "null"
    if isinstance(v, Dec):
        return v.text
    if isinstance(v, F):
        return str(v.numerator) if v.denominator == 1 else json.dumps(f"{v.numerator}/{v.denominator}")
    if isinstance(v, (int, str)):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(dump(e) for e in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(json.dumps(k) + ": " + dump(e) for k, e in v.items()) + "}"
    raise TypeError(repr(v))


def fr(x):
    return [val(e) for e in x]


# --------------------------------------------------------------------------- layers
def D(W, b=None):
    d = {"type": "dense", "weights": W}
    if b is not None:
        d["bias"] = b
    return d


def R():
    return {"type": "relu"}


def L(alpha):
    return {"type": "leaky_relu", "alpha": alpha}


def I():
    return {"type": "identity"}


def evaluate(layers, x):
    x = [val(e) for e in x]
    for lay in layers:
        t = lay["type"]
        if t == "dense":
            W = [[val(e) for e in row] for row in lay["weights"]]
            b = [val(e) for e in lay.get("bias", [0] * len(W))]
            assert all(len(row) == len(x) for row in W), "dense width mismatch"
            x = [sum((w * xi for w, xi in zip(row, x)), F(0)) + bi for row, bi in zip(W, b)]
        elif t == "relu":
            x = [max(F(0), e) for e in x]
        elif t == "leaky_relu":
            a = val(lay["alpha"])
            x = [e if e >= 0 else a * e for e in x]
        elif t == "identity":
            pass
        else:
            raise ValueError(t)
    return x


# --------------------------------------------------------------------------- linear algebra
def rank(rows):
    M = [[val(e) for e in r] for r in rows]
    rk, col = 0, 0
    ncols = len(M[0]) if M else 0
    while rk < len(M) and col < ncols:
        piv = next((i for i in range(rk, len(M)) if M[i][col] != 0), None)
        if piv is None:
            col += 1
            continue
        M[rk], M[piv] = M[piv], M[rk]
        for i in range(len(M)):
            if i != rk and M[i][col] != 0:
                f = M[i][col] / M[rk][col]
                M[i] = [a - f * c for a, c in zip(M[i], M[rk])]
        rk += 1
        col += 1
    return rk


def nullvec(rows, n):
    """A nonzero v with rows . v = 0 (rows has rank < n)."""
    M = [[val(e) for e in r] for r in rows]
    pivcols, rk = [], 0
    for col in range(n):
        piv = next((i for i in range(rk, len(M)) if M[i][col] != 0), None)
        if piv is None:
            continue
        M[rk], M[piv] = M[piv], M[rk]
        p = M[rk][col]
        M[rk] = [a / p for a in M[rk]]
        for i in range(len(M)):
            if i != rk and M[i][col] != 0:
                f = M[i][col]
                M[i] = [a - f * c for a, c in zip(M[i], M[rk])]
        pivcols.append(col)
        rk += 1
    free = next(c for c in range(n) if c not in pivcols)
    v = [F(0)] * n
    v[free] = F(1)
    for r, pc in enumerate(pivcols):
        v[pc] = -M[r][free]
    return v


def matvec(W, x):
    return [sum((val(w) * xi for w, xi in zip(row, x)), F(0)) for row in W]


def det(M):
    M = [[val(e) for e in r] for r in M]
    n, d = len(M), F(1)
    for c in range(n):
        piv = next((i for i in range(c, n) if M[i][c] != 0), None)
        if piv is None:
            return F(0)
        if piv != c:
            M[c], M[piv] = M[piv], M[c]
            d = -d
        d *= M[c][c]
        for i in range(c + 1, n):
            f = M[i][c] / M[c][c]
            M[i] = [a - f * b for a, b in zip(M[i], M[c])]
    return d


def inv(M):
    n = len(M)
    A = [[val(e) for e in r] + [F(int(i == j)) for j in range(n)] for i, r in enumerate(M)]
    for c in range(n):
        piv = next(i for i in range(c, n) if A[i][c] != 0)
        A[c], A[piv] = A[piv], A[c]
        p = A[c][c]
        A[c] = [a / p for a in A[c]]
        for i in range(n):
            if i != c and A[i][c] != 0:
                f = A[i][c]
                A[i] = [a - f * b for a, b in zip(A[i], A[c])]
    return [r[n:] for r in A]


def relu_layer_collision(W, radius=6):
    """Witness for non-injectivity of x -> relu(W x) (bias free), if one is on the grid.

    Find an integer x with S = {i : w_i.x >= 0} of rank < n, take v != 0 orthogonal
    to every w_i, i in S, and step x2 = x + t v with t > 0 small enough that every
    row outside S stays negative: then W_S x2 = W_S x and both are 0 elsewhere.
    """
    n = len(W[0])
    pts = [[]]
    for _ in range(n):
        pts = [p + [c] for p in pts for c in range(-radius, radius + 1)]
    pts.sort(key=lambda p: (sum(abs(c) for c in p), p))
    for p in pts:
        x = [F(c) for c in p]
        if not any(x):
            continue
        a = matvec(W, x)
        S = [i for i in range(len(W)) if a[i] >= 0]
        if S and rank([W[i] for i in S]) == n:
            continue
        v = nullvec([W[i] for i in S], n) if S else [F(int(j == 0)) for j in range(n)]
        wv = matvec(W, v)
        t = F(1)
        for i in range(len(W)):
            if i not in S and wv[i] > 0:
                t = min(t, -a[i] / wv[i] / 2)
        return x, [xi + t * vi for xi, vi in zip(x, v)]
    raise RuntimeError("no collision found on the grid")


# --------------------------------------------------------------------------- domain sampling
def in_domain(domain, x):
    if domain is None:
        return True
    for xi, lo, hi in zip(x, domain["lower"], domain["upper"]):
        if lo is not None and xi < val(lo):
            return False
        if hi is not None and xi > val(hi):
            return False
    return True


def samples(n, domain, rng, count=200):
    out = []
    for k in range(count):
        x = []
        for j in range(n):
            lo = hi = None
            if domain is not None:
                lo = None if domain["lower"][j] is None else val(domain["lower"][j])
                hi = None if domain["upper"][j] is None else val(domain["upper"][j])
            if k < 4 and lo is not None and hi is not None:  # corners
                x.append(lo if (k >> (j % 2)) & 1 else hi)
                continue
            r = F(rng.randint(-400, 400), rng.randint(1, 40))
            if lo is not None and hi is not None:
                x.append(lo + (hi - lo) * F(rng.randint(0, 97), 97))
            elif lo is not None:
                x.append(lo + abs(r))
            elif hi is not None:
                x.append(hi - abs(r))
            else:
                x.append(r)
        out.append(x)
    return out


# --------------------------------------------------------------------------- cases
CASES = []


def case(family, name, n, layers, answer, why, domain=None, witness=None, same_as=None, inverse=None):
    CASES.append(dict(family=family, name=name, n=n, layers=layers, answer=answer, why=why,
                      domain=domain, witness=witness, same_as=same_as, inverse=inverse))


def box(lower, upper):
    return {"lower": lower, "upper": upper}


def affine(W, b=None):
    return lambda x: [e + (val(b[i]) if b else 0) for i, e in enumerate(matvec(W, x))]


def neg(e):
    if isinstance(e, Dec):
        return Dec(e.text[1:] if e.text.startswith("-") else "-" + e.text)
    if isinstance(e, int):
        return -e
    return -val(e)


def split_first(W, b=None):
    """Dense [W; -W] (bias [b; -b])."""
    Wn = [[neg(e) for e in row] for row in W]
    if b is None:
        return D(W + Wn)
    return D(W + Wn, list(b) + [neg(e) for e in b])


def split_recombine(k, neg=-1):
    """Dense [I, neg*I] of shape k x 2k."""
    return D([[int(i == j) for j in range(k)] + [neg * int(i == j) for j in range(k)] for i in range(k)])


def fmt(x):
    return "(" + ", ".join(str(val(e)) for e in x) + ")"


# ---- affine/ ---------------------------------------------------------------
W = [[2, 1], [1, 1]]
case("affine", "square_invertible", 2, [D(W, [1, -1])], "holds",
     "f(x) = W x + b with W = [[2,1],[1,1]], det W = 1; inverse x = [[1,-1],[-1,2]] (y - b).",
     inverse=lambda y: matvec([[1, -1], [-1, 2]], [y[0] - 1, y[1] + 1]))
case("affine", "tall_full_rank", 2, [D([[1, 0], [0, 1], [1, 1]], [0, 5, -2])], "holds",
     "3x2 matrix of rank 2: the first two outputs are x1 and x2 (a left inverse), so f is injective.",
     inverse=lambda y: [y[0], y[1] - 5])
case("affine", "widen_then_narrow", 2,
     [D([[1, 0], [0, 1], [1, 1], [1, -1]]), D([[0, 0, 1, 1], [0, 0, 1, -1]], [3, 0])], "holds",
     "Widen 2->4 then narrow 4->2; the second layer even discards the first two hidden units, but the "
     "product is [[2,0],[0,2]] (rank 2), so f(x) = 2x + (3,0) is injective.",
     same_as=lambda x: [2 * x[0] + 3, 2 * x[1]])
case("affine", "widen_narrow_rank_deficient", 2,
     [D([[1, 0], [0, 1], [1, 1]]), D([[1, 1, -1], [1, 0, 0]])], "violated",
     "Layer 1 (3x2, rank 2) is injective and layer 2 (2x3, rank 2) is surjective, but the product is "
     "[[0,0],[1,0]] of rank 1: f(0,0) = f(0,1) = (0,0).",
     witness=([0, 0], [0, 1]))
case("affine", "widen_narrow_3d_rank_deficient", 3,
     [D([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], [1, 1, 1, 1]),
      D([[1, 0, 0, 0], [0, 1, 0, 0], [1, 1, 1, -1]])], "violated",
     "Each layer has full rank (4x3 rank 3, then 3x4 rank 3) but the product is [[1,0,0],[0,1,0],[0,0,0]]: "
     "the third input is lost, f(0,0,0) = f(0,0,1).",
     witness=([0, 0, 0], [0, 0, 1]))
case("affine", "three_square_chain", 3,
     [D([[1, 2, 0], [0, 1, 3], [0, 0, 1]], [1, 0, -1]), I(),
      D([[0, 1, 0], [0, 0, 1], [1, 0, 0]]),
      D([[2, 0, 0], [1, -1, 0], [0, 5, "1/2"]], [0, "2/3", 0])], "holds",
     "Three square layers with determinants 1 (unit upper triangular), 1 (cyclic permutation) and -1 "
     "(lower triangular, diagonal 2,-1,1/2): a composition of affine bijections.",
     inverse=None)
case("affine", "dependent_columns", 3,
     [D([[1, 0, 1], [0, 1, 1], [1, 1, 2], [2, -1, 1]], [1, 2, 3, 4])], "violated",
     "4x3 matrix whose third column is the sum of the first two, so (1,1,-1) is in its kernel: "
     "f(0,0,0) = f(1,1,-1).",
     witness=([0, 0, 0], [1, 1, -1]))
case("affine", "box_full_rank", 2, [D([[1, 1], [1, -1]], [3, 0])], "holds",
     "On the box [-1,1]^2, f(x) = (x1+x2+3, x1-x2) with det -2; injective on R^2, hence on the box.",
     domain=box([-1, -1], [1, 1]),
     inverse=lambda y: [(y[0] - 3 + y[1]) / 2, (y[0] - 3 - y[1]) / 2])
case("affine", "box_rank_deficient", 2, [D([[1, 1], [2, 2]])], "violated",
     "Rank-1 matrix on the box [0,1]^2 (which has interior): f(1,0) = f(0,1) = (1,2).",
     domain=box([0, 0], [1, 1]), witness=([1, 0], [0, 1]))
case("affine", "tiny_box_rank_deficient", 2, [D([[1, -1], [3, -3]], [7, 7])], "violated",
     "Kernel direction (1,1) fits inside the small box [0,1/100]^2: f(0,0) = f(1/100,1/100) = (7,7).",
     domain=box([0, 0], ["1/100", "1/100"]), witness=([0, 0], ["1/100", "1/100"]))
case("affine", "half_unbounded_singular", 3, [D([[1, 1, 0], [0, 1, 1], [1, 2, 1]])], "violated",
     "Row 3 = row 1 + row 2, kernel spanned by (1,-1,1); domain x1 >= 0, x3 <= 5 contains both "
     "(0,0,0) and (1,-1,1), which have the same image (0,0,0).",
     domain=box([0, None, None], [None, None, 5]), witness=([0, 0, 0], [1, -1, 1]))
case("affine", "identity_only", 3, [I()], "holds",
     "f is the identity map of R^3.", same_as=lambda x: x)

# ---- leaky/ ----------------------------------------------------------------
case("leaky", "square_2", 2, [D([[1, 2], [3, 4]], [1, 0]), L(Dec("0.1")), D([[0, 1], [1, 1]])], "holds",
     "Dense det -2, leaky_relu (alpha 1/10 > 0, a bijection of R^2), dense det -1: a composition of bijections.")
case("leaky", "deep_3", 3,
     [D([[1, 1, 0], [0, 1, 1], [1, 0, 1]]), L("1/2"),
      D([[2, 0, 1], [0, -1, 0], [1, 0, 1]], [1, -1, 0]), L(Dec("0.01")),
      D([[0, 0, 1], [1, 0, 0], [0, 3, 0]]), L(2)], "holds",
     "Square layers with determinants 2, -1 and 3 interleaved with leaky_relu (alpha 1/2, 1/100, 2, all > 0, "
     "each a bijection): a composition of bijections.")
case("leaky", "widen_full_column_rank", 2,
     [D([[1, 0], [0, 1], [1, 1]]), L(Dec("0.5")), D([[1, 2, 0], [0, 1, 0], [1, 0, 1]], [0, 1, 2]), L(Dec("0.2"))],
     "holds",
     "An injective 3x2 dense layer (rank 2) followed only by bijections of R^3 (leaky_relu, a dense layer "
     "with det 1, leaky_relu): injective composed with bijections is injective.")
case("leaky", "singular_first", 2, [D([[1, 2], [2, 4]], [0, 1]), L(Dec("0.1")), D([[1, -1], [2, 1]])],
     "violated",
     "The first dense layer is singular (row 2 = 2 row 1): (2,0) and (0,1) give the same activations "
     "(2,5), so their images agree after any later layers.",
     witness=([2, 0], [0, 1]))
case("leaky", "singular_first_3d", 3,
     [D([[1, 0, 1], [0, 1, 1], [1, 1, 2]]), L(Dec("0.3")),
      D([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1], [1, -1, 2]]), L(Dec("0.3"))], "violated",
     "First dense layer has (1,1,-1) in its kernel, so (0,0,0) and (1,1,-1) both give pre-activations 0 "
     "and collide at the output.",
     witness=([0, 0, 0], [1, 1, -1]))
case("leaky", "singular_second_layer", 2,
     [D([[1, 0], [0, 1]], [10, 10]), L(Dec("0.1")), D([[1, 1], [1, 1]]), L(Dec("0.1"))], "violated",
     "Near x = 0 the first leaky_relu acts as the identity (pre-activations about 10), so f = "
     "leaky(x1+x2+20, x1+x2+20) there: f(0,0) = f(1,-1) = (20,20).",
     witness=([0, 0], [1, -1]))

# ---- split/ ----------------------------------------------------------------
W = [[1, 2], [3, 4]]
case("split", "split_2d", 2, [split_first(W), R(), split_recombine(2)], "holds",
     "relu(a) - relu(-a) = a, so f(x) = W x with W = [[1,2],[3,4]], det -2: identity in disguise, injective.",
     same_as=affine(W))
W3 = [[2, 0, 1], [1, 1, 0], [0, -1, 3]]
case("split", "split_3d", 3, [split_first(W3), R(), split_recombine(3)], "holds",
     "relu(a) - relu(-a) = a, so f(x) = W x with W = [[2,0,1],[1,1,0],[0,-1,3]], det 5: injective.",
     same_as=affine(W3))
Wb, bb = [[1, -1], [2, 1]], [1, -2]
case("split", "split_bias", 2, [split_first(Wb, bb), R(), split_recombine(2)], "holds",
     "First layer [W; -W] x + [b; -b]; relu(a) - relu(-a) = a gives f(x) = W x + b with "
     "W = [[1,-1],[2,1]] (det 3), b = (1,-2): injective.",
     same_as=affine(Wb, bb))
W1, b1, W2, b2 = [[1, 1], [0, 1]], [1, 0], [[2, 1], [1, 1]], [0, 3]
case("split", "split_stacked", 2,
     [split_first(W1, b1), R(), split_recombine(2), split_first(W2, b2), R(), split_recombine(2)], "holds",
     "Two split blocks: f(x) = W2 (W1 x + b1) + b2 with det W1 = 1, det W2 = 1: injective.",
     same_as=lambda x: affine(W2, b2)(affine(W1, b1)(x)))
Ws = [[1, 2], [2, 4]]
case("split", "split_broken", 2, [split_first(Ws), R(), split_recombine(2)], "violated",
     "Split block computes f(x) = W x with singular W = [[1,2],[2,4]]: f(2,0) = f(0,1) = (2,4).",
     witness=([2, 0], [0, 1]))
W9 = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
case("split", "split_broken_3d", 3, [split_first(W9, [1, 0, -1]), R(), split_recombine(3)], "violated",
     "Split block computes f(x) = W x + b with W = [[1,2,3],[4,5,6],[7,8,9]] of rank 2, kernel (1,-2,1): "
     "f(0,0,0) = f(1,-2,1).",
     witness=([0, 0, 0], [1, -2, 1]))
Wa = [[1, 1], [1, -1]]
case("split", "split_asymmetric", 2, [split_first(Wa), R(), split_recombine(2, -2)], "holds",
     "Recombining with [I, -2I] gives f = g(W x) where g(a) = relu(a) - 2 relu(-a) (a for a >= 0, 2a for "
     "a < 0) is a strictly increasing bijection of R applied coordinatewise and W = [[1,1],[1,-1]] has det -2.",
     inverse=lambda y: matvec([["1/2", "1/2"], ["1/2", "-1/2"]], [e if e >= 0 else e / 2 for e in y]))
case("split", "split_fold", 2, [split_first(Wa), R(), split_recombine(2, 1)], "violated",
     "Recombining with [I, I] gives f(x) = |W x| coordinatewise, so f(x) = f(-x): f(1,0) = f(-1,0) = (1,1).",
     witness=([1, 0], [-1, 0]))
case("split", "relu_pm_no_recombine", 2, [split_first(W), R()], "holds",
     "Output (relu(W x), relu(-W x)) with W = [[1,2],[3,4]] invertible: first half minus second half is W x, "
     "so x = W^-1 (y[0:2] - y[2:4]).",
     inverse=lambda y: matvec(inv(W), [y[0] - y[2], y[1] - y[3]]))
case("split", "split_broken_pinned_box", 2, [split_first(Ws), R(), split_recombine(2)], "holds",
     "f(x) = W x with singular W = [[1,2],[2,4]], but x2 is pinned to 2, so on the domain "
     "f = x1 (1,2) + (4,8), injective in the only free coordinate x1.",
     domain=box([-1, 2], [1, 2]), inverse=lambda y: [y[0] - 4, F(2)])

# ---- bottleneck/ -----------------------------------------------------------
case("bottleneck", "relu_2_1_2", 2, [D([[1, 1]]), R(), D([[1], [-1]])], "violated",
     "Hidden width 1 < input_dim 2 (invariance of domain); explicitly f depends only on x1 + x2: "
     "f(1,0) = f(0,1) = (1,-1).",
     witness=([1, 0], [0, 1]))
case("bottleneck", "dense_3_2_3", 3, [D([[1, 0, 0], [0, 1, 0]]), D([[1, 0], [0, 1], [1, 1]])], "violated",
     "Width-2 layer on 3 inputs: x3 is dropped, f(0,0,0) = f(0,0,1).",
     witness=([0, 0, 0], [0, 0, 1]))
case("bottleneck", "leaky_4_3_4", 4,
     [D([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], [10, 10, 10, 10]), L(Dec("0.1")),
      D([[1, 0, 0, 1], [0, 1, 0, 1], [0, 0, 1, 1]]), L(Dec("0.1")),
      D([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]])], "violated",
     "Hidden width 3 < 4 (invariance of domain). Near 0 all pre-activations are positive, and (1,1,1,-1) "
     "is in the kernel of the 3x4 layer: f(0,0,0,0) = f(1,1,1,-1).",
     witness=([0, 0, 0, 0], [1, 1, 1, -1]))
case("bottleneck", "box_bottleneck", 2, [D([[1, 2]], [1]), R(), D([[1], [2], [3]])], "violated",
     "Width 1 < 2 on a box with interior; f depends only on x1 + 2 x2: f(0,0) = f(1,-1/2) = (1,2,3).",
     domain=box([-1, -1], [1, 1]), witness=([0, 0], [1, "-1/2"]))
case("bottleneck", "late_bottleneck", 2,
     [D([[1, 0], [0, 1], [1, 1], [2, 1]]), R(),
      D([[1, 0, 0, 1], [0, 1, 1, 0], [1, 1, 0, 0]]), R(),
      D([[1, 2, -1]]), R(), D([[1], [-1], [2], [3]])], "violated",
     "Width-1 layer deep inside (invariance of domain). On the positive quadrant every ReLU is active and "
     "the width-1 unit equals 4 (x1 + x2): f(1,2) = f(2,1) = (12,-12,24,36).",
     witness=([1, 2], [2, 1]))
case("bottleneck", "wide_out_narrow_middle", 3,
     [split_first([[1, 0, 0], [0, 1, 0], [0, 0, 1]]), R(),
      D([[1, 0, 0, -1, 0, 0], [0, 1, 1, 0, -1, -1]]), R(),
      D([[1, 0], [0, 1], [1, 1], [1, -1], [2, 1], [1, 2], [3, 0], [0, 3], [-1, 1], [1, 3]])], "violated",
     "Output width 10 > 3 but a width-2 layer in the middle; it computes (relu(x1), relu(x2 + x3)): "
     "f(1,1,0) = f(1,0,1).",
     witness=([1, 1, 0], [1, 0, 1]))

# ---- narrow_relu/ ----------------------------------------------------------
PUT = ("Bias-free x -> relu(W x) with W of shape {k}x{n}, k < 2n, is never injective (Puthawala et al., "
       "JMLR 2022); ")


def narrow(name, Wn, extra, witness=None):
    n, k = len(Wn[0]), len(Wn)
    x1, x2 = (fr(w) for w in witness) if witness else relu_layer_collision(Wn)
    case("narrow_relu", name, n, [D(Wn), R()], "violated",
         PUT.format(k=k, n=n) + extra.format(x1=fmt(x1), x2=fmt(x2), y=fmt(evaluate([D(Wn), R()], x1))),
         witness=(x1, x2))


narrow("n2_k3_halfspace", [[1, 0], [0, 1], [1, 1]],
       "here all rows lie in a closed half-plane, so x = {x1} and {x2} make every pre-activation negative: "
       "both map to {y}.", witness=([-1, -1], [-2, -1]))
narrow("n2_k3_generic", [[1, 0], [0, 1], [-1, -1]],
       "at x = {x1} only row (1,0) is non-negative, and moving along (0,1) keeps the other two negative: "
       "f{x1} = f{x2} = {y}.", witness=([2, -1], [2, "-1/2"]))
narrow("n2_k3_random", [[3, -1], [-2, 5], [-4, -3]],
       "witness: x = {x1} has a rank-deficient set of non-negative rows; moving orthogonally to them gives "
       "f{x1} = f{x2} = {y}.")
narrow("n2_k2_square", [[1, 1], [1, -1]],
       "here W is square and invertible yet x = {x1} and {x2} make both pre-activations negative: both map to {y}.")
narrow("n3_k3", [[2, 1, 0], [0, 1, 1], [1, 0, 3]],
       "k = n; witness: f{x1} = f{x2} = {y} (rows with non-negative pre-activation at x1 do not span R^3).")
narrow("n3_k4", [[1, 2, -1], [-3, 1, 2], [2, -2, 1], [-1, -1, -1]],
       "k = 4 > n; witness: f{x1} = f{x2} = {y} (rows with non-negative pre-activation at x1 do not span R^3).")
narrow("n3_k5", [[2, -1, 1], [-1, 3, 0], [0, -2, 1], [-3, 1, -2], [1, 1, -4]],
       "k = 5 > n; witness: f{x1} = f{x2} = {y} (rows with non-negative pre-activation at x1 do not span R^3).")
narrow("n4_k7", [[1, 0, 2, -1], [0, 1, -1, 2], [-2, 1, 0, 1], [1, -3, 1, 0],
                 [0, 2, 1, -3], [-1, -1, -1, 1], [2, 1, -2, -1]],
       "k = 7 > n; witness: f{x1} = f{x2} = {y} (rows with non-negative pre-activation at x1 do not span R^4).")
narrow("n1_k1", [[3]], "here f(x) = relu(3x) is constant 0 for x <= 0: f{x1} = f{x2} = {y}.")

# ---- box/ ------------------------------------------------------------------
case("box", "dead_and_active_affine", 2,
     [D([[1, 0], [0, 1], [-1, -1]], [0, 0, -1]), R(), D([[1, 1, 5], [1, -1, 7]])], "holds",
     "On [0,1]^2 units 1,2 have pre-activation x_i >= 0 (always active) and unit 3 has -x1-x2-1 <= -1 "
     "(dead), so f = (x1+x2, x1-x2) there, det -2: injective. (On R^2 it is not: (-1,0) and (0,-1) collide.)",
     domain=box([0, 0], [1, 1]), same_as=lambda x: [x[0] + x[1], x[0] - x[1]])
case("box", "all_active_relu", 2, [D([[1, 0], [0, 1]]), R()], "holds",
     "On [1,2]^2 both ReLUs are always active, so f(x) = x there (relu alone is not injective on R^2).",
     domain=box([1, 1], [2, 2]), same_as=lambda x: x)
case("box", "dead_collapse", 2,
     [D([[1, 0], [0, 1], [0, 1]], [-2, 0, 1]), R(), D([[1, 0, 0], [0, 1, 0], [0, 0, 1]])], "violated",
     "On [0,1]^2 unit 1 (x1 - 2 <= -1) is dead and units 2,3 are active, so f = (0, x2, x2+1) forgets x1: "
     "f(0,0) = f(1,0) = (0,0,1).",
     domain=box([0, 0], [1, 1]), witness=([0, 0], [1, 0]))
FOLD = [D([[1], [-1]]), R(), D([[1, 1]])]
case("box", "abs_on_0_5", 1, FOLD, "holds",
     "f(x) = relu(x) + relu(-x) = |x| is not injective on R, but on [0,5] it equals x.",
     domain=box([0], [5]), same_as=lambda x: x)
case("box", "abs_on_straddling", 1, FOLD, "violated",
     "f(x) = |x| on [-1,5]: f(-1) = f(1) = 1.", domain=box([-1], [5]), witness=([-1], [1]))
case("box", "abs_on_negative", 1, FOLD, "holds",
     "f(x) = |x| = -x on [-5,-1/2]: strictly decreasing.",
     domain=box([-5], ["-1/2"]), inverse=lambda y: [-y[0]])
case("box", "pinned_keep_free", 2, [D([[1, 0]])], "holds",
     "x2 is pinned (lower = upper = 3), so the domain is a segment in x1; f(x) = x1 is injective on it even "
     "though the layer is narrower than input_dim.",
     domain=box([-1, 3], [1, 3]), inverse=lambda y: [y[0], F(3)])
case("box", "pinned_keep_pinned", 2, [D([[0, 1]])], "violated",
     "x2 is pinned to 3 and f(x) = x2 ignores the free coordinate x1: f(-1,3) = f(1,3) = 3.",
     domain=box([-1, 3], [1, 3]), witness=([-1, 3], [1, 3]))
case("box", "pinned_split", 3,
     [D([[1, 0, 5], [0, 1, 0], [-1, 0, -5], [0, -1, 0]]), R(), D([[1, 0, -1, 0], [0, 1, 0, -1]])], "holds",
     "Split block computes (x1 + 5 x3, x2); x3 is pinned to 0, so on the domain f = (x1, x2), injective in the "
     "free coordinates (on R^3 it would not be: 3 -> 2).",
     domain=box([-2, -2, 0], [2, 2, 0]), inverse=lambda y: [y[0], y[1], F(0)])
case("box", "pinned_narrow_relu", 3, [D([[1, 1, 0], [1, 0, 1]], [1, 1]), R()], "holds",
     "x1 is pinned to 1 and x2, x3 in [-1,1], so both pre-activations 2 + x2, 2 + x3 are >= 1 (always active): "
     "f = (2+x2, 2+x3), injective in the free coordinates.",
     domain=box([1, -1, -1], [1, 1, 1]), inverse=lambda y: [F(1), y[0] - 2, y[1] - 2])
case("box", "single_point", 2, [D([[1, 1]])], "holds",
     "The domain is the single point (1,2) (both coordinates pinned), so there is no pair x1 != x2 at all.",
     domain=box([1, 2], [1, 2]), same_as=lambda x: [F(3)])
case("box", "half_unbounded_abs_ok", 1, FOLD, "holds",
     "f(x) = |x| on [0, +inf) equals x.", domain=box([0], [None]), same_as=lambda x: x)
case("box", "half_unbounded_abs_bad", 1, FOLD, "violated",
     "f(x) = |x| on [-1/2, +inf): f(-1/2) = f(1/2) = 1/2.",
     domain=box(["-1/2"], [None]), witness=(["-1/2"], ["1/2"]))
case("box", "half_unbounded_2d_ok", 2, [D([[1, 0], [0, 1], [0, -1]]), R(), D([[1, 0, 0], [0, 1, -1]])],
     "holds",
     "Domain x1 >= 1, x2 free: relu(x1) = x1 there and relu(x2) - relu(-x2) = x2, so f = (x1, x2). "
     "(On R^2, (-1,0) and (-2,0) would collide.)",
     domain=box([1, None], [None, None]), same_as=lambda x: x)
case("box", "half_unbounded_2d_bad", 2, [D([[1, 0], [0, 1]]), R()], "violated",
     "Domain x1 >= 0, x2 <= 0: relu(x) = (x1, 0) there, so f(0,0) = f(0,-1) = (0,0).",
     domain=box([0, None], [None, 0]), witness=([0, 0], [0, -1]))
case("box", "upper_only_flat", 1, [D([[1]], [1]), R(), D([[2], [-1]])], "violated",
     "Domain x <= -1: relu(x+1) = 0 there, f is constant (0,0): f(-1) = f(-2).",
     domain=box([None], [-1]), witness=([-1], [-2]))

# ---- onedim/ ---------------------------------------------------------------
case("onedim", "monotone_two_slopes", 1, [D([[1], [-1]]), R(), D([[1, -2]])], "holds",
     "f(x) = relu(x) - 2 relu(-x) is x for x >= 0 and 2x for x < 0: continuous, strictly increasing.",
     inverse=lambda y: [y[0] if y[0] >= 0 else y[0] / 2])
case("onedim", "tent", 1, [D([[1], [1]], [0, -1]), R(), D([[1, -2]])], "violated",
     "f(x) = relu(x) - 2 relu(x-1) rises with slope 1 on [0,1] and falls with slope -1 after: "
     "f(1/2) = f(3/2) = 1/2.",
     witness=(["1/2"], ["3/2"]))
case("onedim", "flat_clip", 1, [D([[1], [1]], [0, -1]), R(), D([[1, -1]])], "violated",
     "f(x) = relu(x) - relu(x-1) = clip(x, 0, 1) is constant 1 for x >= 1: f(2) = f(3) = 1.",
     witness=([2], [3]))
case("onedim", "several_kinks", 1,
     [D([[1], [-1], [1], [1], [-1]], [0, 0, -1, -3, -2]), R(), D([[1, -1, 2, "-1/2", "-1/2"]])], "holds",
     "f = relu(x) - relu(-x) + 2 relu(x-1) - 1/2 relu(x-3) - 1/2 relu(-x-2) has slopes 3/2, 1, 1, 3, 5/2 on "
     "(-inf,-2), (-2,0), (0,1), (1,3), (3,inf): all positive, so f is strictly increasing.")
case("onedim", "flat_far", 1, [D([[1], [1], [-1]], [0, -10, 0]), R(), D([[1, -1, -1]])], "violated",
     "f = relu(x) - relu(x-10) - relu(-x) has slope 1 up to x = 10 and slope 0 after: f(11) = f(12) = 10.",
     witness=([11], [12]))
case("onedim", "monotone_with_flat_piece", 1,
     [D([[1], [-1], [1], [1]], [0, 0, -1, -2]), R(), D([[1, -1, -1, 1]])], "violated",
     "f = x - relu(x-1) + relu(x-2) is non-decreasing but flat on [1,2]: f(1) = f(2) = 1.",
     witness=([1], [2]))
case("onedim", "decreasing", 1, [D([[1], [-1]]), R(), D([[-1, 3]])], "holds",
     "f(x) = -relu(x) + 3 relu(-x) has slope -1 for x > 0 and -3 for x < 0: strictly decreasing.",
     inverse=lambda y: [-y[0] if y[0] <= 0 else -y[0] / 3])
case("onedim", "leaky_chain_signs", 1,
     [D([[-2]]), L("1/2"), D([[3]], [1]), L(Dec("0.1")), D([[-1]])], "holds",
     "Every layer is a bijection of R (nonzero 1x1 weights, leaky_relu with alpha > 0): composition of bijections.")
case("onedim", "sawtooth", 1,
     [D([[1], [1]], [0, -1]), R(), D([[2, -4], [2, -4]], [0, -1]), R(), D([[2, -4]])], "violated",
     "The first block is the tent t(x) = 2 relu(x) - 4 relu(x-1) and t(1/2) = t(3/2) = 1, so f = "
     "tent-of-tent agrees there: f(1/2) = f(3/2).",
     witness=(["1/2"], ["3/2"]))
case("onedim", "relu_relu", 1, [D([[1]]), R(), D([[1]]), R()], "violated",
     "f(x) = relu(x) = 0 for x <= 0: f(-1) = f(-2) = 0.", witness=([-1], [-2]))
case("onedim", "identity_disguise", 1, [D([[2], [-2]], [1, -1]), R(), D([[1, -1]])], "holds",
     "relu(a) - relu(-a) = a with a = 2x + 1: f(x) = 2x + 1.", same_as=lambda x: [2 * x[0] + 1])
case("onedim", "linear", 1, [D([["-3/2"]], ["1/2"])], "holds",
     "f(x) = -3/2 x + 1/2, nonzero slope.", inverse=lambda y: [(y[0] - F(1, 2)) / F(-3, 2)])
case("onedim", "constant", 1, [D([[0]], [1])], "violated",
     "Zero weight: f(x) = 1 for all x, f(0) = f(1).", witness=([0], [1]))

# ---- mixed/ ----------------------------------------------------------------
Wf, bf = [["1/3", "2/3"], ["-1/2", "1/5"]], ["1/7", "-2/9"]
case("mixed", "fractions_split", 2, [split_first(Wf, bf), R(), split_recombine(2)], "holds",
     "Split block: f(x) = W x + b with W = [[1/3,2/3],[-1/2,1/5]], det = 1/15 + 1/3 = 2/5 != 0.",
     same_as=affine(Wf, bf))
case("mixed", "decimal_singular", 2, [D([[Dec("0.1"), Dec("0.2")], [Dec("0.3"), Dec("0.6")]])], "violated",
     "Exactly, row 2 = 3 row 1 (in doubles it is not), so W is singular: f(2,0) = f(0,1) = (1/5, 3/5).",
     witness=([2, 0], [0, 1]))
case("mixed", "decimal_nearly_singular", 2,
     [D([[Dec("0.1"), Dec("0.2")], [Dec("0.3"), Dec("0.6000001")]]), L(Dec("0.1")), D([[1, 0], [0, 1]])],
     "holds",
     "det = 0.1 * 0.6000001 - 0.2 * 0.3 = 1/10^8 != 0 exactly, then a leaky_relu and the identity matrix: "
     "composition of bijections.")
We = [[Dec("1e-3"), Dec("2e-3")], [Dec("5e2"), Dec("1e3")]]
case("mixed", "exponent_singular_split", 2, [split_first(We), R(), split_recombine(2)], "violated",
     "Split block computes W x with W = [[1e-3,2e-3],[5e2,1e3]] = [[1/1000,1/500],[500,1000]], rank 1: "
     "f(2,0) = f(0,1) = (1/500, 1000).",
     witness=([2, 0], [0, 1]))
V = [[2, 1], [1, 1]]
case("mixed", "leaky_then_split", 2,
     [D([[1, 1], [1, -1]], [1, 0]), L("1/3"), split_first(V), R(), split_recombine(2)], "holds",
     "Dense det -2, leaky_relu (bijection), then a split block computing V y with det V = 1: "
     "composition of bijections.")
case("mixed", "leaky_then_relu", 2, [D([[1, 1], [1, -1]]), L(Dec("0.2")), R(), D([[1, 2], [3, 4]])],
     "violated",
     "(-1,0) and (-2,0) make both pre-activations negative; leaky keeps them negative and the ReLU sends "
     "both to 0: f(-1,0) = f(-2,0) = (0,0).",
     witness=([-1, 0], [-2, 0]))
Wm = [[1, 2], [3, 4]]
case("mixed", "multi_output_split_extra", 2,
     [D(Wm + [[-1, -2], [-3, -4], [1, 1], [-1, 3]], [0, 0, 0, 0, -1, 2]), R(),
      D([[1, 0, -1, 0, 0, 0], [0, 1, 0, -1, 0, 0], [0, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 1, 1]])],
     "holds",
     "Five outputs; the first two are relu(W x) - relu(-W x) = W x with W = [[1,2],[3,4]] invertible, "
     "so x = W^-1 (y1, y2).",
     inverse=lambda y: matvec(inv(Wm), y[:2]))
case("mixed", "wide_but_halfspace", 2, [D([[1, 0], [0, 1], [1, 1], [2, 1], [1, 3]]), R()], "violated",
     "Width 5 >= 2n is necessary, not sufficient: all rows are non-negative, so x = (-1,-1) and (-2,-1) make "
     "every pre-activation negative and both map to 0.",
     witness=([-1, -1], [-2, -1]))
W5 = [[1, 0], [1, 3], [-3, 2], [-3, -2], [1, -3]]
case("mixed", "relu_five_directions", 2, [D(W5), R()], "holds",
     "Rows in angular order with consecutive dot products 1, 3, 5, 3, 1 > 0, so every gap is < 90 degrees and "
     "each open half-plane {w : w.x > 0}, x != 0, holds two independent rows; relu(Wx) = relu(Wy) then forces "
     "w_i.y = w_i.x on those rows, so x = y (and x = 0 forces y = 0).")
W4 = [[1, 0], [1, 3], [-3, 2], [-3, -2]]
case("mixed", "relu_four_directions_gap", 2, [D(W4), R()], "violated",
     "Width 4 = 2n but the rows leave a 146-degree gap: at x = (-1,-2) only row (-3,-2) is positive; moving "
     "along (2,-3) (orthogonal to it) keeps the others negative: f(-1,-2) = f(-1/2,-11/4) = (0,0,0,7).",
     witness=([-1, -2], ["-1/2", "-11/4"]))
case("mixed", "alpha_fraction", 2,
     [D([["1/2", "1/3"], ["1/4", "1/5"]]), L("1/1000"), D([[1, 0], [0, -1]])], "holds",
     "det [[1/2,1/3],[1/4,1/5]] = 1/10 - 1/12 = 1/60 != 0, leaky_relu with alpha 1/1000 > 0, det -1: "
     "composition of bijections.")
case("mixed", "split_leaky_3d", 3,
     [split_first([[1, 0, 0], [0, 1, 0], [0, 0, 1]]), R(), split_recombine(3), L(Dec("0.5")),
      D([[1, 2, 3], [0, 1, 4], [5, 6, 0]], ["1/3", "0", "-7/2"])], "holds",
     "Split block computes the identity, then leaky_relu (bijection), then a dense layer with det 1: "
     "composition of bijections.")


# --------------------------------------------------------------------------- checking & writing
def check(c):
    layers, dom, n = c["layers"], c["domain"], c["n"]
    if dom is not None:
        assert len(dom["lower"]) == n and len(dom["upper"]) == n
    width = n
    for lay in layers:
        if lay["type"] == "dense":
            assert all(len(r) == width for r in lay["weights"]), (c["name"], "row length")
            if "bias" in lay:
                assert len(lay["bias"]) == len(lay["weights"])
            width = len(lay["weights"])
    if c["answer"] == "violated":
        x1, x2 = (fr(x) for x in c["witness"])
        assert x1 != x2, c["name"]
        assert in_domain(dom, x1) and in_domain(dom, x2), (c["name"], "witness outside domain")
        y1, y2 = evaluate(layers, x1), evaluate(layers, x2)
        assert y1 == y2, (c["name"], y1, y2)
    else:
        assert c["witness"] is None
        rng = random.Random(c["name"])
        for x in samples(n, dom, rng):
            assert in_domain(dom, x)
            y = evaluate(layers, x)
            if c["same_as"] is not None:
                assert y == [val(e) for e in c["same_as"](x)], (c["name"], x, y)
            if c["inverse"] is not None:
                assert [val(e) for e in c["inverse"](y)] == x, (c["name"], x, y)
    # determinant / rank facts quoted in the texts
    return True


def network_json(c):
    head = {"name": c["family"] + "/" + c["name"], "input_dim": c["n"]}
    if c["domain"] is not None:
        head["domain"] = c["domain"]
    text = dump(head)[:-1] + ",\n \"layers\": [\n"
    text += ",\n".join("  " + dump(lay) for lay in c["layers"])
    return text + "\n ]}\n"


def main():
    only_check = "--check" in sys.argv[1:]
    # a few of the linear-algebra facts the texts rely on
    assert det([[2, 1], [1, 1]]) == 1 and det([[1, 2], [3, 4]]) == -2 and det([[0, 1], [1, 1]]) == -1
    assert det([[1, 1, 0], [0, 1, 1], [1, 0, 1]]) == 2 and det([[2, 0, 1], [0, -1, 0], [1, 0, 1]]) == -1
    assert det([[0, 0, 1], [1, 0, 0], [0, 3, 0]]) == 3 and det([[1, 2, 0], [0, 1, 0], [1, 0, 1]]) == 1
    assert det(W3) == 5 and det(Wb) == 3 and det(W1) == 1 and det(W2) == 1 and rank(W9) == 2
    assert det([[2, 0, 0], [1, -1, 0], [0, 5, "1/2"]]) == -1 and det([[0, 1, 0], [0, 0, 1], [1, 0, 0]]) == 1
    assert det(Wf) == F(2, 5) and det([["1/2", "1/3"], ["1/4", "1/5"]]) == F(1, 60)
    assert det([[Dec("0.1").value, Dec("0.2").value], [Dec("0.3").value, Dec("0.6000001").value]]) == F(1, 10**8)
    assert det([[1, 2, 3], [0, 1, 4], [5, 6, 0]]) == 1 and rank(We) == 1 and det(V) == 1
    assert rank([[1, 0, 1], [0, 1, 1], [1, 1, 2], [2, -1, 1]]) == 2
    assert rank([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1], [1, -1, 2]]) == 3
    dots = [sum(a * b for a, b in zip(W5[i], W5[(i + 1) % 5])) for i in range(5)]
    assert dots == [1, 3, 5, 3, 1], dots
    names = set()
    for c in CASES:
        key = (c["family"], c["name"])
        assert key not in names, key
        names.add(key)
        check(c)
        if only_check:
            continue
        d = os.path.join(ROOT, c["family"])
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, c["name"] + ".json"), "w") as f:
            f.write(network_json(c))
        with open(os.path.join(d, c["name"] + ".expect"), "w") as f:
            f.write(json.dumps({"injective": c["answer"], "why": c["why"]}) + "\n")
    fams = {}
    for c in CASES:
        fams[c["family"]] = fams.get(c["family"], 0) + 1
    print(("checked " if only_check else "wrote ") + f"{len(CASES)} cases: " +
          ", ".join(f"{k} {v}" for k, v in sorted(fams.items())))


if __name__ == "__main__":
    main()
