#!/usr/bin/python3
"""Small PyTorch networks of architectures beyond plain MLPs (i-ResNet blocks,
NICE couplings, convolutions, pooling, batch norm, PReLU, bounded and smooth
activations, classifier heads), exported with torch.onnx.export. Nothing is
trained: weights come from fixed seeds (torch.manual_seed) or are written by
hand, and each network is built so that whether it is injective / surjective
is known mathematically. README.md (written by this script too) gives each
file's architecture, the truth and the reason, the ONNX operators of its
graph and a few sample outputs.

Run with Debian's interpreter (python3-torch 1.13, python3-onnx):

    /usr/bin/python3 make.py [out_dir]

Every file is checked with onnx.checker.check_model and evaluated both by
PyTorch and by a small numpy interpreter of its ONNX graph (no onnxruntime
here), which must agree. One line is printed per file written.

The truth is about the real-valued function whose weights are exactly the
float32 numbers stored in the file (as nninv reads it, docs/import.md).
"""
import hashlib
import io
import os
import sys
import warnings
from fractions import Fraction

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper
from torch import nn

OPSET = 13
torch.set_grad_enabled(False)
# PyTorch 1.13 warns that it cannot fold the step -1 Slice of ZeroPad2d's pads
warnings.filterwarnings("ignore", message="Constant folding - Only steps=1")


# --------------------------------------------------------------------------
# building blocks


def spectral_norm(w):
    """Largest singular value of a weight, computed in float64."""
    return float(torch.linalg.matrix_norm(w.detach().double(), 2))


def set_spectral_norm(lin, target):
    """Rescale lin.weight so that its spectral norm is target; returns the
    spectral norm of the stored float32 weight."""
    w = lin.weight.detach().double()
    lin.weight.copy_((w * (target / spectral_norm(w))).float())
    s = spectral_norm(lin.weight)
    assert abs(s - target) < 1e-6, (s, target)
    return s


class ResBlock(nn.Module):
    """y = x + g(x)."""

    def __init__(self, g):
        super().__init__()
        self.g = g

    def forward(self, x):
        return x + self.g(x)


class Coupling(nn.Module):
    """NICE additive coupling: y = (x1, x2 + m(x1)), x1 = x[:, :d]."""

    def __init__(self, d, m):
        super().__init__()
        self.d = d
        self.m = m

    def forward(self, x):
        x1 = x[:, : self.d]
        x2 = x[:, self.d :]
        return torch.cat([x1, x2 + self.m(x1)], dim=1)


class SwapHalves(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.d = d

    def forward(self, x):
        return torch.cat([x[:, self.d :], x[:, : self.d]], dim=1)


class ArgmaxHead(nn.Module):
    def __init__(self, body):
        super().__init__()
        self.body = body

    def forward(self, x):
        return torch.argmax(self.body(x), dim=1)


class SoftmaxHead(nn.Module):
    def __init__(self, body):
        super().__init__()
        self.body = body

    def forward(self, x):
        return torch.softmax(self.body(x), dim=1)


class LogSoftmaxHead(nn.Module):
    def __init__(self, body):
        super().__init__()
        self.body = body

    def forward(self, x):
        return torch.log_softmax(self.body(x), dim=1)


def set_linear(lin, weight, bias):
    lin.weight.copy_(torch.tensor(weight, dtype=torch.float32))
    lin.bias.copy_(torch.tensor(bias, dtype=torch.float32))


def exact(t):
    """Exact rationals of a float32 tensor (as nested lists)."""
    a = t.detach().cpu().numpy().astype(np.float64)  # float32 -> float64 is exact
    return np.vectorize(Fraction, otypes=[object])(a)


def det_exact(m):
    """Exact determinant of a square matrix of Fractions (Gaussian elimination)."""
    m = [list(r) for r in m]
    n, d = len(m), Fraction(1)
    for c in range(n):
        p = next((r for r in range(c, n) if m[r][c] != 0), None)
        if p is None:
            return Fraction(0)
        if p != c:
            m[c], m[p] = m[p], m[c]
            d = -d
        d *= m[c][c]
        for r in range(c + 1, n):
            f = m[r][c] / m[c][c]
            m[r] = [a - f * b for a, b in zip(m[r], m[c])]
    return d


def fmt_det(d):
    return f"{float(d):.6g}"


# --------------------------------------------------------------------------
# the networks; each returns (model, input shape, dict of facts for README)


def iresnet(seed, blocks, widths, target, act):
    torch.manual_seed(seed)
    mods, norms = [], []
    for _ in range(blocks):
        layers = []
        for a, b in zip(widths, widths[1:]):
            lin = nn.Linear(a, b)
            norms.append(set_spectral_norm(lin, target))
            layers += [lin, act()]
        layers.pop()  # no activation after the last Linear of g
        mods.append(ResBlock(nn.Sequential(*layers)))
    model = mods[0] if blocks == 1 else nn.Sequential(*mods)
    per_block = len(widths) - 1
    lips = [np.prod(norms[i : i + per_block]) for i in range(0, len(norms), per_block)]
    assert max(lips) < 1
    facts = {
        "spectral norms (float64, of the float32 weights)": ", ".join(f"{s:.9f}" for s in norms),
        "Lip_2(g) bound per block": ", ".join(f"{l:.6f}" for l in lips),
    }
    return model, (1, widths[0]), facts


def residual_fold():
    lin1, lin2 = nn.Linear(2, 2), nn.Linear(2, 2)
    set_linear(lin1, [[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0])
    set_linear(lin2, [[-3.0, 0.0], [0.0, 0.0]], [0.0, 0.0])
    model = ResBlock(nn.Sequential(lin1, nn.ReLU(), lin2))
    model.eval()
    a = model(torch.tensor([[-1.0, 0.0]]))
    b = model(torch.tensor([[0.5, 0.0]]))
    assert torch.equal(a, b) and torch.equal(a, torch.tensor([[-1.0, 0.0]])), (a, b)
    facts = {
        "PyTorch check": f"f(-1, 0) = f(0.5, 0) = {vec(a)} (asserted, bit-exact)",
        "export note": "b1 and b2 are both zero, so PyTorch stores one initializer (g.0.bias) and makes "
        "g.2.bias from it with an Identity node, which comes first in the graph",
    }
    return model, (1, 2), facts


def nice(seed, n, layers, hidden, factor):
    """NICE couplings; the Slice parameters stay Constant nodes (not folded)."""
    torch.manual_seed(seed)
    d = n // 2
    mods = []
    for k in range(layers):
        if k:
            mods.append(SwapHalves(d))
        m = nn.Sequential(nn.Linear(d, hidden), nn.ReLU(), nn.Linear(hidden, n - d))
        for lin in (m[0], m[2]):
            lin.weight.mul_(factor)
        mods.append(Coupling(d, m))
    model = mods[0] if layers == 1 else nn.Sequential(*mods)
    return model, (1, n), {}


def conv_net():
    torch.manual_seed(8)
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(128, 3))
    return model, (1, 1, 4, 4), {}


def conv_square():
    torch.manual_seed(80)
    model = nn.Sequential(nn.Conv2d(1, 2, 2, padding=0), nn.ReLU(), nn.Flatten(), nn.Linear(2, 4))
    return model, (1, 1, 2, 2), {}


def batchnorm_mlp():
    l1, bn, l2 = nn.Linear(3, 3), nn.BatchNorm1d(3), nn.Linear(3, 3)
    set_linear(l1, [[2.0, 1.0, 0.0], [0.0, 1.0, 0.5], [1.0, 0.0, 1.0]], [0.5, -0.25, 1.0])
    set_linear(l2, [[1.0, -1.0, 0.0], [0.5, 1.0, 0.0], [0.0, 0.25, -1.0]], [0.125, 0.0, -0.5])
    bn.running_mean.copy_(torch.tensor([0.5, -1.0, 2.0]))
    bn.running_var.copy_(torch.tensor([4.0, 0.25, 2.25]))
    bn.weight.copy_(torch.tensor([1.5, -0.5, 2.0]))
    bn.bias.copy_(torch.tensor([0.25, -0.75, 1.0]))
    model = nn.Sequential(l1, bn, nn.LeakyReLU(0.2), l2)
    scale = bn.weight.double() / torch.sqrt(bn.running_var.double() + bn.eps)
    facts = {
        "det W1, det W2 (exact)": f"{fmt_det(det_exact(exact(l1.weight)))}, {fmt_det(det_exact(exact(l2.weight)))}",
        "BN eval scale gamma/sqrt(var+eps)": ", ".join(f"{s:.6f}" for s in scale.tolist()),
    }
    return model, (1, 3), facts


def prelu_mlp():
    l1, act, l2 = nn.Linear(2, 2), nn.PReLU(num_parameters=2, init=0.25), nn.Linear(2, 2)
    set_linear(l1, [[1.0, 2.0], [-0.5, 1.0]], [0.25, -0.5])
    set_linear(l2, [[0.75, 0.0], [1.0, -1.25]], [0.0, 1.0])
    act.weight.copy_(torch.tensor([0.25, 0.5]))
    model = nn.Sequential(l1, act, l2)
    facts = {"det W1, det W2 (exact)": f"{fmt_det(det_exact(exact(l1.weight)))}, {fmt_det(det_exact(exact(l2.weight)))}"}
    return model, (1, 2), facts


def clipped_mlp(seed, act, lo, hi):
    """Linear(2,4) -> clip to [lo, hi] -> Linear(4,2); also finds an exact
    collision far out along the first axis, where every hidden unit is
    saturated."""
    torch.manual_seed(seed)
    l1, l2 = nn.Linear(2, 4), nn.Linear(4, 2)
    model = nn.Sequential(l1, act, l2)
    w, b = exact(l1.weight), exact(l1.bias)
    assert all(w[i][0] != 0 for i in range(4))
    # for t >= T every pre-activation w_i0 t + b_i lies outside (lo, hi)
    T = max((max(abs(lo), abs(hi)) + abs(b[i])) / abs(w[i][0]) for i in range(4))
    t = int(T) + 1
    pts = [(t, 0), (2 * t, 0)]
    pattern = []
    for x in pts:
        z = [w[i][0] * x[0] + w[i][1] * x[1] + b[i] for i in range(4)]
        assert all(zi <= lo or zi >= hi for zi in z)
        pattern.append(tuple(zi >= hi for zi in z))
    assert pattern[0] == pattern[1]  # same saturation: same hidden vector, same output
    ya = model(torch.tensor([pts[0]], dtype=torch.float32))
    yb = model(torch.tensor([pts[1]], dtype=torch.float32))
    assert torch.equal(ya, yb)
    facts = {
        "collision (exact)": f"f({t}, 0) = f({2 * t}, 0) = {vec(ya)}: every hidden unit saturated "
        f"(checked in exact arithmetic; pattern at upper bound {pattern[0]})",
    }
    return model, (1, 2), facts


def avgpool_net():
    lin = nn.Linear(4, 4)
    set_linear(lin, [[1.0, 0.5, 0.0, 0.0], [0.0, 1.0, 0.5, 0.0], [0.0, 0.0, 1.0, 0.5], [0.5, 0.0, 0.0, 1.0]],
               [0.25, -0.5, 0.0, 1.0])
    model = nn.Sequential(nn.AvgPool2d(2), nn.Flatten(), lin)
    facts = {
        "det W (exact)": fmt_det(det_exact(exact(lin.weight))),
        "export note": "PyTorch 1.13 puts a Pad with all-zero pads (a no-op) before the AveragePool",
    }
    return model, (1, 1, 4, 4), facts


def maxpool_net():
    lin = nn.Linear(1, 1)
    set_linear(lin, [[1.5]], [-0.25])
    model = nn.Sequential(nn.MaxPool2d(2), nn.Flatten(), lin)
    return model, (1, 1, 2, 2), {}


def classifier(seed, head):
    torch.manual_seed(seed)
    body = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    return head(body), (1, 4), {}


def smooth_mlp(act, w1, b1, w2, b2):
    l1, l2 = nn.Linear(2, 2), nn.Linear(2, 2)
    set_linear(l1, w1, b1)
    set_linear(l2, w2, b2)
    model = nn.Sequential(l1, act, l2)
    facts = {"det W1, det W2 (exact)": f"{fmt_det(det_exact(exact(l1.weight)))}, {fmt_det(det_exact(exact(l2.weight)))}"}
    return model, (1, 2), facts


def pad_net():
    conv = nn.Conv2d(1, 1, 3)
    conv.weight.copy_(torch.tensor([[[[0.25, -0.5, 0.125], [0.5, 1.0, -0.25], [0.0, 0.75, 0.5]]]]))
    conv.bias.copy_(torch.tensor([0.125]))
    model = nn.Sequential(nn.ZeroPad2d(1), conv, nn.Flatten(), nn.Identity())
    # f(x) = M x + b with M[(i,j),(p,q)] = K[p-i+1][q-j+1] (2x2 input, 2x2 output)
    k = exact(conv.weight[0, 0])
    m = [[k[p - i + 1][q - j + 1] for p in range(2) for q in range(2)] for i in range(2) for j in range(2)]
    d = det_exact(m)
    assert d != 0
    mf = torch.tensor([[float(v) for v in r] for r in m], dtype=torch.float64)
    x = torch.linspace(-1, 1, 4, dtype=torch.float64)
    y = model(x.float().reshape(1, 1, 2, 2)).double().reshape(4)
    assert torch.allclose(y, mf @ x + float(conv.bias[0]), atol=1e-6)
    facts = {
        "det M (exact, 4x4 matrix of pad+conv)": fmt_det(d),
        "export note": "PyTorch 1.13 computes the Pad's `pads` input with a constant subgraph (Constant, "
        "ConstantOfShape, Concat, Reshape, Slice with step -1, Transpose, Reshape, Cast) that constant folding "
        "leaves in place; its value is [0, 0, 1, 1, 0, 0, 1, 1], constant value 0",
    }
    return model, (1, 1, 2, 2), facts


def log_softmax_linear():
    """Linear(2,3) then log_softmax: injective exactly when the logit differences
    (D W) x, D = [[1, 0, -1], [0, 1, -1]], are: when det(D W) != 0."""
    torch.manual_seed(21)
    lin = nn.Linear(2, 3)
    w = exact(lin.weight)
    dw = [[w[0][0] - w[2][0], w[0][1] - w[2][1]], [w[1][0] - w[2][0], w[1][1] - w[2][1]]]
    d = det_exact(dw)
    assert d != 0, "the seed must give an injective difference map"
    return LogSoftmaxHead(lin), (1, 2), {"det D W (exact)": fmt_det(d)}


def trained_classifier():
    """2-16-3 ReLU MLP trained (200 Adam steps, fixed seed, one thread) on three
    Gaussian blobs, exported with an ArgMax head."""
    torch.manual_seed(5)
    torch.set_num_threads(1)
    centres = torch.tensor([[2.0, 0.0], [-1.0, 1.75], [-1.0, -1.75]])
    x = torch.cat([c + 0.5 * torch.randn(64, 2) for c in centres])
    labels = torch.arange(3).repeat_interleave(64)
    body = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
    opt = torch.optim.Adam(body.parameters(), lr=0.05)
    with torch.enable_grad():  # the builders run under no_grad
        for _ in range(200):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(body(x), labels)
            loss.backward()
            opt.step()
    with torch.no_grad():
        logits = body(centres)
        margins = [float(logits[k][k] - max(logits[k][j] for j in range(3) if j != k)) for k in range(3)]
    assert min(margins) > 0.1, margins
    accuracy = float((body(x).argmax(dim=1) == labels).float().mean())
    facts = {"training accuracy": f"{accuracy:.3f}",
             "logit margin of class k at its blob centre (k = 0, 1, 2)": ", ".join(f"{m:.3f}" for m in margins)}
    return ArgmaxHead(body), (1, 2), facts


def convtranspose_net():
    """ConvTranspose2d(1, 2, 2, stride=2) on a 2x2 image: each pixel writes its own 2x2 block in each of
    the two output channels (no overlap), so f(x) = M x + b with M of full column rank when the kernel is
    nonzero."""
    torch.manual_seed(31)
    ct = nn.ConvTranspose2d(1, 2, 2, stride=2)
    assert float(ct.weight.abs().sum()) > 0
    return nn.Sequential(ct, nn.Flatten()), (1, 1, 2, 2), {}


# name, builder, export options, architecture, truth (injective, surjective) + reason
TANH_W = ([[1.0, 0.5], [-0.25, 1.0]], [0.5, -0.25], [[2.0, 0.0], [1.0, 1.5]], [-0.5, 0.125])
ELU_W = ([[0.5, -1.0], [1.0, 1.0]], [0.0, 0.75], [[1.0, 0.25], [-0.5, 2.0]], [0.25, -1.0])
SIGMOID_W = ([[1.0, -0.5], [0.5, 1.0]], [0.25, 0.0], [[1.5, -1.0], [0.5, 1.0]], [0.0, -0.5])
SOFTPLUS_W = ([[1.0, 0.25], [-0.5, 1.0]], [0.0, 0.5], [[1.0, -1.0], [-0.5, 2.0]], [0.5, 0.25])

NETS = [
    ("iresnet_block_8", lambda: iresnet(1, 1, [8, 16, 8], 0.9, nn.ReLU), {},
     "i-ResNet block y = x + g(x), g = Linear(8,16)-ReLU-Linear(16,8); each weight rescaled to spectral norm 0.9",
     "injective: yes; surjective: yes (bijective R^8 -> R^8)",
     "Lip_2(g) <= 0.9 * 1 * 0.9 = 0.81 < 1 (ReLU is 1-Lipschitz; the stored float32 weights have spectral "
     "norm 0.9 within 1e-8, listed below). x + g(x) = y has exactly one solution x for "
     "every y: x -> y - g(x) is a contraction (Banach fixed point); Behrmann et al., Invertible Residual "
     "Networks, ICML 2019."),
    ("iresnet_deep_8", lambda: iresnet(2, 1, [8, 16, 16, 8], 0.95, nn.ReLU), {},
     "i-ResNet block y = x + g(x), g = Linear(8,16)-ReLU-Linear(16,16)-ReLU-Linear(16,8); each weight spectral norm 0.95",
     "injective: yes; surjective: yes (bijective)",
     "Lip_2(g) <= 0.95^3 = 0.857 < 1; same contraction argument as iresnet_block_8."),
    ("iresnet_stack4_8", lambda: iresnet(3, 4, [8, 16, 8], 0.9, nn.ReLU), {},
     "4 i-ResNet blocks as in iresnet_block_8 (independent random weights, each spectral norm 0.9)",
     "injective: yes; surjective: yes (bijective)",
     "each block is a bijection of R^8 (Lip(g) <= 0.81); a composition of bijections is one."),
    ("iresnet_leaky_stack2_8", lambda: iresnet(4, 2, [8, 16, 8], 0.9, lambda: nn.LeakyReLU(0.1)), {},
     "2 i-ResNet blocks, g = Linear(8,16)-LeakyReLU(0.1)-Linear(16,8), each weight spectral norm 0.9",
     "injective: yes; surjective: yes (bijective)",
     "LeakyReLU(0.1) is 1-Lipschitz, so Lip(g) <= 0.81 < 1 per block; composition of bijections."),
    ("residual_fold_2", residual_fold, {},
     "residual block y = x + W2 relu(W1 x + b1) + b2 on R^2, W1 = I, b1 = 0, W2 = [[-3,0],[0,0]], b2 = 0, "
     "i.e. y = (x1 - 3 relu(x1), x2)",
     "injective: NO; surjective: NO",
     "y1 = x1 for x1 < 0 and -2 x1 for x1 >= 0, which folds: f(-1, 0) = f(0.5, 0) = (-1, 0). "
     "y1 <= 0 always, so the image is {y1 <= 0} x R; e.g. (1, 0) has no preimage."),
    ("nice_stack4_8", lambda: nice(6, 8, 4, 16, 3.0), {},
     "NICE: 4 additive couplings on R^8 (split 4+4), y = (x1, x2 + m(x1)), m = Linear(4,16)-ReLU-Linear(16,4) "
     "(default init, weights x3), halves swapped between couplings (Slice + Concat)",
     "injective: yes; surjective: yes (bijective)",
     "each coupling is triangular with identity diagonal blocks: x1 = y1, x2 = y2 - m(y1) inverts it for any m; "
     "the swaps are permutations (Dinh et al., NICE, 2015)."),
    ("nice_coupling_1_4", lambda: nice(7, 4, 1, 8, 5.0), {},
     "one NICE additive coupling on R^4 (split 2+2), m = Linear(2,8)-ReLU-Linear(8,2), default init, weights x5",
     "injective: yes; surjective: yes (bijective)",
     "x1 = y1, x2 = y2 - m(y1) is the inverse."),
    ("conv_net", conv_net, {},
     "input (1,1,4,4): Conv2d(1,8,3,padding=1)-ReLU-Flatten-Linear(128,3)",
     "injective: NO; surjective onto R^3: unknown truth",
     "R^16 -> R^3: on every open region where the (piecewise affine) map is affine its linear part has rank <= 3 < 16, "
     "so it is constant along a kernel direction (more generally no continuous map R^16 -> R^3 is injective). "
     "Surjectivity depends on the random weights and is not known by construction."),
    ("conv_square", conv_square, {},
     "input (1,1,2,2): Conv2d(1,2,2,padding=0)-ReLU-Flatten-Linear(2,4)",
     "injective: NO; surjective onto R^4: NO",
     "the conv is a linear map R^4 -> R^2 (kernel of dimension >= 2, so not injective); the output lies in the "
     "image of Linear(2,4), an affine subspace of dimension <= 2 < 4."),
    ("batchnorm_mlp", batchnorm_mlp, {"do_constant_folding": False, "training": torch.onnx.TrainingMode.EVAL},
     "Linear(3,3)-BatchNorm1d(3) (eval, fixed running stats and affine)-LeakyReLU(0.2)-Linear(3,3), hand-written "
     "invertible weights; exported without constant folding",
     "injective: yes; surjective: yes (bijective)",
     "W1, W2 invertible (exact determinants 2.5 and -1.5); eval BatchNorm is the per-channel affine map "
     "gamma (x - mean) / sqrt(var + eps) + beta with gamma != 0, var > 0; LeakyReLU(0.2) is a bijection of R. "
     "Note the BN scale is irrational in exact arithmetic (sqrt), but nonzero, which is all that matters."),
    ("prelu_mlp", prelu_mlp, {},
     "Linear(2,2)-PReLU(2 slopes = [0.25, 0.5])-Linear(2,2), hand-written invertible weights",
     "injective: yes; surjective: yes (bijective)",
     "PReLU with positive slopes is a strictly increasing piecewise linear bijection of R per channel; "
     "W1, W2 invertible (exact determinants 2 and -0.9375)."),
    ("relu6_mlp", lambda: clipped_mlp(11, nn.ReLU6(), 0, 6), {},
     "Linear(2,4)-ReLU6-Linear(4,2), default init (seed 11)",
     "injective: NO; surjective onto R^2: NO",
     "ReLU6 is bounded, so f is bounded: not surjective. Far out along any direction not orthogonal to a row of W1 "
     "every hidden unit saturates (at 0 or 6), so f is constant on an open set: not injective (collision below)."),
    ("hardtanh_mlp", lambda: clipped_mlp(12, nn.Hardtanh(), -1, 1), {},
     "Linear(2,4)-Hardtanh(-1,1)-Linear(4,2), default init (seed 12)",
     "injective: NO; surjective onto R^2: NO",
     "as relu6_mlp: Hardtanh is bounded (f bounded) and saturates far out (f locally constant there)."),
    ("avgpool_net", avgpool_net, {},
     "input (1,1,4,4): AvgPool2d(2)-Flatten-Linear(4,4), hand-written invertible weight",
     "injective: NO; surjective onto R^4: yes",
     "R^16 -> R^4 linear (plus bias) so not injective; the pool is a linear surjection onto R^4 (disjoint 2x2 "
     "blocks) and W is invertible (exact determinant 0.9375), so the affine map is onto."),
    ("maxpool_net", maxpool_net, {},
     "input (1,1,2,2): MaxPool2d(2)-Flatten-Linear(1,1) with w = 1.5, b = -0.25",
     "injective: NO; surjective onto R: yes",
     "max of 4 numbers: (0,0,0,0) and (0,-1,0,0) collide; f(t,t,t,t) = 1.5 t - 0.25 covers R."),
    ("classifier_argmax", lambda: classifier(14, ArgmaxHead), {},
     "Linear(4,8)-ReLU-Linear(8,3) then torch.argmax(dim=1) (int64 output of shape (1,))",
     "injective: NO; surjective onto its labels: not known by construction",
     "the output takes at most 3 values (0, 1, 2), so f is constant on open sets. Which classes occur is not "
     "known by construction (nninv finds an exact point for each of the three)."),
    ("classifier_softmax", lambda: classifier(14, SoftmaxHead), {},
     "same body as classifier_argmax (same seed, same weights) then softmax(dim=1)",
     "injective: NO; surjective onto R^3: NO",
     "continuous map R^4 -> R^3 cannot be injective (and softmax alone is invariant under adding a constant to "
     "the logits); the outputs are positive and sum to 1, so the image is inside the open simplex."),
    ("tanh_mlp", lambda: smooth_mlp(nn.Tanh(), *TANH_W), {},
     "Linear(2,2)-Tanh-Linear(2,2), hand-written invertible weights",
     "injective: yes; surjective onto R^2: NO",
     "tanh is strictly increasing and W1, W2 are invertible (exact determinants 1.125 and 3), so f is injective; "
     "its image W2 (-1,1)^2 + b2 is bounded."),
    ("elu_mlp", lambda: smooth_mlp(nn.ELU(), *ELU_W), {},
     "Linear(2,2)-ELU(alpha=1)-Linear(2,2), hand-written invertible weights",
     "injective: yes; surjective onto R^2: NO",
     "ELU is strictly increasing, W1, W2 invertible (exact determinants 1.5 and 2.125): injective. ELU maps R onto "
     "(-1, inf), so the image is the affine image W2 (-1,inf)^2 + b2, a proper subset of R^2."),
    ("sigmoid_mlp", lambda: smooth_mlp(nn.Sigmoid(), *SIGMOID_W), {},
     "Linear(2,2)-Sigmoid-Linear(2,2), hand-written invertible weights",
     "injective: yes; surjective onto R^2: NO",
     "sigmoid is strictly increasing and W1, W2 are invertible (exact determinants 1.25 and 2), so f is "
     "injective; its image W2 (0,1)^2 + b2 is bounded."),
    ("softplus_mlp", lambda: smooth_mlp(nn.Softplus(), *SOFTPLUS_W), {},
     "Linear(2,2)-Softplus-Linear(2,2), hand-written invertible weights (ONNX Softplus is log(1 + exp(x)); "
     "PyTorch's threshold 20 changes values by less than exp(-20))",
     "injective: yes; surjective onto R^2: NO",
     "softplus is strictly increasing with range (0, inf), and W1, W2 are invertible (exact determinants 1.125 "
     "and 1.5): injective, with image W2 (0,inf)^2 + b2, a proper subset of R^2 (unbounded in every direction "
     "W2 mixes signs, so interval bounds alone do not show it)."),
    ("log_softmax_linear", log_softmax_linear, {},
     "Linear(2,3) (default init, seed 21) then log_softmax(dim=1): a linear classifier's log-probabilities",
     "injective: yes; surjective onto R^3: NO",
     "log_softmax(z) = log_softmax(z') exactly when z - z' = c (1,1,1), so f is injective exactly when the "
     "differences z_0 - z_2, z_1 - z_2, an affine map D W x + D b, are: det(D W) != 0 (below). Its values are "
     "negative, so f is not onto R^3."),
    ("conv_softmax", lambda: (SoftmaxHead(conv_net()[0]), (1, 1, 4, 4), {}), {},
     "conv_net's body (Conv2d(1,8,3,padding=1)-ReLU-Flatten-Linear(128,3), seed 8) then softmax(dim=1)",
     "injective: NO; surjective onto R^3: NO",
     "a continuous map R^16 -> R^3 is not injective; softmax's values are positive and sum to 1."),
    ("trained_classifier", trained_classifier, {},
     "Linear(2,16)-ReLU-Linear(16,3) trained 200 Adam steps (lr 0.05, seed 5) on three Gaussian blobs "
     "(64 points each, centres (2,0), (-1,1.75), (-1,-1.75), sd 0.5), then torch.argmax(dim=1)",
     "injective: NO; surjective onto its labels: yes",
     "finitely many outputs: not injective. Each class is predicted at its blob centre with a logit margin above "
     "0.1 (below), far beyond float32 rounding, so the exact network gives every label somewhere."),
    ("convtranspose_net", convtranspose_net, {},
     "input (1,1,2,2): ConvTranspose2d(1,2,2,stride=2) (default init, seed 31)-Flatten; output (1,32)",
     "injective: yes; surjective onto R^32: NO",
     "stride = kernel size: the input pixels' 2x2 output blocks do not overlap, so f is an affine map R^4 -> R^32 "
     "whose matrix has one nonzero kernel entry per output and full column rank 4; its image is 4-dimensional."),
    ("pad_net", pad_net, {},
     "input (1,1,2,2): ZeroPad2d(1)-Conv2d(1,1,3)-Flatten-Identity (nn.Identity exports no node), hand-written "
     "kernel [[0.25,-0.5,0.125],[0.5,1,-0.25],[0,0.75,0.5]], bias 0.125; output (1,4)",
     "injective: yes; surjective onto R^4: yes (bijective)",
     "zero padding + a 3x3 conv on a 2x2 image is an affine map R^4 -> R^4, x -> M x + b with "
     "M[(i,j),(p,q)] = K[p-i+1][q-j+1]; its exact determinant (from the float32 kernel) is nonzero."),
]


# --------------------------------------------------------------------------
# a small numpy interpreter of the exported graphs (cross-check vs PyTorch)


def _attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _pool(x, k, s, reduce):
    n, c, h, w = x.shape
    oh, ow = (h - k[0]) // s[0] + 1, (w - k[1]) // s[1] + 1
    y = np.empty((n, c, oh, ow), dtype=x.dtype)
    for i in range(oh):
        for j in range(ow):
            y[:, :, i, j] = reduce(x[:, :, i * s[0] : i * s[0] + k[0], j * s[1] : j * s[1] + k[1]], axis=(2, 3))
    return y


def run_onnx(model, x):
    env = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    env[model.graph.input[0].name] = x
    for node in model.graph.node:
        a = _attrs(node)
        ins = [env[i] if i else None for i in node.input]
        op = node.op_type
        if op == "Constant":
            out = numpy_helper.to_array(a["value"])
        elif op == "Gemm":
            A, B = ins[0], ins[1]
            A = A.T if a.get("transA", 0) else A
            B = B.T if a.get("transB", 0) else B
            out = a.get("alpha", 1.0) * (A @ B)
            if len(ins) > 2 and ins[2] is not None:
                out = out + a.get("beta", 1.0) * ins[2]
        elif op == "MatMul":
            out = ins[0] @ ins[1]
        elif op in ("Add", "Sub", "Mul", "Div"):
            out = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide}[op](ins[0], ins[1])
        elif op == "Relu":
            out = np.maximum(ins[0], 0)
        elif op == "LeakyRelu":
            al = np.float32(a.get("alpha", 0.01))
            out = np.where(ins[0] >= 0, ins[0], al * ins[0])
        elif op == "PRelu":
            out = np.where(ins[0] >= 0, ins[0], ins[1] * ins[0])
        elif op == "Elu":
            al = np.float32(a.get("alpha", 1.0))
            out = np.where(ins[0] > 0, ins[0], al * (np.exp(ins[0]) - 1))
        elif op == "Tanh":
            out = np.tanh(ins[0])
        elif op == "Sigmoid":
            out = 1 / (1 + np.exp(-ins[0]))
        elif op == "Softplus":
            out = np.log1p(np.exp(ins[0]))
        elif op == "LogSoftmax":
            ax = a.get("axis", -1)
            z = ins[0] - ins[0].max(axis=ax, keepdims=True)
            out = z - np.log(np.exp(z).sum(axis=ax, keepdims=True))
        elif op == "Clip":
            lo = ins[1] if len(ins) > 1 and ins[1] is not None else -np.inf
            hi = ins[2] if len(ins) > 2 and ins[2] is not None else np.inf
            out = np.clip(ins[0], lo, hi)
        elif op == "Softmax":
            ax = a.get("axis", -1)
            e = np.exp(ins[0] - ins[0].max(axis=ax, keepdims=True))
            out = e / e.sum(axis=ax, keepdims=True)
        elif op == "ArgMax":
            assert not a.get("select_last_index", 0)
            out = np.argmax(ins[0], axis=a.get("axis", 0))
            if a.get("keepdims", 1):
                out = np.expand_dims(out, a.get("axis", 0))
            out = out.astype(np.int64)
        elif op == "Flatten":
            ax = a.get("axis", 1)
            out = ins[0].reshape(int(np.prod(ins[0].shape[:ax])), -1)
        elif op == "Reshape":
            shape = [d if d != 0 else ins[0].shape[i] for i, d in enumerate(ins[1])]
            out = ins[0].reshape(shape)
        elif op == "Identity":
            out = ins[0]
        elif op == "Slice":
            data, starts, ends = ins[0], ins[1], ins[2]
            axes = ins[3] if len(ins) > 3 and ins[3] is not None else range(len(starts))
            steps = ins[4] if len(ins) > 4 and ins[4] is not None else [1] * len(starts)
            sl = [slice(None)] * data.ndim
            for s, e, ax, st in zip(starts, ends, axes, steps):
                s, e, ax, st = int(s), int(e), int(ax), int(st)
                dim = data.shape[ax]
                s, e = s + dim if s < 0 else s, e + dim if e < 0 else e
                if st > 0:
                    s, e = min(max(s, 0), dim), min(max(e, 0), dim)
                else:
                    s, e = min(max(s, 0), dim - 1), min(max(e, -1), dim - 1)
                sl[ax] = slice(s, None if e < 0 else e, st)
            out = data[tuple(sl)]
        elif op == "ConstantOfShape":
            v = numpy_helper.to_array(a["value"]) if "value" in a else np.zeros(1, np.float32)
            out = np.full([int(d) for d in ins[0]], v.reshape(-1)[0], dtype=v.dtype)
        elif op == "Cast":
            out = ins[0].astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[a["to"]])
        elif op == "Transpose":
            out = np.transpose(ins[0], a.get("perm"))
        elif op == "Concat":
            out = np.concatenate(ins, axis=a["axis"])
        elif op == "Gather":
            out = np.take(ins[0], ins[1], axis=a.get("axis", 0))
        elif op == "Pad":
            assert a.get("mode", b"constant") in (b"constant", "constant")
            p = ins[1].reshape(2, -1).T
            cv = ins[2] if len(ins) > 2 and ins[2] is not None else 0
            out = np.pad(ins[0], [tuple(r) for r in p], constant_values=cv)
        elif op == "ConvTranspose":
            X, W = ins[0], ins[1]
            assert a.get("group", 1) == 1 and not any(a.get("pads", [0])) and not any(a.get("output_padding", [0]))
            assert all(d == 1 for d in a.get("dilations", [1, 1]))
            sh, sw = a.get("strides", [1, 1])
            _, c, h, w_ = X.shape
            kh, kw = W.shape[2], W.shape[3]
            out = np.zeros((1, W.shape[1], sh * (h - 1) + kh, sw * (w_ - 1) + kw))
            for i in range(h):
                for j in range(w_):
                    out[0, :, i * sh:i * sh + kh, j * sw:j * sw + kw] += np.einsum("c,cokl->okl", X[0, :, i, j], W)
            if len(ins) > 2:
                out = out + ins[2].reshape(1, -1, 1, 1)
        elif op == "Conv":
            assert a.get("group", 1) == 1 and set(a.get("dilations", [1, 1])) == {1}
            pads = a.get("pads", [0, 0, 0, 0])
            xin = np.pad(ins[0], [(0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])])
            W = ins[1]
            s = a.get("strides", [1, 1])
            kh, kw = W.shape[2], W.shape[3]
            oh, ow = (xin.shape[2] - kh) // s[0] + 1, (xin.shape[3] - kw) // s[1] + 1
            out = np.zeros((xin.shape[0], W.shape[0], oh, ow), dtype=np.result_type(xin, W))
            for i in range(oh):
                for j in range(ow):
                    patch = xin[:, :, i * s[0] : i * s[0] + kh, j * s[1] : j * s[1] + kw]
                    out[:, :, i, j] = np.einsum("nchw,ochw->no", patch, W)
            if len(ins) > 2:
                out = out + ins[2].reshape(1, -1, 1, 1)
        elif op in ("AveragePool", "MaxPool"):
            assert not any(a.get("pads", [0])) and not a.get("ceil_mode", 0)
            k = a["kernel_shape"]
            out = _pool(ins[0], k, a.get("strides", k), np.mean if op == "AveragePool" else np.max)
        elif op == "BatchNormalization":
            X, sc, B, mean, var = ins[:5]
            sh = (1, -1) + (1,) * (X.ndim - 2)
            eps = np.float32(a.get("epsilon", 1e-5))
            out = (X - mean.reshape(sh)) / np.sqrt(var.reshape(sh) + eps) * sc.reshape(sh) + B.reshape(sh)
        elif op == "Unsqueeze":
            out = ins[0]
            for ax in sorted(int(v) for v in ins[1]):
                out = np.expand_dims(out, ax)
        elif op == "Squeeze":
            out = np.squeeze(ins[0], axis=tuple(int(v) for v in ins[1])) if len(ins) > 1 else np.squeeze(ins[0])
        else:
            raise NotImplementedError(f"numpy interpreter: operator {op}")
        env[node.output[0]] = np.asarray(out)
    return env[model.graph.output[0].name]


# --------------------------------------------------------------------------


def vec(t):
    a = t.detach().cpu().numpy().reshape(-1)
    if a.dtype.kind in "iu":
        return "(" + ", ".join(str(int(v)) for v in a) + ")"
    return "(" + ", ".join(f"{float(v):.9g}" for v in a) + ")"


def sample_inputs(name, shape):
    n = int(np.prod(shape))
    xs = [torch.zeros(shape), torch.linspace(-1.0, 1.0, n).reshape(shape),
          torch.linspace(3.0, -2.0, n).reshape(shape)]
    if name == "residual_fold_2":
        xs += [torch.tensor([[-1.0, 0.0]]), torch.tensor([[0.5, 0.0]])]
    return xs


def export(model, shape, path, opts):
    model.eval()
    kw = dict(export_params=True, opset_version=OPSET, do_constant_folding=True,
              input_names=["x"], output_names=["y"])
    kw.update(opts)
    buf = io.BytesIO()
    torch.onnx.export(model, torch.zeros(shape), buf, **kw)
    data = buf.getvalue()
    with open(path, "wb") as f:
        f.write(data)
    return data


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    os.makedirs(out, exist_ok=True)
    rows = []
    for name, build, opts, arch, truth, reason in NETS:
        model, shape, facts = build()
        model.eval()
        path = os.path.join(out, name + ".onnx")
        data = export(model, shape, path, opts)
        m = onnx.load_from_string(data)
        onnx.checker.check_model(m)
        ops = [n.op_type for n in m.graph.node]
        uniq = list(dict.fromkeys(ops))
        if name.startswith("iresnet"):
            inits = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
            onnx_norms = [float(np.linalg.norm(inits[n.input[1]].astype(np.float64), 2))
                          for n in m.graph.node if n.op_type == "Gemm"]
            assert onnx_norms and max(onnx_norms) < 0.95 + 1e-6, onnx_norms
            facts["spectral norms recomputed from the ONNX initializers (numpy, float64)"] = \
                f"max {max(onnx_norms):.9f} over {len(onnx_norms)} Gemm weights"
        if name == "batchnorm_mlp":
            facts["BatchNormalization node in graph"] = "yes" if "BatchNormalization" in ops else \
                "NO: PyTorch folded it away despite do_constant_folding=False"
        samples = []
        for x in sample_inputs(name, shape):
            y = model(x)
            yo = run_onnx(m, x.numpy())
            assert yo.shape == tuple(y.shape), (name, yo.shape, y.shape)
            if y.dtype.is_floating_point:
                assert np.allclose(yo, y.numpy(), rtol=1e-5, atol=1e-5), (name, yo, y)
            else:
                assert np.array_equal(yo, y.numpy()), (name, yo, y)
            samples.append((vec(x), vec(y)))
        out_shape = tuple(model(torch.zeros(shape)).shape)
        rows.append((name, shape, out_shape, arch, truth, reason, ops, uniq, facts, samples,
                     hashlib.sha256(data).hexdigest()[:16]))
        print(f"{path}: {len(data)} bytes, ops {' '.join(uniq)}, sha256 {rows[-1][-1]}")
    readme = os.path.join(out, "README.md")
    with open(readme, "w") as f:
        f.write(render_readme(rows))
    print(f"{readme}: {len(rows)} networks")


def render_readme(rows):
    L = []
    L.append("# Architecture test networks (ONNX) with known truth\n")
    L.append("Written by `make.py` (this README too): `/usr/bin/python3 make.py [out_dir]` "
             "(Debian's python3-torch 1.13 and python3-onnx). Nothing is trained; weights come "
             "from fixed seeds or are written by hand, so rerunning gives the same weights "
             "(and, with the same PyTorch, byte-identical files: the sha256 prefixes below).\n")
    L.append("Export: `torch.onnx.export`, opset 13, `export_params=True`, `do_constant_folding=True` "
             "(except batchnorm_mlp), eval mode, example input of batch 1, input named `x`, output `y`. "
             "Every file passes `onnx.checker.check_model`, and the script evaluates each file's ONNX "
             "graph with a small numpy interpreter at the sample inputs and asserts it agrees with "
             "PyTorch (rtol = atol = 1e-5).\n")
    L.append("The truth is about the real-valued function whose weights are exactly the float32 "
             "numbers in the file (docs/import.md). \"surjective\" means onto all of R^m (ONNX "
             "has no codomain box); for an ArgMax head, onto its labels {0, ..., m-1} (docs/format.md).\n")
    L.append("## Summary\n")
    L.append("| file | input -> output | injective / surjective | ONNX operators |")
    L.append("| --- | --- | --- | --- |")
    for name, shape, oshape, arch, truth, reason, ops, uniq, facts, samples, sha in rows:
        L.append(f"| `{name}.onnx` | {shape} -> {oshape} | {truth} | {', '.join(uniq)} |")
    L.append("")
    for name, shape, oshape, arch, truth, reason, ops, uniq, facts, samples, sha in rows:
        L.append(f"## {name}.onnx\n")
        L.append(f"- architecture: {arch}")
        L.append(f"- input shape {shape}, output shape {oshape}")
        L.append(f"- **truth: {truth}**")
        L.append(f"- reason: {reason}")
        for k, v in facts.items():
            L.append(f"- {k}: {v}")
        L.append(f"- ONNX nodes ({len(ops)}), in graph order: {' '.join(ops)}")
        L.append(f"- sha256 prefix: `{sha}`")
        L.append("- PyTorch outputs (the ONNX graph agrees):")
        for x, y in samples:
            L.append(f"  - f{x} = {y}")
        L.append("")
    return "\n".join(L)


if __name__ == "__main__":
    main()
