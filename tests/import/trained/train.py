#!/usr/bin/python3
"""Small ReLU / leaky-ReLU MLPs R^n -> R^n trained the way a researcher would
(PyTorch, Adam, MSE) and exported with torch.onnx.export. Rerun with
/usr/bin/python3 (Debian's python3-torch, python3-onnx); the .onnx files
beside this script are committed so that the tests need neither.

Each net regresses a smooth bijection of R^n, y = A x + 0.3 tanh(B x) with A
well conditioned, on Gaussian samples. Nothing about the result is known by
construction: the tests assert only verdicts that nninv proves and
nninv-check re-derives (and, for injectivity, an exactly checked witness).

    /usr/bin/python3 train.py [out_dir]
"""
import os
import sys

import torch
from torch import nn

NETS = [  # name, n, hidden widths, activation
    ("relu_2_8", 2, [8], "relu"),
    ("relu_2_16_16", 2, [16, 16], "relu"),
    ("leaky_2_16_16", 2, [16, 16], "leaky"),
    ("relu_3_16_16", 3, [16, 16], "relu"),
    ("relu_4_32_32", 4, [32, 32], "relu"),
]


def mlp(n, hidden, act):
    layers, width = [], n
    for h in hidden:
        layers += [nn.Linear(width, h), nn.ReLU() if act == "relu" else nn.LeakyReLU(0.1)]
        width = h
    layers.append(nn.Linear(width, n))
    return nn.Sequential(*layers)


def train(name, n, hidden, act, seed=0):
    torch.manual_seed(seed)
    q, _ = torch.linalg.qr(torch.randn(n, n))
    a = q @ torch.diag(torch.linspace(1.0, 2.0, n))
    b = torch.randn(n, n)
    target = lambda x: x @ a.T + 0.3 * torch.tanh(x @ b.T)
    net = mlp(n, hidden, act)
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    for _ in range(1500):
        x = torch.randn(256, n) * 2
        loss = ((net(x) - target(x)) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return net, float(loss)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for name, n, hidden, act in NETS:
        net, loss = train(name, n, hidden, act)
        path = os.path.join(out, name + ".onnx")
        torch.onnx.export(net, torch.zeros(1, n), path, input_names=["x"], output_names=["y"])
        print(f"{path}: final training loss {loss:.4f}")


if __name__ == "__main__":
    main()
