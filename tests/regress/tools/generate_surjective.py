#!/usr/bin/python3
"""Generator for the `surjective` / `bijective` regression corpus (tests/regress/surjective/).

Run from anywhere (standard library only, deterministic):

    /usr/bin/python3 tests/regress/tools/generate_surjective.py          # check, then write files
    /usr/bin/python3 tests/regress/tools/generate_surjective.py --check  # verify only

Every answer is decided by construction or theorem and written down by hand in
`why`; nothing here asks nninv. The script only guards against typos, in exact
rational arithmetic:
  * surjective "holds": the case carries `pre`, an explicit right inverse
    y -> x taken from the construction; for sample points y of Y (corners,
    boundary and interior points, far points on unbounded sides) the script
    checks x in X and f(x) = y.
  * surjective "violated": the case carries a witness y in Y and `inv_img`,
    the invariant of the image used in the proof (a predicate every f(x)
    satisfies and y does not); the script checks y in Y, not inv_img(y), and
    inv_img(f(x)) on sample points x of X.
  * injective "holds": `inv`, a left inverse y -> x; checked inv(f(x)) = x.
  * injective "violated": a collision (x1, x2) with x1 != x2 in X, f(x1) = f(x2).
  * bijective: injective, into Y and onto Y; "holds" needs both parts to hold.
"""
import json
import os
import random
import sys
from fractions import Fraction as F

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "surjective")


# --------------------------------------------------------------------------- numbers
def val(v):
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
    if v is None:
        return "null"
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


def fmt(x):
    return "(" + ", ".join(str(val(e)) for e in x) + ")"


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
        else:
            raise ValueError(t)
    return x


def out_width(n, layers):
    w = n
    for lay in layers:
        if lay["type"] == "dense":
            assert all(len(r) == w for r in lay["weights"]), "row length"
            if "bias" in lay:
                assert len(lay["bias"]) == len(lay["weights"])
            w = len(lay["weights"])
    return w


# --------------------------------------------------------------------------- linear algebra
def matvec(W, x):
    return [sum((val(w) * val(xi) for w, xi in zip(row, x)), F(0)) for row in W]


def add(a, b):
    return [val(p) + val(q) for p, q in zip(a, b)]


def sub(a, b):
    return [val(p) - val(q) for p, q in zip(a, b)]


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


def claim_det(M, d):
    """Return M after checking the determinant quoted in a `why`."""
    assert det(M) == val(d), (M, det(M), d)
    return M


def matmul(A, B):
    return [[sum((val(A[i][k]) * val(B[k][j]) for k in range(len(B))), F(0)) for j in range(len(B[0]))]
            for i in range(len(A))]


def affine_inverse(W, b=None):
    """y -> W^-1 (y - b)."""
    Wi = inv(W)
    return lambda y: matvec(Wi, sub(y, b) if b is not None else y)


def leaky_inv(a):
    a = val(a)
    return lambda z: [val(e) if val(e) >= 0 else val(e) / a for e in z]


def compose(*fs):
    """compose(f, g)(y) = g(f(y)): apply in the order given."""
    def h(y):
        for f in fs:
            y = f(y)
        return y
    return h


def relu(t):
    return max(F(0), val(t))


# --------------------------------------------------------------------------- structured blocks
def neg(e):
    if isinstance(e, int):
        return -e
    return -val(e)


def split_first(W, b=None):
    """Dense [W; -W] (bias [b; -b])."""
    Wn = [[neg(e) for e in row] for row in W]
    if b is None:
        return D(W + Wn)
    return D(W + Wn, list(b) + [neg(e) for e in b])


def split_recombine(k):
    """Dense [I, -I] of shape k x 2k: relu(a) - relu(-a) = a."""
    return D([[int(i == j) for j in range(k)] + [-int(i == j) for j in range(k)] for i in range(k)])


def ident(k):
    return [[int(i == j) for j in range(k)] for i in range(k)]


# --------------------------------------------------------------------------- sampling
def box(lower, upper):
    return {"lower": lower, "upper": upper}


def in_box(bx, x):
    if bx is None:
        return True
    for xi, lo, hi in zip(x, bx["lower"], bx["upper"]):
        if lo is not None and val(xi) < val(lo):
            return False
        if hi is not None and val(xi) > val(hi):
            return False
    return True


def samples(k, bx, rng, count=300):
    out = []
    for s in range(count):
        x = []
        for j in range(k):
            lo = hi = None
            if bx is not None:
                lo = None if bx["lower"][j] is None else val(bx["lower"][j])
                hi = None if bx["upper"][j] is None else val(bx["upper"][j])
            r = F(rng.randint(-400, 400), rng.randint(1, 40))
            if s >= count - 20:           # far points
                r = F(rng.randint(-10 ** 6, 10 ** 6), rng.randint(1, 7))
            if lo is not None and hi is not None:
                if s < 2 ** k:           # corners
                    x.append(lo if (s >> j) & 1 else hi)
                elif s < 2 ** k + 40:    # faces / edges
                    x.append(rng.choice([lo, hi, lo + (hi - lo) * F(rng.randint(0, 97), 97)]))
                else:
                    x.append(lo + (hi - lo) * F(rng.randint(0, 97), 97))
            elif lo is not None:
                x.append(lo if s % 7 == 0 else lo + abs(r))
            elif hi is not None:
                x.append(hi if s % 7 == 0 else hi - abs(r))
            else:
                x.append(r)
        out.append(x)
    return out


# --------------------------------------------------------------------------- cases
CASES = []


def case(family, name, n, layers, expect, why, domain=None, codomain=None,
         pre=None, wy=None, inv_img=None, coll=None, left=None):
    """expect: dict of property -> "holds" | "violated".

    pre: right inverse (surjective holds); wy + inv_img: unreachable point and the image
    invariant (surjective violated); left: left inverse (injective holds); coll: collision
    (injective violated)."""
    CASES.append(dict(family=family, name=name, n=n, layers=layers, expect=expect, why=why,
                      domain=domain, codomain=codomain, pre=pre, wy=wy, inv_img=inv_img,
                      coll=coll, left=left))


def S(**kw):
    return kw


# ============================================================== affine/
W = [[1, 2, 0], [0, 1, -1]]
case("affine", "wide_full_row_rank", 3, [D(W, [1, 0])],
     S(surjective="holds", injective="violated", bijective="violated"),
     "f(x) = W x + b with W = [[1,2,0],[0,1,-1]] of rank 2 = m: a right inverse gives the preimage "
     "x = (y1 - 1 - 2 y2, y2, 0) of every y, so f is onto R^2. Not injective (n = 3 > m = 2): W (2,-1,-1) = 0, "
     "so f(0,0,0) = f(2,-1,-1) = (1,0).",
     pre=lambda y: [val(y[0]) - 1 - 2 * val(y[1]), val(y[1]), 0],
     coll=([0, 0, 0], [2, -1, -1]))

W = claim_det([[2, 1], [1, 1]], 1)
case("affine", "square_invertible", 2, [D(W, [3, -1])],
     S(surjective="holds", injective="holds", bijective="holds"),
     "f(x) = W x + b with det W = 2 - 1 = 1: x = W^-1 (y - b) = [[1,-1],[-1,2]] (y - b) is the unique "
     "preimage of every y: bijective on R^2.",
     pre=affine_inverse(W, [3, -1]), left=affine_inverse(W, [3, -1]))

W = [[1, 2], [2, 4]]
case("affine", "rank_deficient_2x2", 2, [D(W, [0, 1])],
     S(surjective="violated", injective="violated", bijective="violated"),
     "f(x) = (x1 + 2 x2, 2 x1 + 4 x2 + 1): row 2 = 2 * row 1, so every image point satisfies y2 = 2 y1 + 1 "
     "(a line). y = (0,0) has 0 != 1, unreachable. Collision f(2,-1) = f(0,0) = (0,1).",
     wy=[0, 0], inv_img=lambda y: y[1] == 2 * y[0] + 1, coll=([2, -1], [0, 0]))

W = [[1, 0, 2], [0, 1, -1], [1, 1, 1]]
case("affine", "rank_deficient_3x3", 3, [D(W, [0, 0, 5])],
     S(surjective="violated", injective="violated", bijective="violated"),
     "Row 3 = row 1 + row 2 and bias (0,0,5), so every image point has y3 = y1 + y2 + 5 (rank 2 < 3). "
     "y = (0,0,0) gives 0 != 5: unreachable. Kernel vector (-2,1,1): f(0,0,0) = f(-2,1,1) = (0,0,5).",
     wy=[0, 0, 0], inv_img=lambda y: y[2] == y[0] + y[1] + 5, coll=([0, 0, 0], [-2, 1, 1]))

case("affine", "tall_1_to_2", 1, [D([[1], [2]], [0, 3])],
     S(surjective="violated", injective="holds", bijective="violated"),
     "m = 2 > n = 1: the image is the line y2 = 2 y1 + 3 (measure zero). y = (0,0) is off it: unreachable. "
     "Injective: x = y1.",
     wy=[0, 0], inv_img=lambda y: y[1] == 2 * y[0] + 3, left=lambda y: [y[0]])

W = [[1, 0], [0, 1], [1, -1]]
case("affine", "tall_2_to_3_relu", 2, [D([[1, 0], [0, 1], [-1, 0], [0, -1]]), R(),
                                        D([[1, 0, -1, 0], [0, 1, 0, -1], [1, -1, -1, 1]])],
     S(surjective="violated", injective="holds", bijective="violated"),
     "relu(a) - relu(-a) = a, so f(x) = (x1, x2, x1 - x2) on all of R^2: m = 3 > n = 2, image is the plane "
     "y3 = y1 - y2. y = (0,0,1) is off the plane: unreachable. Injective: x = (y1, y2).",
     wy=[0, 0, 1], inv_img=lambda y: y[2] == y[0] - y[1], left=lambda y: [y[0], y[1]])

case("affine", "box_onto_R2", 2, [D([[2, 0], [0, 2]])],
     S(surjective="violated", injective="holds", bijective="violated"),
     "X = [-1,1]^2, f(x) = 2x: the image is the bounded box [-2,2]^2, codomain is all of R^2. "
     "y = (3,0) has |y1| = 3 > 2: unreachable. Injective: x = y/2.",
     domain=box([-1, -1], [1, 1]),
     wy=[3, 0], inv_img=lambda y: all(abs(e) <= 2 for e in y), left=lambda y: [e / 2 for e in y])

case("affine", "box_double_onto_unit", 2, [D([[2, 0], [0, 2]])],
     S(surjective="holds", injective="holds"),
     "X = [-1,1]^2, f(x) = 2x, Y = [-1,1]^2: every y in Y has the preimage x = y/2 in [-1/2,1/2]^2 subset X. "
     "Injective: x = y/2.",
     domain=box([-1, -1], [1, 1]), codomain=box([-1, -1], [1, 1]),
     pre=lambda y: [e / 2 for e in y], left=lambda y: [e / 2 for e in y])

case("affine", "box_double_exact", 3, [D([[2, 0, 0], [0, 2, 0], [0, 0, 2]], [1, 0, -1])],
     S(surjective="holds", injective="holds", bijective="holds"),
     "X = [-1,1]^3, f(x) = 2x + (1,0,-1) maps X exactly onto Y = [-1,3] x [-2,2] x [-3,1]; "
     "x = (y - b)/2 is the unique preimage and lies in X for y in Y: a bijection X -> Y.",
     domain=box([-1, -1, -1], [1, 1, 1]), codomain=box([-1, -2, -3], [3, 2, 1]),
     pre=lambda y: [(val(y[0]) - 1) / 2, val(y[1]) / 2, (val(y[2]) + 1) / 2],
     left=lambda y: [(val(y[0]) - 1) / 2, val(y[1]) / 2, (val(y[2]) + 1) / 2])

case("affine", "box_sticks_out", 2, [D([[2, 0], [0, 2]])],
     S(surjective="violated", injective="holds"),
     "X = [-1,1]^2, f(x) = 2x, image [-2,2]^2; Y = [0,3] x [-1,1] sticks out: y = (5/2, 0) in Y needs "
     "x1 = 5/4 > 1, unreachable.",
     domain=box([-1, -1], [1, 1]), codomain=box([0, -1], [3, 1]),
     wy=["5/2", 0], inv_img=lambda y: all(abs(e) <= 2 for e in y), left=lambda y: [e / 2 for e in y])

case("affine", "unbounded_domain_halfspace_codomain", 2, [D([[1, 1], [0, -1]], [0, 2])],
     S(surjective="holds", injective="holds", bijective="violated"),
     "f(x) = (x1 + x2, 2 - x2), det -1, X = R^2, Y = [0,inf) x (-inf,2]: f is a bijection of R^2, so onto any "
     "Y; preimage x2 = 2 - y2, x1 = y1 - x2. Not a bijection from X to Y: f(X) = R^2 is not inside Y "
     "(x = (-1, 0) maps to (-1, 2)).",
     codomain=box([0, None], [None, 2]),
     pre=lambda y: [val(y[0]) - (2 - val(y[1])), 2 - val(y[1])],
     left=lambda y: [val(y[0]) - (2 - val(y[1])), 2 - val(y[1])])

case("affine", "wide_onto_R1", 4, [D([[1, -1, 2, 0]], [7])],
     S(surjective="holds", injective="violated", bijective="violated"),
     "f(x) = x1 - x2 + 2 x3 + 7: one nonzero row, rank 1 = m, x = (y - 7, 0, 0, 0) is a preimage. "
     "Collision f(0,0,0,0) = f(0,0,0,1) = 7 (x4 is ignored).",
     pre=lambda y: [val(y[0]) - 7, 0, 0, 0], coll=([0, 0, 0, 0], [0, 0, 0, 1]))

# ============================================================== leaky/
case("leaky", "leaky_1d", 1, [D([[3]], [1]), L("1/2"), D([[-2]], [4])],
     S(surjective="holds", injective="holds", bijective="holds"),
     "x -> 3x + 1 -> leaky(1/2) -> -2t + 4: each layer is a bijection of R (leaky_relu with alpha > 0 is "
     "strictly increasing and unbounded both ways), so the composition is. Inverse t = (4 - y)/2, "
     "leaky^-1, x = (z - 1)/3.",
     pre=compose(lambda y: [(4 - val(y[0])) / 2], leaky_inv("1/2"), lambda z: [(z[0] - 1) / 3]),
     left=compose(lambda y: [(4 - val(y[0])) / 2], leaky_inv("1/2"), lambda z: [(z[0] - 1) / 3]))

W1, b1, W2, b2 = claim_det([[1, 2], [3, 4]], -2), [1, -1], claim_det([[0, 1], [1, 1]], -1), [0, "1/2"]
f_inv = compose(affine_inverse(W2, b2), leaky_inv(2), leaky_inv("1/10"), affine_inverse(W1, b1))
case("leaky", "leaky_2d", 2, [D(W1, b1), L("1/10"), L(2), D(W2, b2)],
     S(surjective="holds", injective="holds", bijective="holds"),
     "Dense det -2, leaky alpha 1/10, leaky alpha 2 (still a strictly increasing bijection of R), dense "
     "det -1: every layer is a bijection of R^2, so f is bijective.",
     pre=f_inv, left=f_inv)

W1 = claim_det([[1, 0, 1], [2, 1, 0], [0, 1, 1]], 3)
W2 = claim_det([[1, 1, 0], [0, 1, 1], [1, 0, 0]], 1)
W3 = claim_det([[0, 0, 1], [0, 1, 0], [-1, 0, 0]], 1)
b1, b3 = [0, -1, "1/3"], [5, 0, -2]
f_inv = compose(affine_inverse(W3, b3), leaky_inv("1/4"), affine_inverse(W2), leaky_inv("3/5"),
                affine_inverse(W1, b1))
case("leaky", "leaky_3d_deep", 3, [D(W1, b1), L("3/5"), D(W2), L("1/4"), D(W3, b3)],
     S(surjective="holds", injective="holds", bijective="holds"),
     "Three dense layers with dets 3, 1, 1 (all nonzero) and two leaky_relu layers (alpha 3/5, 1/4 > 0): "
     "composition of bijections of R^3.",
     pre=f_inv, left=f_inv)

case("leaky", "leaky_box_exact", 2, [L("1/2")],
     S(surjective="holds", injective="holds", bijective="holds"),
     "X = [-1,1]^2, f = leaky_relu(1/2) coordinatewise maps [-1,1] increasingly onto [-1/2,1] per "
     "coordinate, so f(X) = [-1/2,1]^2 = Y exactly and f is a bijection X -> Y.",
     domain=box([-1, -1], [1, 1]), codomain=box(["-1/2", "-1/2"], [1, 1]),
     pre=leaky_inv("1/2"), left=leaky_inv("1/2"))

case("leaky", "leaky_box_too_big", 2, [L("1/2")],
     S(surjective="violated", injective="holds"),
     "X = [-1,1]^2, f = leaky_relu(1/2): f(X) = [-1/2,1]^2. Y = [-1,1]^2; y = (-1,0) needs x1 = -2 "
     "outside X: unreachable.",
     domain=box([-1, -1], [1, 1]), codomain=box([-1, -1], [1, 1]),
     wy=[-1, 0], inv_img=lambda y: all(F(-1, 2) <= e <= 1 for e in y), left=leaky_inv("1/2"))

case("leaky", "leaky_singular_first", 2, [D([[1, 1], [1, 1]]), L("1/10"), D([[1, 0], [0, 1]], [0, 0])],
     S(surjective="violated", injective="violated", bijective="violated"),
     "The first layer gives (t, t) with t = x1 + x2, leaky keeps both coordinates equal, so the image lies on "
     "the diagonal y1 = y2. y = (1,0) is off it: unreachable. f(1,-1) = f(0,0) = (0,0).",
     wy=[1, 0], inv_img=lambda y: y[0] == y[1], coll=([1, -1], [0, 0]))

# ============================================================== split/
W = claim_det([[1, 2], [3, 4]], -2)
case("split", "split_2d", 2, [split_first(W), R(), split_recombine(2)],
     S(surjective="holds", injective="holds", bijective="holds"),
     "relu(a) - relu(-a) = a: f(x) = W x with W = [[1,2],[3,4]], det -2: a linear bijection of R^2.",
     pre=affine_inverse(W), left=affine_inverse(W))

W, b = claim_det([[1, 0, 2], [0, 1, 1], [1, 1, 0]], -3), [1, "-1/2", 3]
case("split", "split_3d_bias", 3, [split_first(W, b), R(), split_recombine(3)],
     S(surjective="holds", injective="holds", bijective="holds"),
     "Split block with bias: relu(Wx+b) - relu(-(Wx+b)) = Wx + b, W = [[1,0,2],[0,1,1],[1,1,0]] with "
     "det -3: affine bijection of R^3.",
     pre=affine_inverse(W, b), left=affine_inverse(W, b))

W = [[1, 2], [2, 4]]
case("split", "split_singular", 2, [split_first(W), R(), split_recombine(2)],
     S(surjective="violated", injective="violated", bijective="violated"),
     "Split block computes W x with W = [[1,2],[2,4]] of rank 1: the image is the line y2 = 2 y1. "
     "y = (1,0) is off it: unreachable. f(2,-1) = f(0,0) = (0,0).",
     wy=[1, 0], inv_img=lambda y: y[1] == 2 * y[0], coll=([2, -1], [0, 0]))

W = [[1, 1], [1, -1]]
case("split", "split_box_inside", 2, [split_first(W), R(), split_recombine(2)],
     S(surjective="holds", injective="holds"),
     "X = [-1,1]^2, f(x) = (x1 + x2, x1 - x2): image is the diamond |y1| + |y2| <= 2, which contains "
     "Y = [-1,1]^2 (|y1| + |y2| <= 2 there). Preimage x = ((y1+y2)/2, (y1-y2)/2) lies in X.",
     domain=box([-1, -1], [1, 1]), codomain=box([-1, -1], [1, 1]),
     pre=affine_inverse(W), left=affine_inverse(W))

case("split", "split_box_corner_out", 2, [split_first(W), R(), split_recombine(2)],
     S(surjective="violated", injective="holds"),
     "X = [-1,1]^2, f(x) = (x1 + x2, x1 - x2): image is the diamond |y1| + |y2| <= 2. Y = [-1,3/2] x [-1,1] "
     "contains y = (3/2, 1) with |y1| + |y2| = 5/2 > 2: unreachable (its only preimage (5/4, 1/4) is outside X).",
     domain=box([-1, -1], [1, 1]), codomain=box([-1, -1], ["3/2", 1]),
     wy=["3/2", 1], inv_img=lambda y: abs(y[0]) + abs(y[1]) <= 2, left=affine_inverse(W))

W, V = claim_det([[2, 1], [1, 1]], 1), claim_det([[0, 1], [-1, 3]], 1)
f_inv = compose(affine_inverse(V, [1, 1]), leaky_inv("1/3"), affine_inverse(W))
case("split", "split_then_leaky", 2, [split_first(W), R(), split_recombine(2), L("1/3"), D(V, [1, 1])],
     S(surjective="holds", injective="holds", bijective="holds"),
     "Split block computes W x (det 1), then leaky_relu(1/3) (bijection), then dense with det 1: "
     "composition of bijections of R^2.",
     pre=f_inv, left=f_inv)

# ============================================================== relu_output/
case("relu_output", "relu_1d_onto_R", 1, [D([[1]]), R()],
     S(surjective="violated", injective="violated", bijective="violated"),
     "f(x) = relu(x) >= 0: y = -1 is unreachable. f(-1) = f(-2) = 0.",
     wy=[-1], inv_img=lambda y: y[0] >= 0, coll=([-1], [-2]))

case("relu_output", "relu_1d_onto_0_5", 1, [D([[1]]), R()],
     S(surjective="holds", injective="violated"),
     "f(x) = relu(x), Y = [0,5]: x = y is a preimage (relu(y) = y for y >= 0). Not injective: f(-1) = f(-2).",
     codomain=box([0], [5]), pre=lambda y: [y[0]], coll=([-1], [-2]))

case("relu_output", "relu_1d_onto_m1_5", 1, [D([[1]]), R()],
     S(surjective="violated"),
     "f(x) = relu(x) >= 0, Y = [-1,5] contains y = -1/2 < 0: unreachable.",
     codomain=box([-1], [5]), wy=["-1/2"], inv_img=lambda y: y[0] >= 0)

W, b = claim_det([[1, 2], [-1, 1]], 3), [1, 0]
case("relu_output", "relu_2d_onto_R2", 2, [D(W, b), R()],
     S(surjective="violated", injective="violated", bijective="violated"),
     "f(x) = relu(W x + b), W = [[1,2],[-1,1]], b = (1,0). Last layer is relu, so every output coordinate "
     "is >= 0: y = (-1, 0) is unreachable. Collision: the preactivation is (-1,-1) at x = (0,-1) and (-2,-2) at "
     "x = (1/3,-5/3); both map to (0,0).",
     wy=[-1, 0], inv_img=lambda y: all(e >= 0 for e in y),
     coll=([0, -1], ["1/3", "-5/3"]))

case("relu_output", "relu_2d_onto_orthant", 2, [D(W, b), R()],
     S(surjective="holds", injective="violated"),
     "Y = [0,inf)^2. The preactivation W x + b is onto R^2 (det 3), and relu is the identity on the orthant, "
     "so x = W^-1 (y - b) reaches every y >= 0.",
     codomain=box([0, 0], [None, None]), pre=affine_inverse(W, b),
     coll=([0, -1], ["1/3", "-5/3"]))

case("relu_output", "relu_2d_onto_box", 2, [D(W, b), R()],
     S(surjective="holds"),
     "Y = [0,3] x [1,2] lies in the orthant; preactivation onto R^2 (det 3): x = W^-1 (y - b).",
     codomain=box([0, 1], [3, 2]), pre=affine_inverse(W, b))

case("relu_output", "relu_2d_box_negative", 2, [D(W, b), R()],
     S(surjective="violated"),
     "Y = [0,3] x [-1,2] contains y = (0,-1) with a negative coordinate; relu outputs are >= 0: unreachable.",
     codomain=box([0, -1], [3, 2]), wy=[0, -1], inv_img=lambda y: all(e >= 0 for e in y))

W = claim_det([[1, 0, 1], [0, 2, 0], [1, 1, 0]], -2)
case("relu_output", "relu_3d_orthant_face", 3, [D(W, [0, 0, -1]), R()],
     S(surjective="holds"),
     "Y = [0,inf) x [0,4] x [0,0] (a degenerate face of the orthant); preactivation onto R^3 (det -2), and "
     "relu is the identity on Y, so x = W^-1 (y - b).",
     codomain=box([0, 0, 0], [None, 4, 0]), pre=affine_inverse(W, [0, 0, -1]))

case("relu_output", "relu_box_domain", 1, [D([[2]]), R()],
     S(surjective="holds"),
     "X = [-1,1], f(x) = relu(2x), Y = [0,2]: x = y/2 in [0,1].",
     domain=box([-1], [1]), codomain=box([0], [2]), pre=lambda y: [val(y[0]) / 2])

case("relu_output", "relu_box_domain_too_high", 1, [D([[2]]), R()],
     S(surjective="violated", injective="violated"),
     "X = [-1,1], f(x) = relu(2x) <= 2. Y = [0,3] contains y = 3, which needs x = 3/2: unreachable. "
     "f(-1) = f(-1/2) = 0.",
     domain=box([-1], [1]), codomain=box([0], [3]), wy=[3], inv_img=lambda y: 0 <= y[0] <= 2,
     coll=([-1], ["-1/2"]))

# ============================================================== fold/
# zig(x) = x - 2 relu(x-1) + 2 relu(x-2): slopes 1, -1, 1; zig(1) = 1, zig(2) = 0.
ZIG = [D([[1], [1], [1], [-1]], [0, -1, -2, 0]), R(), D([[1, -2, 2, -1]])]


def zig_pre(y):
    """A preimage of y under zig: on x >= 2, zig(x) = x - 2 (slope 1, value 0 at 2) ... for y >= 0;
    on x <= 1 zig(x) = x, for y <= 1."""
    y = val(y)
    return y if y <= 1 else y + 2


case("fold", "zigzag_onto_R", 1, ZIG,
     S(surjective="holds", injective="violated", bijective="violated"),
     "f(x) = relu(x) - relu(-x) - 2 relu(x-1) + 2 relu(x-2) = x - 2 relu(x-1) + 2 relu(x-2): slopes 1, -1, 1, "
     "f(x) = x for x <= 1 and f(x) = x - 2 for x >= 2, so every y has a preimage (y if y <= 1, y + 2 "
     "otherwise): onto R. Not injective: f(0) = f(2) = 0.",
     pre=lambda y: [zig_pre(y[0])], coll=([0], [2]))

case("fold", "zigzag_box", 1, ZIG,
     S(surjective="holds", injective="violated"),
     "X = [0,3], zigzag f: 0 -> 0, 1 -> 1, 2 -> 0, 3 -> 1, so f(X) = [0,1] = Y (f(x) = x on [0,1]). "
     "f(0) = f(2) = 0.",
     domain=box([0], [3]), codomain=box([0], [1]), pre=lambda y: [y[0]], coll=([0], [2]))

case("fold", "zigzag_box_too_high", 1, ZIG,
     S(surjective="violated", injective="violated"),
     "X = [0,3], zigzag f has f(X) = [0,1] (piecewise linear, max over breakpoints 0,1,2,3 is 1). Y = [0,2] "
     "contains y = 3/2 > 1: unreachable. f(0) = f(2) = 0.",
     domain=box([0], [3]), codomain=box([0], [2]), wy=["3/2"], inv_img=lambda y: 0 <= y[0] <= 1,
     coll=([0], [2]))

# g(x) = -x + 3 relu(x-1) - 3 relu(x-2): slopes -1, 2, -1 ; g(1) = -1, g(2) = 1, -> +inf at -inf, -inf at +inf
NEGZIG = [D([[1], [-1], [1], [1]], [0, 0, -1, -2]), R(), D([[-1, 1, 3, -3]])]


def negzig_pre(y):
    y = val(y)
    return -y if y >= -1 else 3 - y  # g(x) = -x for x <= 1, g(x) = 3 - x for x >= 2


case("fold", "negzigzag_onto_R", 1, NEGZIG,
     S(surjective="holds", injective="violated", bijective="violated"),
     "f(x) = -x + 3 relu(x-1) - 3 relu(x-2) (with -x = relu(-x) - relu(x)): slopes -1, 2, -1; f(x) = -x for "
     "x <= 1 and f(x) = 3 - x for x >= 2. Preimage of y: -y if y >= -1, else 3 - y (>= 2). Onto R. "
     "Not injective: f(0) = f(3) = 0.",
     pre=lambda y: [negzig_pre(y[0])], coll=([0], [3]))

ABS = [D([[1], [-1]]), R(), D([[1, 1]])]
case("fold", "abs_onto_R", 1, ABS,
     S(surjective="violated", injective="violated", bijective="violated"),
     "f(x) = relu(x) + relu(-x) = |x| >= 0: y = -1 is unreachable. f(1) = f(-1) = 1.",
     wy=[-1], inv_img=lambda y: y[0] >= 0, coll=([1], [-1]))

case("fold", "abs_onto_halfline", 1, ABS,
     S(surjective="holds", injective="violated"),
     "f(x) = |x|, Y = [0,inf): x = y. Not injective: f(1) = f(-1).",
     codomain=box([0], [None]), pre=lambda y: [y[0]], coll=([1], [-1]))

ABS3 = [D([[1], [-1]]), R(), D([[1, 1]], [-1])]
case("fold", "abs_shift_halfline_below", 1, ABS3,
     S(surjective="violated", injective="violated"),
     "f(x) = |x| - 1 >= -1; Y = [-2,inf) contains y = -3/2 < -1: unreachable. f(1) = f(-1) = 0.",
     codomain=box([-2], [None]), wy=["-3/2"], inv_img=lambda y: y[0] >= -1, coll=([1], [-1]))

# h(x) = 2|x| - 3 relu(x-1) + 3 relu(x-3): slopes -2, 2, -1, 2; h(0)=0, h(1)=2, h(3)=0; min 0, -> +inf both ends
W_H = [D([[1], [-1], [1], [1]], [0, 0, -1, -3]), R(), D([[2, 2, -3, 3]])]


def h_pre(y):
    return -val(y) / 2          # on x <= 0, h(x) = -2x


case("fold", "double_well_onto_R", 1, W_H,
     S(surjective="violated", injective="violated", bijective="violated"),
     "f(x) = 2|x| - 3 relu(x-1) + 3 relu(x-3): slopes -2, 2, -1, 2 on (-inf,0], [0,1], [1,3], [3,inf); "
     "values f(0) = 0, f(1) = 2, f(3) = 0, both ends -> +inf, so min f = 0 and y = -1 is unreachable. "
     "f(0) = f(3) = 0.",
     wy=[-1], inv_img=lambda y: y[0] >= 0, coll=([0], [3]))

case("fold", "double_well_onto_halfline", 1, W_H,
     S(surjective="holds", injective="violated"),
     "Same double well f (f(x) = -2x for x <= 0), Y = [0,inf): x = -y/2.",
     codomain=box([0], [None]), pre=lambda y: [h_pre(y[0])], coll=([0], [3]))

# 2 -> 1: relu(x1) - relu(x2) onto R
case("fold", "two_to_one_onto_R", 2, [D([[1, 0], [0, 1]]), R(), D([[1, -1]])],
     S(surjective="holds", injective="violated", bijective="violated"),
     "f(x) = relu(x1) - relu(x2): y >= 0 is f(y, 0), y < 0 is f(0, -y): onto R. f(-1,0) = f(-2,0) = 0.",
     pre=lambda y: [max(val(y[0]), 0), max(-val(y[0]), 0)], coll=([-1, 0], [-2, 0]))

case("fold", "two_to_one_nonneg", 2, [D([[1, 0], [0, 1]]), R(), D([[1, 1]])],
     S(surjective="violated", injective="violated", bijective="violated"),
     "f(x) = relu(x1) + relu(x2) >= 0: y = -1 unreachable. f(1,0) = f(0,1) = 1.",
     wy=[-1], inv_img=lambda y: y[0] >= 0, coll=([1, 0], [0, 1]))

# ============================================================== box/
case("box", "bounded_domain_unbounded_codomain_side", 2, [D([[1, 1], [1, -1]]), R()],
     S(surjective="violated"),
     "X = [-1,1]^2: f(x) = (relu(x1+x2), relu(x1-x2)) lies in [0,2]^2 (bounded image). Y = [0,inf) x [-1,1] "
     "has an unbounded side; y = (3,0) in Y has y1 = 3 > 2: unreachable.",
     domain=box([-1, -1], [1, 1]), codomain=box([0, -1], [None, 1]),
     wy=[3, 0], inv_img=lambda y: all(0 <= e <= 2 for e in y))

case("box", "relu_clip_square", 2, [D([[1, 0], [0, 1]]), R()],
     S(surjective="holds", injective="violated"),
     "X = [-1,1]^2, f(x) = relu(x): f(X) = [0,1]^2 = Y, x = y is a preimage. f(-1,0) = f(-1/2,0) = (0,0).",
     domain=box([-1, -1], [1, 1]), codomain=box([0, 0], [1, 1]),
     pre=lambda y: list(y), coll=([-1, 0], ["-1/2", 0]))

case("box", "relu_clip_square_overlap", 2, [D([[1, 0], [0, 1]]), R()],
     S(surjective="violated", injective="violated"),
     "X = [-1,1]^2, f(x) = relu(x) has image [0,1]^2. Y = [-1/2,1] x [0,1] contains y = (-1/2, 0) with a "
     "negative coordinate: unreachable.",
     domain=box([-1, -1], [1, 1]), codomain=box(["-1/2", 0], [1, 1]),
     wy=["-1/2", 0], inv_img=lambda y: all(0 <= e <= 1 for e in y), coll=([-1, 0], ["-1/2", 0]))

W = [[1, 1], [1, -1]]
case("box", "diamond_inside", 2, [D(W)],
     S(surjective="holds", injective="holds"),
     "X = [0,1]^2, f(x) = (x1 + x2, x1 - x2): the image is the square with vertices (0,0), (1,1), (2,0), "
     "(1,-1), i.e. |y2| <= min(y1, 2 - y1). Y = [1/2,3/2] x [-1/2,1/2] is inside; preimage "
     "x = ((y1+y2)/2, (y1-y2)/2) in [0,1]^2.",
     domain=box([0, 0], [1, 1]), codomain=box(["1/2", "-1/2"], ["3/2", "1/2"]),
     pre=affine_inverse(W), left=affine_inverse(W))

case("box", "diamond_overlap", 2, [D(W)],
     S(surjective="violated", injective="holds"),
     "X = [0,1]^2, image |y2| <= min(y1, 2 - y1). Y = [0,1] x [0,1] contains y = (0,1): |y2| = 1 > y1 = 0; "
     "its only preimage (1/2, -1/2) is outside X: unreachable.",
     domain=box([0, 0], [1, 1]), codomain=box([0, 0], [1, 1]),
     wy=[0, 1], inv_img=lambda y: abs(y[1]) <= min(y[0], 2 - y[0]), left=affine_inverse(W))

# f(x) = (x1 + relu(x2), x2) on [-1,1]^2: hexagon (-1,-1),(1,-1),(1,0),(2,1),(0,1),(-1,0)
SHEAR = [D([[1, 0], [-1, 0], [0, 1], [0, -1]]), R(), D([[1, -1, 1, 0], [0, 0, 1, -1]])]


def shear_inv(y):
    return [val(y[0]) - relu(y[1]), val(y[1])]


def in_hexagon(y):
    y1, y2 = y
    return -1 <= y2 <= 1 and -1 + relu(y2) <= y1 <= 1 + relu(y2)


case("box", "relu_shear_hexagon_inside", 2, SHEAR,
     S(surjective="holds", injective="holds"),
     "X = [-1,1]^2, f(x) = (x1 + relu(x2), x2) (split identities): image is the hexagon (-1,-1), (1,-1), (1,0), "
     "(2,1), (0,1), (-1,0). Y = [0,1] x [-1,1] is inside: preimage x = (y1 - relu(y2), y2) has "
     "x1 in [0 - 1, 1 - 0] = [-1,1]. Injective: x2 = y2, x1 = y1 - relu(y2).",
     domain=box([-1, -1], [1, 1]), codomain=box([0, -1], [1, 1]),
     pre=shear_inv, left=shear_inv)

case("box", "relu_shear_hexagon_overlap", 2, SHEAR,
     S(surjective="violated", injective="holds"),
     "X = [-1,1]^2, f(x) = (x1 + relu(x2), x2): image is the hexagon with y1 in [-1 + relu(y2), 1 + relu(y2)]. "
     "Y = [-1,1]^2 contains y = (-1,1): x2 = 1 forces x1 = -2 outside X: unreachable.",
     domain=box([-1, -1], [1, 1]), codomain=box([-1, -1], [1, 1]),
     wy=[-1, 1], inv_img=in_hexagon, left=shear_inv)

case("box", "segment_exact", 1, [D([[3]], [1])],
     S(surjective="holds", injective="holds", bijective="holds"),
     "X = [-1,1], f(x) = 3x + 1 increasing: f(X) = [-2,4] = Y, x = (y-1)/3.",
     domain=box([-1], [1]), codomain=box([-2], [4]),
     pre=lambda y: [(val(y[0]) - 1) / 3], left=lambda y: [(val(y[0]) - 1) / 3])

case("box", "segment_too_long", 1, [D([[3]], [1])],
     S(surjective="violated", injective="holds", bijective="violated"),
     "X = [-1,1], f(x) = 3x + 1 has image [-2,4]; Y = [-2,5] contains y = 5 (needs x = 4/3): unreachable.",
     domain=box([-1], [1]), codomain=box([-2], [5]),
     wy=[5], inv_img=lambda y: -2 <= y[0] <= 4, left=lambda y: [(val(y[0]) - 1) / 3])

case("box", "halfline_domain_onto_R", 1, [D([[2]], [-1])],
     S(surjective="violated", injective="holds", bijective="violated"),
     "X = [0,inf), f(x) = 2x - 1 >= -1: y = -2 is unreachable (codomain R).",
     domain=box([0], [None]), wy=[-2], inv_img=lambda y: y[0] >= -1,
     left=lambda y: [(val(y[0]) + 1) / 2])

case("box", "halfline_domain_onto_halfline", 1, [D([[2]], [-1])],
     S(surjective="holds", injective="holds", bijective="holds"),
     "X = [0,inf), f(x) = 2x - 1 maps X increasingly onto [-1,inf) = Y: x = (y+1)/2.",
     domain=box([0], [None]), codomain=box([-1], [None]),
     pre=lambda y: [(val(y[0]) + 1) / 2], left=lambda y: [(val(y[0]) + 1) / 2])

case("box", "strip_domain", 2, [split_first(ident(2)), R(), split_recombine(2)],
     S(surjective="violated", injective="holds", bijective="violated"),
     "X = R x [0,1], f(x) = relu(x) - relu(-x) = x: image is the strip R x [0,1]. y = (0,2) in R^2 "
     "has y2 = 2 > 1: unreachable.",
     domain=box([None, 0], [None, 1]), wy=[0, 2], inv_img=lambda y: 0 <= y[1] <= 1,
     left=lambda y: list(y))

case("box", "strip_domain_onto_strip", 2, [split_first(ident(2)), R(), split_recombine(2)],
     S(surjective="holds", injective="holds", bijective="holds"),
     "X = R x [0,1], f = identity (written relu(x) - relu(-x)); Y = R x [0,1] = f(X): x = y.",
     domain=box([None, 0], [None, 1]), codomain=box([None, 0], [None, 1]),
     pre=lambda y: list(y), left=lambda y: list(y))

# ============================================================== square/
# homeomorphism block: z -> z + c relu(z) per coordinate (c > -1), z = A x.  Written as
# dense [A; -A] -> relu -> dense [[1+c1, 0, -1, 0], [0, 1+c2, 0, -1]] (z + c relu(z) = (1+c) relu(z) - relu(-z)).


def homeo_block(A, c, b=None):
    k = len(A)
    rec = [[(1 + val(c[i])) if j == i else (-1 if j == k + i else 0) for j in range(2 * k)] for i in range(k)]
    return [split_first(A, b), R(), D(rec)]


def homeo_inv(c):
    # per coordinate: t -> t / (1 + c) if t >= 0 else t
    return lambda y: [val(t) / (1 + val(ci)) if val(t) >= 0 else val(t) for t, ci in zip(y, c)]


A1, c1 = claim_det([[1, 1], [0, 1]], 1), [1, "-1/2"]
A2 = claim_det([[2, -1], [1, 1]], 3)
f_inv = compose(affine_inverse(A2, [0, 1]), homeo_inv(c1), affine_inverse(A1))
case("square", "homeo_2d", 2, homeo_block(A1, c1) + [D(A2, [0, 1])],
     S(surjective="holds", injective="holds", bijective="holds"),
     "z = A1 x (det 1); per coordinate z_i + c_i relu(z_i) = (1+c_i) relu(z_i) - relu(-z_i) with c = (1, -1/2), "
     "c_i > -1, so each coordinate map is strictly increasing PL with slopes 1 and 1+c_i > 0, a bijection of R; "
     "then dense A2 (det 3): composition of bijections of R^2.",
     pre=f_inv, left=f_inv)

B1, d1 = claim_det([[0, 1], [1, 0]], -1), ["1/2", 3]
B2 = claim_det([[1, -1], [1, 1]], 2)
B3 = claim_det([[1, 2], [0, 1]], 1)
d2 = ["-3/4", 1]
f_inv = compose(affine_inverse(B3, [1, -1]), homeo_inv(d2), affine_inverse(B2), homeo_inv(d1), affine_inverse(B1, [1, 0]))
case("square", "homeo_2d_deep", 2,
     homeo_block(B1, d1, [1, 0]) + homeo_block(B2, d2) + [D(B3, [1, -1])],
     S(surjective="holds", injective="holds", bijective="holds"),
     "Two homeomorphism blocks z -> z + c relu(z) (written (1+c) relu(z) - relu(-z)): after dense B1 = swap "
     "(det -1, bias (1,0)) with c = (1/2, 3), after dense B2 = [[1,-1],[1,1]] (det 2) with c = (-3/4, 1); all "
     "c_i > -1 so each coordinate map is a strictly increasing PL bijection of R; final dense [[1,2],[0,1]] "
     "(det 1). Composition of bijections.",
     pre=f_inv, left=f_inv)

# triangular: (x1 + 3 relu(x2) - 5 relu(x2 - 1), x2)
TRI = [D([[1, 0], [-1, 0], [0, 1], [0, -1], [0, 1]], [0, 0, 0, 0, -1]), R(),
       D([[1, -1, 3, 0, -5], [0, 0, 1, -1, 0]])]


def tri_inv(y):
    y2 = val(y[1])
    return [val(y[0]) - 3 * relu(y2) + 5 * relu(y2 - 1), y2]


case("square", "triangular_shear", 2, TRI,
     S(surjective="holds", injective="holds", bijective="holds"),
     "f(x) = (x1 + h(x2), x2) with h(t) = 3 relu(t) - 5 relu(t-1) (x_i = relu(x_i) - relu(-x_i)): a triangular "
     "map, inverse x2 = y2, x1 = y1 - h(y2). Bijective for any h, although h itself is not monotone.",
     pre=tri_inv, left=tri_inv)

# zigzag in one coordinate, identity in the other, wrapped in invertible dense maps
A, Bm = claim_det([[1, 1], [1, 2]], 1), claim_det([[0, 1], [-1, 1]], 1)
ZZ2 = [D([[1, 0], [1, 0], [1, 0], [-1, 0], [0, 1], [0, -1]], [0, -1, -2, 0, 0, 0]), R(),
       D([[1, -2, 2, -1, 0, 0], [0, 0, 0, 0, 1, -1]])]


def compose_first_dense(A, b, layers):
    """Fold a dense layer x -> A x + b in front of `layers` whose first layer is dense."""
    first = layers[0]
    W0 = first["weights"]
    b0 = first.get("bias", [0] * len(W0))
    Wn = matmul(W0, A)
    bn = add(matvec(W0, b), b0)
    return [D(Wn, bn)] + layers[1:]


A_b = [1, -1]
FOLD2 = compose_first_dense(A, A_b, ZZ2) + [D(Bm, [0, 2])]
Ainv = affine_inverse(A, A_b)
f_pre = compose(affine_inverse(Bm, [0, 2]), lambda z: [zig_pre(z[0]), z[1]], Ainv)
case("square", "fold_2d_onto_R2", 2, FOLD2,
     S(surjective="holds", injective="violated", bijective="violated"),
     "f = B o (zig(z1), z2) o (A x + a) with A = [[1,1],[1,2]] (det 1), a = (1,-1), B = [[0,1],[-1,1]] "
     "(det 1, bias (0,2)), zig(t) = t - 2 relu(t-1) + 2 relu(t-2) onto R (t for t <= 1, t - 2 for t >= 2). "
     "Each factor is onto, so f is onto R^2; zig(0) = zig(2) = 0 gives the collision "
     "x = A^-1((0,0) - a) = (-3, 2) and x = A^-1((2,0) - a) = (1, 0).",
     pre=f_pre, coll=(Ainv([0, 0]), Ainv([2, 0])))

ABS2 = [D([[1, 0], [-1, 0], [0, 1], [0, -1]]), R(), D([[1, 1, 0, 0], [0, 0, 1, -1]])]
case("square", "abs_first_coordinate", 2, ABS2,
     S(surjective="violated", injective="violated", bijective="violated"),
     "f(x) = (|x1|, x2): y = (-1, 0) has a negative first coordinate: unreachable. f(1,0) = f(-1,0).",
     wy=[-1, 0], inv_img=lambda y: y[0] >= 0, coll=([1, 0], [-1, 0]))

case("square", "abs_first_coordinate_halfplane", 2, ABS2,
     S(surjective="holds", injective="violated"),
     "f(x) = (|x1|, x2), Y = [0,inf) x R: x = y.",
     codomain=box([0, None], [None, None]), pre=lambda y: list(y), coll=([1, 0], [-1, 0]))

Bh = claim_det([[1, 2], [1, 1]], -1)
HALF = [D([[1, 0], [-1, 0], [0, 1]]), R(), D(matmul(Bh, [[1, -1, 0], [0, 0, 1]]), [1, 0])]
case("square", "halfplane_image", 2, HALF,
     S(surjective="violated", injective="violated", bijective="violated"),
     "f(x) = B (x1, relu(x2)) + (1,0) with B = [[1,2],[1,1]] (det -1): the image is B(R x [0,inf)) + (1,0), "
     "i.e. the half-plane where the second coordinate of B^-1 (y - (1,0)) = (y1 - 1) - y2 is >= 0. "
     "y = (1,1) gives -1 < 0: unreachable. f(0,-1) = f(0,-2) = (1,0).",
     wy=[1, 1], inv_img=lambda y: (y[0] - 1) - y[1] >= 0, coll=([0, -1], [0, -2]))

# 3-D homeomorphism
C1 = claim_det([[1, 0, 1], [1, 1, 0], [0, 1, 1]], 2)
e1 = ["1/3", "-1/2", 2]
C2 = claim_det([[0, 1, 0], [0, 0, 1], [1, 0, 0]], 1)
f_inv = compose(affine_inverse(C2, [0, 0, 1]), homeo_inv(e1), affine_inverse(C1, [1, 2, 3]))
case("square", "homeo_3d", 3, homeo_block(C1, e1, [1, 2, 3]) + [D(C2, [0, 0, 1])],
     S(surjective="holds", injective="holds", bijective="holds"),
     "z = C1 x + (1,2,3) with C1 = [[1,0,1],[1,1,0],[0,1,1]] (det 2); per coordinate z + c relu(z) with "
     "c = (1/3, -1/2, 2), all > -1, strictly increasing PL bijections of R; then a cyclic permutation: "
     "composition of bijections of R^3.",
     pre=f_inv, left=f_inv)

# 2-D: zigzag in x1 is onto; second output x2 + relu(x1) (triangular in the other direction) -> still onto
ZT = [D([[1, 0], [1, 0], [1, 0], [-1, 0], [0, 1], [0, -1]], [0, -1, -2, 0, 0, 0]), R(),
      D([[1, -2, 2, -1, 0, 0], [1, 0, 0, 0, 1, -1]])]


def zt_pre(y):
    x1 = zig_pre(y[0])
    return [x1, val(y[1]) - relu(x1)]


case("square", "fold_with_coupling", 2, ZT,
     S(surjective="holds", injective="violated", bijective="violated"),
     "f(x) = (zig(x1), x2 + relu(x1)) with zig onto R (zig(t) = t for t <= 1, t - 2 for t >= 2): for any y pick "
     "x1 with zig(x1) = y1, then x2 = y2 - relu(x1). Collision: zig(0) = zig(2) = 0, and x2 compensates: "
     "f(0,0) = f(2,-2) = (0,0).",
     pre=zt_pre, coll=([0, 0], [2, -2]))

# 4-D leaky-like homeomorphism on a box domain onto a box inside its image
case("square", "homeo_4d_diag_box", 4,
     homeo_block(ident(4), [1, 1, 1, 1]),
     S(surjective="holds", injective="holds"),
     "X = [-1,1]^4, per coordinate g(t) = t + relu(t) (slope 1 on t < 0, 2 on t > 0): g maps [-1,1] onto "
     "[-1,2]. Y = [-1,1]^4 is inside; preimage t = y/2 for y >= 0, t = y for y < 0, in [-1,1/2].",
     domain=box([-1] * 4, [1] * 4), codomain=box([-1] * 4, [1] * 4),
     pre=homeo_inv([1, 1, 1, 1]), left=homeo_inv([1, 1, 1, 1]))


# ============================================================== harder / edge cases
def solve(M, r):
    """Unique solution of the square system M x = r, or None if M is singular."""
    if det(M) == 0:
        return None
    return matvec(inv(M), r)


def one_hidden_preimages(layers, y, dom=None):
    """All preimages in X of y under dense -> relu -> dense with n = m, by enumerating the
    activation patterns whose linear piece is nonsingular (exact; used only as a check)."""
    found = []
    for s in range(2 ** len(layers[0]["weights"])):
        x = pattern_preimage(layers, [(s >> i) & 1 for i in range(len(layers[0]["weights"]))], y)
        if x is not None and in_box(dom, x) and x not in found:
            found.append(x)
    return found


def pattern_preimage(layers, on, y):
    """The preimage of y under dense -> relu -> dense on the activation region with pattern `on`
    (1 active, 0 inactive): the exact solution of that piece's square system, if it is unique and
    lies in the region; else None."""
    W1 = [[val(e) for e in r] for r in layers[0]["weights"]]
    b1 = [val(e) for e in layers[0].get("bias", [0] * len(W1))]
    W2 = [[val(e) for e in r] for r in layers[2]["weights"]]
    b2 = [val(e) for e in layers[2].get("bias", [0] * len(W2))]
    k = len(W1)
    M = [[sum(W2[r][i] * on[i] * W1[i][c] for i in range(k)) for c in range(len(W1[0]))] for r in range(len(W2))]
    rhs = [val(y[r]) - b2[r] - sum(W2[r][i] * on[i] * b1[i] for i in range(k)) for r in range(len(W2))]
    x = solve(M, rhs)
    if x is None:
        return None
    pre = matvec(W1, x)
    if all((pre[i] + b1[i] >= 0) if on[i] else (pre[i] + b1[i] <= 0) for i in range(k)):
        return x
    return None


def first_preimage(layers, dom=None):
    def f(y):
        xs = one_hidden_preimages(layers, y, dom)
        assert xs, ("no preimage found", y)
        return xs[0]
    return f


def unique_preimage(layers, dom=None):
    def f(y):
        xs = one_hidden_preimages(layers, y, dom)
        assert len(xs) == 1, ("preimage not unique", y, xs)
        return xs[0]
    return f


# T(x) = (|x1| - |x2|, |x1 + x2| - |x1 - x2|): a PL "angle doubling" (degree-2) map of the plane.
DBL = [D([[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [-1, -1], [1, -1], [-1, 1]]), R(),
       D([[1, 1, -1, -1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1, -1, -1]])]


def dbl_pre(y):
    a, b = val(y[0]), val(y[1])
    if b >= 0:
        return [a + b / 2, b / 2] if a >= 0 else [b / 2, b / 2 - a]
    return [a - b / 2, b / 2] if a >= 0 else [-b / 2, a + b / 2]


DBL_WHY = ("T(x) = (|x1| - |x2|, |x1 + x2| - |x1 - x2|) (each |t| = relu(t) + relu(-t)); note |x1+x2| - |x1-x2| = "
           "2 sgn(x1 x2) min(|x1|,|x2|). On the closed first quadrant T is (x1 - x2, 2 x2) for x1 >= x2 and "
           "(x1 - x2, 2 x1) for x2 >= x1, which together map it bijectively onto the upper half-plane b >= 0 "
           "(the two pieces agree on x1 = x2); on the fourth quadrant T is (x1 + x2, 2 x2) for x1 >= -x2 and "
           "(x1 + x2, -2 x1) otherwise, onto b <= 0. ")
case("square", "angle_doubling_onto_R2", 2, DBL,
     S(surjective="holds", injective="violated", bijective="violated"),
     DBL_WHY + "Hence T is onto R^2 (preimage of (a,b): (a + b/2, b/2) or (b/2, b/2 - a) for b >= 0, "
     "(a - b/2, b/2) or (-b/2, a + b/2) for b < 0). T is even: T(1,0) = T(-1,0) = (1,0).",
     pre=dbl_pre, coll=([1, 0], [-1, 0]))

case("square", "angle_doubling_quadrant", 2, DBL,
     S(surjective="holds", injective="holds", bijective="holds"),
     DBL_WHY + "So with X = [0,inf)^2 and Y = R x [0,inf), T: X -> Y is a bijection (inverse (a + b/2, b/2) for "
     "a >= 0, (b/2, b/2 - a) for a <= 0).",
     domain=box([0, 0], [None, None]), codomain=box([None, 0], [None, None]),
     pre=dbl_pre, left=dbl_pre)

case("square", "angle_doubling_quadrant_onto_R2", 2, DBL,
     S(surjective="violated", injective="holds", bijective="violated"),
     DBL_WHY + "So with X = [0,inf)^2 the image is the upper half-plane b >= 0: y = (0,-1) is unreachable "
     "(for x >= 0 both |x1+x2| >= |x1-x2|). Injective on X (inverse as above).",
     domain=box([0, 0], [None, None]),
     wy=[0, -1], inv_img=lambda y: y[1] >= 0, left=dbl_pre)

case("square", "angle_doubling_point_codomain_hit", 2, DBL,
     S(surjective="holds"),
     "X = [0,inf)^2, Y = {(3,4)} (lower = upper). " + DBL_WHY + "(3,4) = T(5,2): |5| - |2| = 3, 7 - 3 = 4.",
     domain=box([0, 0], [None, None]), codomain=box([3, 4], [3, 4]),
     pre=lambda y: [5, 2])

case("square", "angle_doubling_point_codomain_miss", 2, DBL,
     S(surjective="violated"),
     "X = [0,inf)^2, Y = {(3,-4)} (lower = upper). For x >= 0, |x1 + x2| = x1 + x2 >= |x1 - x2|, so the second "
     "output is >= 0 and y = (3,-4) is unreachable.",
     domain=box([0, 0], [None, None]), codomain=box([3, -4], [3, -4]),
     wy=[3, -4], inv_img=lambda y: y[1] >= 0)

# residual contraction: f(x) = x + (1/3) relu(A x + b), Lip_inf(g) <= (1/3) * 2 < 1
Ares, bres = [[1, -1], [1, "1/2"]], [1, -2]
RES = [D([[1, 0], [-1, 0], [0, 1], [0, -1]] + Ares, [0, 0, 0, 0] + bres), R(),
       D([[1, -1, 0, 0, "1/3", 0], [0, 0, 1, -1, 0, "1/3"]])]
case("square", "residual_contraction", 2, RES,
     S(surjective="holds", injective="holds", bijective="holds"),
     "f(x) = x + g(x), g(x) = (1/3) relu(A x + b), A = [[1,-1],[1,1/2]], b = (1,-2) (x written relu(x) - relu(-x)). "
     "relu is 1-Lipschitz, so in the inf-norm Lip(g) <= (1/3) max row sum |A| = (1/3) * 2 = 2/3 < 1. For every y, "
     "x -> y - g(x) is a contraction, whose unique fixed point (Banach) is the unique preimage: f is a "
     "bijection of R^2 (i-ResNet argument).",
     pre=unique_preimage(RES), left=unique_preimage(RES))

# a wide residual contraction in R^3: 12 hidden neurons, too many for enumerating patterns
def residual_preimage(layers):
    """The preimage of y under dense -> relu -> dense of the form x + g(x), Lip(g) < 1: the fixed point of
    x -> y - g(x), iterated in floating point to find its activation pattern, then solved exactly on that
    pattern's region and checked to lie in it (exact)."""
    W1 = [[val(e) for e in r] for r in layers[0]["weights"]]
    b1 = [val(e) for e in layers[0].get("bias", [0] * len(W1))]
    W2 = [[val(e) for e in r] for r in layers[2]["weights"]]
    k, n = len(W1), len(W1[0])

    def f(y):
        yv = [val(e) for e in y]
        x = [float(e) for e in yv]
        for _ in range(200):
            h = [max(0.0, sum(float(W1[i][c]) * x[c] for c in range(n)) + float(b1[i])) for i in range(k)]
            fx = [sum(float(W2[r][i]) * h[i] for i in range(k)) for r in range(n)]
            x = [float(yv[r]) - (fx[r] - x[r]) for r in range(n)]  # x <- y - g(x), g = f - identity
        on = [int(sum(float(W1[i][c]) * x[c] for c in range(n)) + float(b1[i]) > 0) for i in range(k)]
        xs = pattern_preimage(layers, on, y)
        assert xs is not None, ("no preimage on the fixed point's region", y)
        assert [val(e) for e in evaluate(layers, xs)] == yv
        return xs
    return f


W1w = [[0, 1, -1], [1, -1, -1], [1, 1, 1], [1, 1, -1], [0, 1, 1], [1, -1, 0], [-1, 1, -1], [-1, 0, 1],
       [1, 0, 0], [0, 1, 0], [-1, -1, 0], [1, 0, 1]]
b1w = [-1, -1, 0, 0, -1, 2, 1, 2, 0, 0, 1, 2]
W2w = [["1/64", "1/64", "-1/64", "-1/64", "-1/64", "1/64", "-1/64", "-1/64", "1/64", "-1/64", "1/64", "1/64"],
       ["1/64", "-1/64", "1/64", "-1/64", "-1/64", "1/64", "1/64", "1/64", "1/64", "1/64", "1/64", "-1/64"],
       ["-1/64", "-1/64", "-1/64", "1/64", "1/64", "-1/64", "-1/64", "1/64", "-1/64", "-1/64", "1/64", "-1/64"]]
I3 = [[int(i == j) for j in range(3)] for i in range(3)]
RESW = [D(I3 + [[-e for e in r] for r in I3] + W1w, [0] * 6 + b1w), R(),
        D([I3[i] + [-e for e in I3[i]] + W2w[i] for i in range(3)])]
case("square", "residual_wide_3d", 3, RESW,
     S(surjective="holds", injective="holds", bijective="holds"),
     "f(x) = x + g(x), g(x) = W2 relu(W1 x + b) with 12 hidden neurons (x written relu(x) - relu(-x)): every row of "
     "W1 has entries in {-1, 0, 1} (max row sum 3), every entry of W2 is +-1/64 (row sums 12/64), so "
     "Lip_inf(g) <= 3 * 12/64 = 9/16 < 1 and f is a bijection of R^3 (Banach, i-ResNet argument; same net as "
     "examples/residual_block.json).",
     pre=residual_preimage(RESW), left=residual_preimage(RESW))

# expanding residual that folds: f(x) = x - 2 relu(a.x) on a direction: 1-D slice is a fold
FOLDR = [D([[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1]]), R(), D([[1, -1, 0, 0, -2], [0, 0, 1, -1, -2]])]
case("square", "residual_fold", 2, FOLDR,
     S(surjective="violated", injective="violated", bijective="violated"),
     "f(x) = x - 2 relu(x1 + x2) (1,1). With s = x1 + x2 and d = x1 - x2: f changes d not at all and maps s to "
     "s - 4 relu(s) = s for s <= 0, -3 s for s >= 0, so y1 + y2 <= 0 on the whole image. y = (1,1) has "
     "y1 + y2 = 2 > 0: unreachable. Collision: s = 1 and s = -3 give the same sum -3: f(1/2,1/2) = (-3/2,-3/2) "
     "= f(-3/2,-3/2).",
     wy=[1, 1], inv_img=lambda y: y[0] + y[1] <= 0, coll=(["1/2", "1/2"], ["-3/2", "-3/2"]))

# degenerate (point) codomains for a rank-deficient affine map: image is the line y2 = 2 y1 + 1
case("affine", "rank_deficient_point_on_line", 2, [D([[1, 2], [2, 4]], [0, 1])],
     S(surjective="holds", injective="violated", bijective="violated"),
     "Image of f(x) = (x1 + 2 x2, 2 x1 + 4 x2 + 1) is the line y2 = 2 y1 + 1. Y = {(0,1)} (lower = upper) lies on "
     "it: f(0,0) = (0,1). Rank 1, so not injective: f(2,-1) = f(0,0).",
     codomain=box([0, 1], [0, 1]), pre=lambda y: [0, 0], coll=([2, -1], [0, 0]))

case("affine", "rank_deficient_segment_codomain", 2, [D([[1, 2], [2, 4]], [0, 1])],
     S(surjective="violated"),
     "Image is the line y2 = 2 y1 + 1; Y = [0,1] x {1} meets it only at (0,1). y = (1,1) has 2*1 + 1 = 3 != 1: "
     "unreachable.",
     codomain=box([0, 1], [1, 1]), wy=[1, 1], inv_img=lambda y: y[1] == 2 * y[0] + 1)

# m < n on a box
case("box", "sum_on_square", 2, [D([[1, 1]])],
     S(surjective="holds", injective="violated"),
     "X = [0,1]^2, f(x) = x1 + x2, image [0,2] = Y: x = (y/2, y/2). f(1,0) = f(0,1).",
     domain=box([0, 0], [1, 1]), codomain=box([0], [2]),
     pre=lambda y: [val(y[0]) / 2, val(y[0]) / 2], coll=([1, 0], [0, 1]))

case("box", "sum_on_square_too_long", 2, [D([[1, 1]])],
     S(surjective="violated", injective="violated"),
     "X = [0,1]^2, f(x) = x1 + x2 <= 2; Y = [0,3] contains y = 5/2: unreachable.",
     domain=box([0, 0], [1, 1]), codomain=box([0], [3]),
     wy=["5/2"], inv_img=lambda y: 0 <= y[0] <= 2, coll=([1, 0], [0, 1]))

# 3-D: zigzag in two coordinates, identity in the third, mixed by unimodular dense maps
A3 = claim_det([[1, 1, 0], [0, 1, 1], [0, 0, 1]], 1)
B3m = claim_det([[1, 0, 1], [0, 1, 0], [1, 0, 2]], 1)
Z3 = [D([[1, 0, 0], [1, 0, 0], [1, 0, 0], [-1, 0, 0],
         [0, 1, 0], [0, 1, 0], [0, 1, 0], [0, -1, 0],
         [0, 0, 1], [0, 0, -1]], [0, -1, -2, 0, 0, -1, -2, 0, 0, 0]), R(),
      D([[1, -2, 2, -1, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 1, -2, 2, -1, 0, 0], [0] * 8 + [1, -1]])]
FOLD3 = compose_first_dense(A3, [0, 1, 0], Z3) + [D(B3m, [1, 0, 0])]
A3inv = affine_inverse(A3, [0, 1, 0])
case("square", "fold_3d_two_zigzags", 3, FOLD3,
     S(surjective="holds", injective="violated", bijective="violated"),
     "f = B o (zig(z1), zig(z2), z3) o (A x + a), A = [[1,1,0],[0,1,1],[0,0,1]] (det 1), a = (0,1,0), "
     "B = [[1,0,1],[0,1,0],[1,0,2]] (det 1, bias (1,0,0)), zig(t) = t - 2 relu(t-1) + 2 relu(t-2) onto R. "
     "Every factor is onto, so f is onto R^3. zig(0) = zig(2): collision at x = A^-1((0,0,0) - a) = (1,-1,0) "
     "and x = A^-1((2,0,0) - a) = (3,-1,0).",
     pre=compose(affine_inverse(B3m, [1, 0, 0]), lambda z: [zig_pre(z[0]), zig_pre(z[1]), z[2]], A3inv),
     coll=(A3inv([0, 0, 0]), A3inv([2, 0, 0])))


# --------------------------------------------------------------------------- checking & writing
def check(c):
    name = c["family"] + "/" + c["name"]
    layers, dom, cod, n = c["layers"], c["domain"], c["codomain"], c["n"]
    m = out_width(n, layers)
    for bx, k in ((dom, n), (cod, m)):
        if bx is not None:
            assert len(bx["lower"]) == k and len(bx["upper"]) == k, (name, "box size")
            for lo, hi in zip(bx["lower"], bx["upper"]):
                assert lo is None or hi is None or val(lo) <= val(hi), (name, "box order")
    rng = random.Random(name)
    ex = c["expect"]
    xs = samples(n, dom, rng)
    surj = ex.get("surjective")
    inj = ex.get("injective")
    if "bijective" in ex:
        assert surj is not None and inj is not None, (name, "bijective needs both parts")
        # A bijection from X to Y also maps X into Y (FORMAT.md section 3):
        # cases whose f(X) leaves Y say so with bijective "violated".
        if ex["bijective"] == "holds":
            assert surj == "holds" and inj == "holds", name
    if surj == "holds":
        assert c["pre"] is not None and c["wy"] is None, name
        for y in samples(m, cod, rng):
            x = fr(c["pre"](y))
            assert in_box(dom, x), (name, "preimage outside X", y, x)
            assert evaluate(layers, x) == fr(y), (name, "f(pre(y)) != y", y, x)
    elif surj == "violated":
        y = fr(c["wy"])
        assert len(y) == m and in_box(cod, y), (name, "witness y outside Y")
        assert not c["inv_img"](y), (name, "witness satisfies the image invariant")
        for x in xs:
            assert c["inv_img"](evaluate(layers, x)), (name, "image invariant fails at", x)
    else:
        assert surj is None
    if inj == "holds":
        assert c["left"] is not None and c["coll"] is None, name
        for x in xs:
            assert fr(c["left"](evaluate(layers, x))) == x, (name, "left inverse fails at", x)
    elif inj == "violated":
        x1, x2 = (fr(x) for x in c["coll"])
        assert x1 != x2 and in_box(dom, x1) and in_box(dom, x2), (name, "bad collision")
        assert evaluate(layers, x1) == evaluate(layers, x2), (name, "no collision")


def write(c):
    d = os.path.join(ROOT, c["family"])
    os.makedirs(d, exist_ok=True)
    net = {"name": c["family"] + "/" + c["name"], "input_dim": c["n"]}
    if c["domain"] is not None:
        net["domain"] = c["domain"]
    if c["codomain"] is not None:
        net["codomain"] = c["codomain"]
    text = "{" + ", ".join(json.dumps(k) + ": " + dump(v) for k, v in net.items()) + ",\n \"layers\": [\n"
    text += ",\n".join("  " + dump(l) for l in c["layers"]) + "\n ]}\n"
    json.loads(text)
    with open(os.path.join(d, c["name"] + ".json"), "w") as f:
        f.write(text)
    exp = {k: c["expect"][k] for k in ("surjective", "injective", "bijective") if k in c["expect"]}
    exp["why"] = c["why"]
    with open(os.path.join(d, c["name"] + ".expect"), "w") as f:
        f.write(json.dumps(exp, indent=1) + "\n")


def main():
    names = set()
    for c in CASES:
        key = c["family"] + "/" + c["name"]
        assert key not in names, key
        names.add(key)
        check(c)
    if "--check" not in sys.argv:
        for c in CASES:
            write(c)
    print(f"{len(CASES)} cases checked" + ("" if "--check" in sys.argv else ", written to " + ROOT))


if __name__ == "__main__":
    main()
