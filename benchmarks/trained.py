#!/usr/bin/python3
"""Trained networks (issue 14): small MLPs R^n -> R^n trained in PyTorch and
exported with torch.onnx.export, decided three ways in one run:

  default    nninv as released (every stage)
  baseline   the same without the two region-tree stages of this release
             (--no-coherent-orientation --no-recession-degree)
  naive      --engine naive: the complete Z3 encoding alone (twin network
             for injectivity, the quantified image formula for surjectivity)

For each net and property (injective, surjective) it records the verdict and
wall time of each, and whether nninv-check certifies the default verdict.
A run that times out counts at its timeout, so a speed-up against it is a
lower bound (written ">= r").

The family is made by tests/import/trained/train.py's training routine
(the same target y = A x + 0.3 tanh(B x), Adam, MSE, 1500 steps) for n = 2,
3, 4, hidden layers [8] and [16, 16], relu and leaky_relu, seeds 0 and 1.
Training needs PyTorch (Debian python3-torch, python3-onnx); the nets are
written to benchmarks/trained-nets/ (not committed: PyTorch training is not
bit-reproducible across machines; results/trained.csv records each file's
sha256 prefix). A folder of .onnx files can be given instead with --nets.

usage: /usr/bin/python3 benchmarks/trained.py [--build build] [--nets DIR]
         [--timeout 20] [--baseline-timeout 20] [--results benchmarks/results]
"""
import argparse, csv, hashlib, json, os, statistics, subprocess, sys, tempfile, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

FAMILY = [(n, hidden, act, seed) for n in (2, 3, 4) for hidden in ([8], [16, 16]) for act in ("relu", "leaky")
          for seed in (0, 1)]


def make_family(out):
    sys.path.insert(0, os.path.join(root, "tests", "import", "trained"))
    import torch  # noqa: F401 (fails early with a clear message when PyTorch is missing)
    import train
    os.makedirs(out, exist_ok=True)
    for n, hidden, act, seed in FAMILY:
        name = f"{act}_{n}_{'_'.join(map(str, hidden))}_s{seed}"
        path = os.path.join(out, name + ".onnx")
        if os.path.exists(path):
            continue
        net, loss = train.train(name, n, hidden, act, seed=seed)
        train.torch.onnx.export(net, train.torch.zeros(1, n), path, input_names=["x"], output_names=["y"])
        print(f"trained {name}: loss {loss:.4f}", flush=True)


def run(cmd, timeout):
    start = time.monotonic()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout + 15)
        seconds = time.monotonic() - start
        text = p.stdout
        verdict = json.loads(text[text.index("{"):]).get("verdict", "error") if "{" in text else "error"
    except subprocess.TimeoutExpired:
        seconds, verdict = time.monotonic() - start, "unknown"
    return verdict, min(seconds, float(timeout)) if verdict == "unknown" else seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(root, "build"))
    ap.add_argument("--nets", help="a folder of .onnx nets (default: train the family into benchmarks/trained-nets)")
    ap.add_argument("--timeout", type=float, default=20)
    ap.add_argument("--baseline-timeout", type=float, default=20)
    ap.add_argument("--results", default=os.path.join(root, "benchmarks", "results"))
    a = ap.parse_args()
    try:  # before any result file is written, so that they do not make the tree dirty
        a.revision = subprocess.run(["git", "-C", root, "describe", "--always", "--dirty"], capture_output=True,
                                    text=True).stdout.strip() or "unknown"
    except OSError:
        a.revision = "unknown"
    nninv, check = os.path.join(a.build, "nninv"), os.path.join(a.build, "nninv-check")
    nets = a.nets
    if not nets:
        nets = os.path.join(root, "benchmarks", "trained-nets")
        make_family(nets)
    files = sorted(f for f in os.listdir(nets) if f.endswith(".onnx"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for f in files:
            path = os.path.join(nets, f)
            sha = hashlib.sha256(open(path, "rb").read()).hexdigest()[:12]
            for prop in ("injective", "surjective"):
                cert = os.path.join(tmp, "c.json")
                base = [nninv, prop, path, "--json"]
                verdict, seconds = run(base + ["--timeout", str(a.timeout), "--certificate", cert], a.timeout)
                certified = ""
                if verdict in ("holds", "violated") and os.path.exists(cert):
                    c = subprocess.run([check, path, cert], capture_output=True, text=True)
                    certified = "yes" if c.returncode == 0 else "no"
                if os.path.exists(cert):
                    os.remove(cert)
                bt = str(a.baseline_timeout)
                bverdict, bseconds = run(base + ["--timeout", bt, "--no-coherent-orientation",
                                                 "--no-recession-degree"], a.baseline_timeout)
                nverdict, nseconds = run(base + ["--timeout", bt, "--engine", "naive"], a.baseline_timeout)
                for v, other in ((bverdict, "baseline"), (nverdict, "naive")):
                    if v in ("holds", "violated") and verdict in ("holds", "violated") and v != verdict:
                        sys.exit(f"DISAGREEMENT on {f} {prop}: default {verdict}, {other} {v}")
                row = dict(net=f[:-5], sha256=sha, property=prop, verdict=verdict, seconds=f"{seconds:.3f}",
                           certified=certified, baseline_verdict=bverdict, baseline_seconds=f"{bseconds:.3f}",
                           naive_verdict=nverdict, naive_seconds=f"{nseconds:.3f}")
                rows.append(row)
                print(" ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    os.makedirs(a.results, exist_ok=True)
    with open(os.path.join(a.results, "trained.csv"), "w", newline="") as out:
        w = csv.DictWriter(out, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    write_summary(rows, a)


def write_summary(rows, a):
    decided = lambda key: sum(r[key] in ("holds", "violated") for r in rows)
    lines = ["# Trained networks: default against the previous stages and the naive engine", "",
             f"nninv at commit {a.revision}.", "",
             f"One run, {len(rows)} questions ({len(rows) // 2} nets, injective and surjective), timeout "
             f"{a.timeout:g} s (default) and {a.baseline_timeout:g} s (baseline, naive). Machine shared and noisy: "
             "compare ratios within the run. Reproduce: `/usr/bin/python3 benchmarks/trained.py` (see its "
             "docstring). A time out counts at its timeout, so ratios against one are lower bounds (>=).", "",
             "| engine | decided | unknown |", "| --- | --- | --- |"]
    for key, name in (("verdict", "default"), ("baseline_verdict", "baseline"), ("naive_verdict", "naive")):
        lines.append(f"| {name} | {decided(key)} | {len(rows) - decided(key)} |")
    certified = sum(r["certified"] == "yes" for r in rows)
    lines += ["", f"Default verdicts certified by nninv-check: {certified} of {decided('verdict')} decided.", ""]
    for other, label in (("baseline", "baseline"), ("naive", "naive (twin / quantified formula alone)")):
        ratios = [float(r[other + "_seconds"]) / max(float(r["seconds"]), 1e-3) for r in rows
                  if r["verdict"] in ("holds", "violated")]
        if ratios:
            lines.append(f"Median speed-up over {label} on the questions default decides: "
                         f"{statistics.median(ratios):.1f}x (lower bound where {other} timed out).")
    lines += ["", "| net | property | default | s | certified | baseline | s | naive | s |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        lines.append(f"| {r['net']} | {r['property']} | {r['verdict']} | {r['seconds']} | {r['certified']} | "
                     f"{r['baseline_verdict']} | {r['baseline_seconds']} | {r['naive_verdict']} | "
                     f"{r['naive_seconds']} |")
    open(os.path.join(a.results, "trained.md"), "w").write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
