#!/usr/bin/python3
"""Certificate size and checking time on the regression corpus.

For every network tests/regress/**/*.json and every property its .expect
states (injective, surjective, bijective), runs

    nninv <property> NET --certificate C --json      (solve + write the certificate)
    nninv-check NET C                                 (independent exact check)

and records wall times, the certificate's size in bytes, its evidence kind and
the checker's status. A second pass runs every injectivity "holds" again
with --no-criteria --no-simplify, so that the certificate has to come from
the proof search (twin proof trees, relu-layer trees). Writes
benchmarks/results/certificates.csv, certificates_search.csv and
certificates.md. Standard library only; one process at a
time. Reproduce with

    cmake --build build -j2 --target nninv nninv-check
    /usr/bin/python3 benchmarks/certificates.py --build build
"""
import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROPERTIES = ("injective", "surjective", "bijective")
SEARCH_FLAGS = ["--no-criteria", "--no-simplify"]


def evidence_kind(cert):
    """The evidence kind as the checker dispatches on it (unreachable: with its proof kind)."""
    if cert.get("property") == "bijective" and "parts" in cert:
        parts = cert["parts"]
        return "bijective:" + "+".join(evidence_kind(parts[p]) for p in ("injective", "surjective") if p in parts)
    e = cert.get("evidence") or {}
    kind = e.get("kind", "none")
    if kind == "unreachable":
        kind += "/" + (e.get("proof") or {}).get("kind", "none")
    if kind == "injective_square":
        kind += "/" + (e.get("injective") or {}).get("kind", "none")
    return kind


def run(cmd, timeout):
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr, time.monotonic() - t0
    except subprocess.TimeoutExpired:
        return None, "", "killed at timeout", time.monotonic() - t0


def median(xs):
    return statistics.median(xs) if xs else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build", help="build tree with nninv and nninv-check (default: build)")
    ap.add_argument("--timeout", type=float, default=60, help="nninv --timeout per question (default 60 s)")
    ap.add_argument("--results", default=os.path.join(ROOT, "benchmarks", "results"))
    ap.add_argument("--no-search-pass", action="store_true",
                    help="skip the second pass (injectivity holds with " + " ".join(SEARCH_FLAGS) + ")")
    args = ap.parse_args()
    build = args.build if os.path.isabs(args.build) else os.path.join(ROOT, args.build)
    nninv, checker = os.path.join(build, "nninv"), os.path.join(build, "nninv-check")
    for exe in (nninv, checker):
        if not os.access(exe, os.X_OK):
            sys.exit(f"missing {exe}: build the targets nninv and nninv-check first")
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE,
                            text=True).stdout.strip()

    nets = []
    for d, _, files in os.walk(os.path.join(ROOT, "tests", "regress")):
        for f in files:
            if f.endswith(".expect") and os.path.exists(os.path.join(d, f[:-7] + ".json")):
                nets.append(os.path.join(d, f[:-7]))
    nets.sort()

    t0 = time.monotonic()
    questions = []
    for base in nets:
        with open(base + ".expect") as fh:
            expect = json.load(fh)
        questions += [(base, prop, expect[prop]) for prop in PROPERTIES if prop in expect]
    rows = run_questions(questions, [], nninv, checker, args)
    # Search evidence: the injectivity holds again with the criteria and the
    # simplification off, so that Z3 decides and the proof search has to
    # produce the certificate (twin proof trees, relu-layer trees).
    search = []
    if not args.no_search_pass:
        holds = [q for q in questions if q[1] == "injective" and q[2] == "holds"]
        search = run_questions(holds, SEARCH_FLAGS, nninv, checker, args)
    minutes = (time.monotonic() - t0) / 60

    os.makedirs(args.results, exist_ok=True)
    fields = ["network", "property", "expected", "verdict", "evidence", "status", "bytes", "solve_s", "check_s",
              "check_exit"]
    with open(os.path.join(args.results, "certificates.csv"), "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    with open(os.path.join(args.results, "certificates_search.csv"), "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(search)
    write_summary(rows, search, args, commit, minutes)


def run_questions(questions, flags, nninv, checker, args):
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cert_path = os.path.join(tmp, "c.json")
        for base, prop, expected in questions:
            net = base + ".json"
            rel = os.path.relpath(net, ROOT)
            if os.path.exists(cert_path):
                os.remove(cert_path)
            rc, out, err, solve = run([nninv, prop, net, "--certificate", cert_path, "--json",
                                       "--timeout", str(args.timeout)] + flags, args.timeout + 30)
            verdict = "error"
            try:
                verdict = json.loads(out).get("verdict", "error")
            except (ValueError, AttributeError):
                pass
            row = {"network": rel, "property": prop, "expected": expected, "verdict": verdict,
                   "solve_s": f"{solve:.4f}", "check_s": "", "bytes": 0, "evidence": "", "status": "",
                   "check_exit": ""}
            if os.path.exists(cert_path):
                row["bytes"] = os.path.getsize(cert_path)
                with open(cert_path) as fh:
                    row["evidence"] = evidence_kind(json.load(fh))
                crc, cout, cerr, check = run([checker, net, cert_path], 120)
                row["check_s"] = f"{check:.4f}"
                row["check_exit"] = crc
                row["status"] = {0: "certified"}.get(crc, "rejected" if "rejected" in (cout + cerr) or
                                                      "failed" in (cout + cerr) else "not certified")
            else:
                row["status"] = "no certificate"
            rows.append(row)
            print(f"{row['status']:>14}  {row['solve_s']:>8}s {row['check_s'] or '-':>8}s "
                  f"{row['bytes']:>8} B  {row['evidence']:<34} {rel} {prop} {' '.join(flags)}", flush=True)
    return rows


def kind_table(rows):
    by_kind = {}
    for r in rows:
        by_kind.setdefault(r["evidence"] or "(none)", []).append(r)
    lines = [
        "| evidence kind | questions | certified | median size (B) | max size (B) | solve total (s) | "
        "check total (s) | check / solve |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, rs in sorted(by_kind.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        s = sum(float(r["solve_s"]) for r in rs)
        c = sum(float(r["check_s"] or 0) for r in rs)
        sizes = [int(r["bytes"]) for r in rs]
        cert = sum(r["status"] == "certified" for r in rs)
        lines.append(f"| `{kind}` | {len(rs)} | {cert} | {median(sizes):.0f} | {max(sizes)} | {s:.2f} | {c:.2f} | "
                     f"{c / s if s else 0:.3f} |")
    return lines


def status_line(rows):
    counts = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    wrong = [r for r in rows if r["verdict"] != r["expected"]]
    total_solve = sum(float(r["solve_s"]) for r in rows)
    total_check = sum(float(r["check_s"] or 0) for r in rows)
    return [
        "Status: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) +
        f"; verdicts that differ from the `.expect`: {len(wrong)}.",
        "",
        f"Total solving {total_solve:.1f} s, total checking {total_check:.1f} s "
        f"(checking / solving = {total_check / total_solve if total_solve else 0:.3f}).",
        "",
    ]


def not_certified(rows):
    bad = [r for r in rows if r["status"] != "certified"]
    if not bad:
        return []
    return ["Not certified:", ""] + [f"- `{r['network']}` {r['property']} {r['verdict']}: {r['status']} "
                                     f"(`{r['evidence']}`, {float(r['solve_s']):.1f} s)" for r in bad] + [""]


def write_summary(rows, search, args, commit, minutes):
    lines = [
        "# Certificates on the regression corpus",
        "",
        f"nninv commit {commit}; {len(rows)} questions (every network in `tests/regress/` and every property "
        "its `.expect` states). Each question: `nninv <property> NET --certificate C --json "
        f"--timeout {args.timeout:g}` (solve, including the proof search), then `nninv-check NET C`. "
        "Wall times of whole processes (so each includes loading the network, a few ms), one process at a "
        "time on a 2-core machine shared with other jobs.",
        "",
        "Reproduce: `cmake --build build -j2 --target nninv nninv-check && "
        f"/usr/bin/python3 benchmarks/certificates.py --build build` (this run: {minutes:.1f} minutes). "
        "Per-question rows: [`certificates.csv`](certificates.csv), "
        "[`certificates_search.csv`](certificates_search.csv).",
        "",
    ]
    lines += status_line(rows) + kind_table(rows)
    lines += ["", "Checking time is dominated by process start and network loading (a few ms per question); "
              "the exact checks themselves are small next to solving, which includes Z3 and the proof search.", ""]
    lines += not_certified(rows)
    if search:
        lines += [
            "## Search evidence",
            "",
            f"The {len(search)} injectivity holds again, with `{' '.join(SEARCH_FLAGS)}`: no criterion and no "
            "simplification, so Z3 decides and the certificate has to come from the proof search (twin proof "
            "trees, relu-layer trees; node limit 100000, the CLI default) or stays `solver` (not certified). "
            "This measures the search proofs that the criteria above make unnecessary on the corpus.",
            "",
        ]
        lines += status_line(search) + kind_table(search) + [""] + not_certified(search)
    with open(os.path.join(args.results, "certificates.md"), "w") as fh:
        fh.write("\n".join(lines))


if __name__ == "__main__":
    main()
