#!/usr/bin/python3
"""Benchmark runner: nninv (portfolio engine) against `--engine naive`, plus
the ablation switches, on the families of benchmarks/generate.py.

Standard library only. Sequential (one nninv process at a time). One command
reproduces everything in benchmarks/results/:

    /usr/bin/python3 benchmarks/run.py                 # full run (~45 min)
    /usr/bin/python3 benchmarks/run.py --quick         # smoke run (~3 min)
    /usr/bin/python3 benchmarks/run.py --report-only   # redo summary/svg from results/runs.csv

Protocol (written into summary.md as well):
  * Every instance is run by both engines with the same timeout T (default
    60 s, nninv's own --timeout; the process is killed at T + 15 s). The
    order alternates: even instance ids run the portfolio first, odd ids run
    naive first. Wall time is measured around the process; peak memory is
    /usr/bin/time's %M (max resident set, KiB).
  * Solved = verdict holds or violated. PAR-2: solved runs count their wall
    time, unsolved runs count 2 T.
  * Ladder cut-off (to keep a run under ~45 minutes): inside a ladder the
    sizes are run in order. Once an engine has solved none of the instances
    of a size, its instances of the next sizes are only PROBED with a short
    timeout P (default 5 s): a probe that decides counts as solved with its
    real time (nninv is deterministic, so the same run with timeout T would
    decide as well), a probe that does not decide counts as unsolved
    (PAR-2 = 2 T) although the engine might have decided between P and T.
    A probe that decides ends the cut-off for that engine and ladder. The
    rule is the same for both engines; runs.csv marks probes (mode=probe).
  * Ablation: every switch that applies to the property (--no-region-cover
    applies to surjective only, --no-symmetry-breaking to injective only)
    runs on the instances that the full portfolio decided within the
    ablation timeout A (default 20 s), with timeout A. The full engine's
    times are the ones of the main run, censored at A.
"""
import argparse
import csv
import datetime
import hashlib
import json
import math
import os
import platform
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import generate  # noqa: E402

RESULTS = os.path.join(HERE, "results")
try:
    LOAD_AT_START = " / ".join(f"{x:.2f}" for x in os.getloadavg())
except OSError:
    LOAD_AT_START = "?"
TIME_BIN = "/usr/bin/time"
ABLATIONS = {
    "--no-simplify": ("injective", "surjective"),
    "--no-fold-search": ("injective", "surjective"),
    "--no-relu-layer": ("injective",),
    "--no-criteria": ("injective", "surjective"),
    "--no-witness-search": ("injective", "surjective"),
    "--no-interval-bounds": ("injective", "surjective"),
    "--no-symmetry-breaking": ("injective",),
    "--no-region-cover": ("surjective",),
}
RUN_FIELDS = ["id", "family", "ladder", "size", "name", "property", "n", "relus", "depth", "expect", "engine", "mode",
              "timeout", "verdict", "solved", "method", "reason", "nninv_seconds", "wall_seconds", "cpu_seconds",
              "exit_code", "peak_rss_kb", "stages", "file", "sha256_16"]


# --------------------------------------------------------------------------- running one process
def run_nninv(nninv, prop, path, extra, timeout):
    """Runs nninv once; returns a dict with verdict, method, times, exit code, peak RSS."""
    cmd = [nninv, prop, path, "--json", "--quiet", "--stats", "--timeout", f"{timeout:g}"] + extra
    rss_file = None
    if os.access(TIME_BIN, os.X_OK):
        fd, rss_file = tempfile.mkstemp(prefix="nninv_rss_")
        os.close(fd)
        cmd = [TIME_BIN, "-f", "%M %U %S", "-o", rss_file] + cmd
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    killed = False
    try:
        out, err = proc.communicate(timeout=timeout + 15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # only the group we started
        out, err = proc.communicate()
        killed = True
    wall = time.monotonic() - start
    rss, cpu = "", ""
    if rss_file:
        try:
            with open(rss_file) as f:
                lines = [ln.strip() for ln in f if ln.strip()]
            parts = lines[-1].split() if lines else []
            if len(parts) == 3:
                rss, cpu = int(parts[0]), round(float(parts[1]) + float(parts[2]), 3)
        except (OSError, ValueError):
            pass
        os.unlink(rss_file)
    r = {"verdict": "error", "method": "", "reason": "", "nninv_seconds": "", "wall_seconds": round(wall, 4),
         "exit_code": proc.returncode, "peak_rss_kb": rss, "cpu_seconds": cpu, "stages": ""}
    if killed:
        r.update(verdict="unknown", reason=f"killed by the runner at {timeout + 15:g} s")
        return r
    try:
        j = json.loads(out)
        r["verdict"] = j.get("verdict", "error")
        r["method"] = j.get("method", "")
        r["reason"] = (j.get("reason", "") or "")[:160]
        r["nninv_seconds"] = j.get("time_seconds", "")
        r["stages"] = ";".join(f"{st.get('stage', '?')}={float(st.get('seconds', 0)):.4f}"
                               for st in (j.get("stats") or []) if isinstance(st, dict))
    except (json.JSONDecodeError, TypeError):
        r["reason"] = ("exit %s: %s" % (proc.returncode, (err or out).strip().replace("\n", " ")))[:160]
    return r


def solved(v):
    return v in ("holds", "violated")


# --------------------------------------------------------------------------- the main loop
def size_groups(rows):
    """Consecutive runs of (family, ladder, size) in manifest order."""
    groups, cur = [], None
    for r in rows:
        key = (r["family"], r["ladder"], r["size"])
        if cur is None or cur[0] != key:
            cur = (key, [])
            groups.append(cur)
        cur[1].append(r)
    return groups


def main_runs(a, rows, nninv, log):
    runs = []
    cut = {}  # (family, ladder, engine) -> True when probing only
    engines = [("portfolio", []), ("naive", ["--engine", "naive"])]
    for (family, ladder, size), group in size_groups(rows):
        solved_in_group = {e: 0 for e, _ in engines}
        for inst in group:
            order = engines if int(inst["id"]) % 2 == 0 else engines[::-1]
            for eng, extra in order:
                probing = cut.get((family, ladder, eng), False) and not a.no_cutoff
                t = a.probe_timeout if probing else a.timeout
                path = os.path.join(generate.HERE, inst["file"])
                r = run_nninv(nninv, inst["property"], path, extra, t)
                row = dict(inst)
                row.update(r, engine=eng, mode="probe" if probing else "full", timeout=t, solved=int(solved(r["verdict"])))
                runs.append(row)
                if row["solved"]:
                    solved_in_group[eng] += 1
                log(f"[{len(runs):4}] {inst['name']:34} {eng:9} {row['mode']:5} {r['verdict']:9} "
                    f"{r['wall_seconds']:8.2f}s  {r['method'][:48]}")
        for eng, _ in engines:
            if solved_in_group[eng]:
                cut[(family, ladder, eng)] = False
            elif not cut.get((family, ladder, eng), False) and not a.no_cutoff:
                cut[(family, ladder, eng)] = True
                log(f"       cut-off: {eng} solved nothing at {family}/{size}; larger sizes of this ladder are probed ({a.probe_timeout:g} s)")
    return runs


def ablation_runs(a, rows, main, nninv, log):
    runs = []
    full = {(r["id"], r["engine"]): r for r in main}
    eligible = [inst for inst in rows
                if (inst["id"], "portfolio") in full and full[(inst["id"], "portfolio")]["solved"]
                and float(full[(inst["id"], "portfolio")]["wall_seconds"]) <= a.ablation_timeout]
    for switch, props in ABLATIONS.items():
        for inst in eligible:
            if inst["property"] not in props:
                continue
            path = os.path.join(generate.HERE, inst["file"])
            r = run_nninv(nninv, inst["property"], path, [switch], a.ablation_timeout)
            row = dict(inst)
            row.update(r, engine=switch, mode="ablation", timeout=a.ablation_timeout, solved=int(solved(r["verdict"])))
            runs.append(row)
            log(f"[abl] {inst['name']:34} {switch:22} {r['verdict']:9} {r['wall_seconds']:8.2f}s  {r['method'][:40]}")
    return runs


# --------------------------------------------------------------------------- statistics helpers
def fnum(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def par2(run, T):
    return float(run["wall_seconds"]) if int(run["solved"]) else 2.0 * T


def median(xs):
    return statistics.median(xs) if xs else None


def fmt_ratio(x):
    if x is None:
        return "–"
    if x >= 100:
        return f"{x:.0f}x"
    if x >= 10:
        return f"{x:.1f}x"
    return f"{x:.2f}x"


def fmt_s(x):
    if x is None:
        return "–"
    return f"{x:.2f}" if x < 100 else f"{x:.0f}"


def geo_ratio(a, b):
    return a / b if b > 0 else None


# --------------------------------------------------------------------------- SVG
def svg_plot(pairs, T, path, title):
    """Time (log) against ReLU count (log) for both engines; unsolved at the 2T (PAR-2) line."""
    W, H, L, Rm, Tm, B = 760, 460, 70, 160, 40, 55
    pts = [(int(p["relus"]), p) for p in pairs if str(p["relus"]).strip()]
    if not pts:
        return
    xmin, xmax = 1, max(x for x, _ in pts) * 1.5
    ymin, ymax = 1e-3, 2 * T * 1.6
    lx = lambda x: L + (math.log10(max(x, xmin)) - math.log10(xmin)) / (math.log10(xmax) - math.log10(xmin)) * (W - L - Rm)
    ly = lambda y: H - B - (math.log10(max(y, ymin)) - math.log10(ymin)) / (math.log10(ymax) - math.log10(ymin)) * (H - B - Tm)
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">',
         f'<rect x="0" y="0" width="{W}" height="{H}" fill="white"/>',
         f'<text x="{(W - Rm + L) / 2}" y="20" text-anchor="middle" font-size="14">{title}</text>',
         f'<rect x="{L}" y="{Tm}" width="{W - L - Rm}" height="{H - B - Tm}" fill="none" stroke="#444"/>']
    for e in range(0, 4):
        x = 10 ** e
        if x <= xmax:
            o.append(f'<line x1="{lx(x):.1f}" y1="{Tm}" x2="{lx(x):.1f}" y2="{H - B}" stroke="#ddd"/>')
            o.append(f'<text x="{lx(x):.1f}" y="{H - B + 15}" text-anchor="middle">{x}</text>')
    for x in (3, 30, 300):
        if x <= xmax:
            o.append(f'<line x1="{lx(x):.1f}" y1="{Tm}" x2="{lx(x):.1f}" y2="{H - B}" stroke="#eee"/>')
            o.append(f'<text x="{lx(x):.1f}" y="{H - B + 15}" text-anchor="middle" fill="#777">{x}</text>')
    for e in range(-3, 3):
        y = 10 ** e
        if y <= ymax:
            o.append(f'<line x1="{L}" y1="{ly(y):.1f}" x2="{W - Rm}" y2="{ly(y):.1f}" stroke="#ddd"/>')
            o.append(f'<text x="{L - 6}" y="{ly(y) + 4:.1f}" text-anchor="end">{y:g}</text>')
    for y, lab, col in ((T, f"timeout {T:g} s", "#999"), (2 * T, "unsolved (PAR-2 = 2T)", "#c00")):
        o.append(f'<line x1="{L}" y1="{ly(y):.1f}" x2="{W - Rm}" y2="{ly(y):.1f}" stroke="{col}" stroke-dasharray="4,3"/>')
        o.append(f'<text x="{W - Rm + 4}" y="{ly(y) + 4:.1f}" fill="{col}">{lab}</text>')
    o.append(f'<text x="{(W - Rm + L) / 2}" y="{H - 15}" text-anchor="middle">hidden ReLU / leaky units (log scale)</text>')
    o.append(f'<text x="18" y="{(H - B + Tm) / 2}" text-anchor="middle" transform="rotate(-90 18 {(H - B + Tm) / 2})">'
             f'wall time, seconds (log scale)</text>')
    # deterministic jitter so that equal sizes do not overlap completely
    for x, p in pts:
        jit = ((int(p["id"]) * 37) % 11 - 5) * 0.012
        xx = 10 ** (math.log10(x) + jit)
        for eng, col, shape in (("naive", "#d62728", "x"), ("portfolio", "#1f77b4", "o")):
            r = p[eng]
            y = par2(r, T)
            cx, cy = lx(xx), ly(y)
            if shape == "o":
                o.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3.5" fill="none" stroke="{col}" stroke-width="1.4">'
                         f'<title>{p["name"]} portfolio {r["verdict"]} {float(r["wall_seconds"]):.2f}s</title></circle>')
            else:
                o.append(f'<path d="M{cx - 3:.1f},{cy - 3:.1f} L{cx + 3:.1f},{cy + 3:.1f} M{cx - 3:.1f},{cy + 3:.1f} '
                         f'L{cx + 3:.1f},{cy - 3:.1f}" stroke="{col}" stroke-width="1.4">'
                         f'<title>{p["name"]} naive {r["verdict"]} {float(r["wall_seconds"]):.2f}s</title></path>')
    lx0 = W - Rm + 10
    o.append(f'<circle cx="{lx0 + 5}" cy="{Tm + 60}" r="3.5" fill="none" stroke="#1f77b4" stroke-width="1.4"/>')
    o.append(f'<text x="{lx0 + 14}" y="{Tm + 64}">nninv (portfolio)</text>')
    o.append(f'<path d="M{lx0 + 2},{Tm + 77} L{lx0 + 8},{Tm + 83} M{lx0 + 2},{Tm + 83} L{lx0 + 8},{Tm + 77}" '
             f'stroke="#d62728" stroke-width="1.4"/>')
    o.append(f'<text x="{lx0 + 14}" y="{Tm + 84}">--engine naive</text>')
    for k, eng in enumerate(("portfolio", "naive")):
        uns = sum(1 for _, p in pts if not int(p[eng]["solved"]))
        o.append(f'<text x="{lx0}" y="{Tm + 110 + 16 * k}" fill="#555">{eng}: {len(pts) - uns} solved, {uns} not</text>')
    o.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(o) + "\n")


# --------------------------------------------------------------------------- report
def load_runs(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def report(a, runs, meta):
    T = a.timeout
    A = a.ablation_timeout
    main = [r for r in runs if r["mode"] in ("full", "probe")]
    abl = [r for r in runs if r["mode"] == "ablation"]
    by = {}
    for r in main:
        by.setdefault(r["id"], {"id": r["id"]}).update({k: r[k] for k in ("family", "size", "name", "property", "n",
                                                                           "relus", "expect", "file")})
        by[r["id"]][r["engine"]] = r
    pairs = [p for p in sorted(by.values(), key=lambda p: int(p["id"])) if "portfolio" in p and "naive" in p]
    for p in pairs:
        p["par2_p"], p["par2_n"] = par2(p["portfolio"], T), par2(p["naive"], T)
        p["ratio"] = p["par2_n"] / p["par2_p"]  # > 1: nninv faster
        p["any_solved"] = bool(int(p["portfolio"]["solved"]) or int(p["naive"]["solved"]))

    # per-instance CSV
    with open(os.path.join(RESULTS, "instances.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "family", "size", "name", "property", "n", "relus", "expect",
                    "portfolio_verdict", "portfolio_mode", "portfolio_seconds", "portfolio_method", "portfolio_rss_kb",
                    "naive_verdict", "naive_mode", "naive_seconds", "naive_method", "naive_rss_kb",
                    "par2_ratio_naive_over_portfolio", "agreement"])
        for p in pairs:
            P, N = p["portfolio"], p["naive"]
            agree = "both decided, agree" if solved(P["verdict"]) and solved(N["verdict"]) and P["verdict"] == N["verdict"] \
                else ("DISAGREE" if solved(P["verdict"]) and solved(N["verdict"]) else "")
            w.writerow([p["id"], p["family"], p["size"], p["name"], p["property"], p["n"], p["relus"], p["expect"],
                        P["verdict"], P["mode"], P["wall_seconds"], P["method"], P["peak_rss_kb"],
                        N["verdict"], N["mode"], N["wall_seconds"], N["method"], N["peak_rss_kb"],
                        f"{p['ratio']:.4g}", agree])

    families = []
    for p in pairs:
        if p["family"] not in families:
            families.append(p["family"])

    L = []
    L.append("# nninv benchmark: portfolio engine vs `--engine naive`\n")
    L.append(f"Generated by `benchmarks/run.py` on {meta['date']}. **Reproduce:**\n")
    L.append("```\n" + meta["command"] + "\n```\n")
    L.append(f"- nninv commit: `{meta['head']}`{meta['dirty_note']}")
    if meta.get("note"):
        L.append(f"- note: {meta['note']}")
    L.append(f"- binary: `{meta['binary']}` (sha256 {meta['binary_sha']}), built with `{meta['build']}`")
    L.append(f"- machine: {meta['machine']}; one process at a time; load average at the start "
             f"{meta.get('load', '?')} (the machine is shared: timings carry noise from other jobs)")
    L.append(f"- timeout T = {T:g} s for both engines (same `--timeout`), probe timeout P = {a.probe_timeout:g} s, "
             f"ablation timeout A = {A:g} s; PAR-2 counts an unsolved run as 2T = {2 * T:g} s")
    L.append(f"- total wall time of this run: {meta['elapsed'] / 60:.1f} min; {len(pairs)} instances, "
             f"{len(main)} main runs ({sum(1 for r in main if r['mode'] == 'probe')} of them probes), {len(abl)} ablation runs")
    L.append(f"- real networks: {meta['real_note']}")
    L.append("- protocol (alternation, ladder cut-off with probes, ablation set): see the docstring of "
             "`benchmarks/run.py` and `benchmarks/README.md`\n")

    # ---------------- targets
    hard = [p for p in pairs if not int(p["naive"]["solved"]) or float(p["naive"]["wall_seconds"]) >= 1.0]
    hard_ratios = [p["ratio"] for p in hard]
    hard_some = [p["ratio"] for p in hard if p["any_solved"]]
    par2_p = sum(p["par2_p"] for p in pairs)
    par2_n = sum(p["par2_n"] for p in pairs)
    naive_ok_60 = [p for p in pairs if int(p["naive"]["solved"]) and float(p["naive"]["wall_seconds"]) <= 60]
    missed = [p for p in naive_ok_60 if not int(p["portfolio"]["solved"])]
    disagree = [p for p in pairs if solved(p["portfolio"]["verdict"]) and solved(p["naive"]["verdict"])
                and p["portfolio"]["verdict"] != p["naive"]["verdict"]]
    wrong = [(p, e) for p in pairs for e in ("portfolio", "naive")
             if p["expect"] and solved(p[e]["verdict"]) and p[e]["verdict"] != p["expect"]]
    abl_wrong = []
    for r in abl:
        p = by.get(r["id"])
        if p and solved(r["verdict"]) and solved(p["portfolio"]["verdict"]) and r["verdict"] != p["portfolio"]["verdict"]:
            abl_wrong.append((p, r))
    errors = [r for r in runs if r["verdict"] == "error"]
    slower_fams = []
    fam_median = {}
    for fam in families:
        rs = [p["ratio"] for p in pairs if p["family"] == fam and p["any_solved"]]
        fam_median[fam] = median(rs)
        if rs and median(rs) < 1:
            slower_fams.append(f"{fam} ({fmt_ratio(median(rs))})")
    rss = [int(r["peak_rss_kb"]) for r in runs if str(r["peak_rss_kb"]).strip().isdigit()]

    L.append("## Targets\n")
    L.append("| target | goal | measured | met? |")
    L.append("|---|---|---|---|")
    m1 = median(hard_ratios)
    L.append(f"| median speed-up over naive where naive needs ≥ 1 s or times out | 100x | {fmt_ratio(m1)} over "
             f"{len(hard_ratios)} instances (both unsolved count as 1x); {fmt_ratio(median(hard_some))} over the "
             f"{len(hard_some)} of them that at least one engine decides | {'yes' if m1 and m1 >= 100 else 'no'} |")
    L.append(f"| PAR-2 ratio over the whole suite (naive / nninv) | 20x | {fmt_ratio(par2_n / par2_p)} "
             f"(naive {par2_n:.0f} s, nninv {par2_p:.0f} s, {len(pairs)} instances) | "
             f"{'yes' if par2_n / par2_p >= 20 else 'no'} |")
    L.append(f"| families where nninv is slower at the median | none | "
             f"{', '.join(slower_fams) if slower_fams else 'none'} | {'no' if slower_fams else 'yes'} |")
    naive_probe_unsolved = sum(1 for p in pairs if p["naive"]["mode"] == "probe" and not int(p["naive"]["solved"]))
    L.append(f"| every instance naive decides within 60 s is decided by nninv | all | "
             f"{len(naive_ok_60) - len(missed)} of {len(naive_ok_60)} "
             f"(naive was only probed, {a.probe_timeout:g} s, and undecided on {naive_probe_unsolved} more instances) "
             f"{'(missed: ' + ', '.join(p['name'] for p in missed) + ')' if missed else ''} | "
             f"{'no' if missed else 'yes'} |")
    L.append(f"| verdict agreement between engines | no disagreement | "
             f"{len(disagree)} disagreements among {sum(1 for p in pairs if solved(p['portfolio']['verdict']) and solved(p['naive']['verdict']))} "
             f"instances both decide; {len(wrong)} verdicts against a known answer; {len(abl_wrong)} ablation verdicts "
             f"differ from the full engine | {'yes' if not (disagree or wrong or abl_wrong) else '**NO**'} |")
    L.append(f"| peak memory (max over all runs) | report | {max(rss) / 1024:.0f} MiB" if rss else "| peak memory | report | n/a")
    L[-1] += " | – |" if rss else " | – |"
    L.append("")
    full_pairs = [p for p in pairs if p["portfolio"]["mode"] == "full" and p["naive"]["mode"] == "full"]
    fh = [p["ratio"] for p in full_pairs if p["any_solved"]
          and (not int(p["naive"]["solved"]) or float(p["naive"]["wall_seconds"]) >= 1.0)]
    fp2, fn2 = sum(p["par2_p"] for p in full_pairs), sum(p["par2_n"] for p in full_pairs)
    L.append("How to read these numbers:\n")
    L.append("- Ratios with an unsolved side are censored: when naive times out at T, t_naive/t_nninv counts naive "
             "as 2T, so the true ratio could be larger or smaller; when the other side is a probe (the engine ran only "
             f"{a.probe_timeout:g} s and still counts 2T) the ratio is an estimate, not a bound.")
    L.append(f"- Without the probed instances (both engines ran the full {T:g} s on {len(full_pairs)} instances): "
             f"median speed-up where naive needs ≥ 1 s or times out and someone decides = {fmt_ratio(median(fh))} "
             f"over {len(fh)} instances; PAR-2 ratio = {fmt_ratio(fn2 / fp2) if fp2 else '–'} "
             f"(naive {fn2:.0f} s, nninv {fp2:.0f} s).")
    L.append("- Wall time on a shared machine: `cpu_seconds` in runs.csv shows how much CPU each run actually got.")
    L.append("")
    if disagree or wrong or abl_wrong or errors:
        L.append("**Problems found:**\n")
        for p in disagree:
            L.append(f"- DISAGREEMENT on `{p['file']}`: portfolio {p['portfolio']['verdict']} ({p['portfolio']['method']}), "
                     f"naive {p['naive']['verdict']}")
        for p, e in wrong:
            L.append(f"- WRONG VERDICT on `{p['file']}`: {e} says {p[e]['verdict']}, known answer {p['expect']}")
        for p, r in abl_wrong:
            L.append(f"- ablation `{r['engine']}` on `{p['file']}` says {r['verdict']}, full engine "
                     f"{p['portfolio']['verdict']}")
        for r in errors:
            L.append(f"- error run: `{r['file']}` {r['engine']}: {r['reason']}")
        L.append("")

    # ---------------- per family and size
    L.append("## Per family and size\n")
    L.append("Solved counts, PAR-2 sums (seconds) and the median of t_naive / t_nninv (PAR-2 times, > 1 means nninv "
             "is faster) over the instances that at least one engine decides. `p` marks sizes where an engine was "
             "only probed (ladder cut-off).\n")
    L.append("| family | size | ReLUs | inst. | nninv solved | naive solved | nninv PAR-2 | naive PAR-2 | median ratio |")
    L.append("|---|---|---|---|---|---|---|---|---|")
    for fam in families:
        sizes = []
        for p in pairs:
            if p["family"] == fam and p["size"] not in sizes:
                sizes.append(p["size"])
        for sz in sizes:
            ps = [p for p in pairs if p["family"] == fam and p["size"] == sz]
            sp = sum(int(p["portfolio"]["solved"]) for p in ps)
            sn = sum(int(p["naive"]["solved"]) for p in ps)
            pp = any(p["portfolio"]["mode"] == "probe" for p in ps)
            pn = any(p["naive"]["mode"] == "probe" for p in ps)
            rs = [p["ratio"] for p in ps if p["any_solved"]]
            L.append(f"| {fam} | {sz} | {ps[0]['relus']} | {len(ps)} | {sp}{' p' if pp else ''} | {sn}{' p' if pn else ''} | "
                     f"{sum(p['par2_p'] for p in ps):.1f} | {sum(p['par2_n'] for p in ps):.1f} | {fmt_ratio(median(rs))} |")
    L.append("")
    L.append("### Per family\n")
    L.append("| family | inst. | nninv solved | naive solved | nninv PAR-2 | naive PAR-2 | PAR-2 ratio | median ratio | "
             "largest decided by nninv (ReLUs) | largest decided by naive (ReLUs) |")
    L.append("|---|---|---|---|---|---|---|---|---|---|")

    def largest(ps, eng):
        ok = [p for p in ps if int(p[eng]["solved"]) and str(p["relus"]).strip()]
        if not ok:
            return "none"
        b = max(ok, key=lambda p: (int(p["relus"]), int(p["id"])))
        return f"{b['size']} ({b['relus']})"

    for fam in families:
        ps = [p for p in pairs if p["family"] == fam]
        a2, b2 = sum(p["par2_p"] for p in ps), sum(p["par2_n"] for p in ps)
        L.append(f"| {fam} | {len(ps)} | {sum(int(p['portfolio']['solved']) for p in ps)} | "
                 f"{sum(int(p['naive']['solved']) for p in ps)} | {a2:.0f} | {b2:.0f} | {fmt_ratio(b2 / a2)} | "
                 f"{fmt_ratio(fam_median[fam])} | {largest(ps, 'portfolio')} | {largest(ps, 'naive')} |")
    tot_p = sum(int(p["portfolio"]["solved"]) for p in pairs)
    tot_n = sum(int(p["naive"]["solved"]) for p in pairs)
    L.append(f"| **all** | {len(pairs)} | {tot_p} | {tot_n} | {par2_p:.0f} | {par2_n:.0f} | {fmt_ratio(par2_n / par2_p)} | "
             f"{fmt_ratio(median([p['ratio'] for p in pairs if p['any_solved']]))} | | |")
    L.append("")
    L.append("![time against ReLUs](time_vs_relus.svg)\n")

    # ---------------- methods
    L.append("## Where the time goes (nninv portfolio)\n")
    L.append("`method` of the portfolio's answer: the stage that decided, or for `unknown` the stage that was running "
             "when the budget ran out.\n")
    L.append("| verdict | method | runs | total wall s | median wall s |")
    L.append("|---|---|---|---|---|")
    groups = {}
    for p in pairs:
        r = p["portfolio"]
        key = ("decided" if solved(r["verdict"]) else "unknown", r["method"] or "(none)")
        groups.setdefault(key, []).append(float(r["wall_seconds"]))
    for (v, m), ts in sorted(groups.items(), key=lambda kv: -sum(kv[1])):
        L.append(f"| {v} | {m} | {len(ts)} | {sum(ts):.1f} | {median(ts):.3f} |")
    L.append("")

    L.append("Seconds spent per stage (from `--stats`), summed over the portfolio's main runs; `share` is the part "
             "of the portfolio's total wall time. Stages can nest (the surjectivity criterion 'injective square PA "
             "map' runs the injectivity pipeline, whose twin encoding is listed as well), so shares can add up to "
             "more than 100%.\n")
    L.append("| stage | runs | decided there | total s | share | median s |")
    L.append("|---|---|---|---|---|---|")
    st_tot, st_runs, st_dec = {}, {}, {}
    for p in pairs:
        r = p["portfolio"]
        stages = [x.rsplit("=", 1) for x in (r.get("stages") or "").split(";") if "=" in x]
        for i, (name, sec) in enumerate(stages):
            st_tot.setdefault(name, []).append(float(sec))
            if i == len(stages) - 1 and solved(r["verdict"]):
                st_dec[name] = st_dec.get(name, 0) + 1
    grand = sum(float(p["portfolio"]["wall_seconds"]) for p in pairs) or 1.0
    for name, secs in sorted(st_tot.items(), key=lambda kv: -sum(kv[1])):
        L.append(f"| {name} | {len(secs)} | {st_dec.get(name, 0)} | {sum(secs):.1f} | {100 * sum(secs) / grand:.1f}% | "
                 f"{median(secs):.4f} |")
    L.append("")

    # ---------------- slowest and losses
    L.append("## Slowest instances for nninv\n")
    L.append("| instance | ReLUs | nninv | naive | nninv method |")
    L.append("|---|---|---|---|---|")
    for p in sorted(pairs, key=lambda p: (-p["par2_p"], -float(p["portfolio"]["wall_seconds"])))[:12]:
        P, N = p["portfolio"], p["naive"]
        L.append(f"| `{p['name']}` | {p['relus']} | {P['verdict']} {float(P['wall_seconds']):.2f} s{' (probe)' if P['mode'] == 'probe' else ''} | "
                 f"{N['verdict']} {float(N['wall_seconds']):.2f} s{' (probe)' if N['mode'] == 'probe' else ''} | {P['method']} |")
    L.append("")
    loses = [p for p in pairs if p["any_solved"] and p["ratio"] < 1]
    L.append(f"## Instances where nninv is slower than naive ({len(loses)})\n")
    if loses:
        L.append("| instance | ReLUs | nninv | naive | ratio | nninv method |")
        L.append("|---|---|---|---|---|---|")
        for p in sorted(loses, key=lambda p: p["ratio"]):
            P, N = p["portfolio"], p["naive"]
            L.append(f"| `{p['name']}` | {p['relus']} | {P['verdict']} {float(P['wall_seconds']):.2f} s | "
                     f"{N['verdict']} {float(N['wall_seconds']):.2f} s | {fmt_ratio(p['ratio'])} | {P['method']} |")
    L.append("")

    # ---------------- ablation
    L.append("## Ablation\n")
    L.append(f"Each switch on the instances the full portfolio decided within A = {A:g} s (the full engine's times "
             f"are those of the main run). PAR-2 here uses 2A = {2 * A:g} s. Ratio = t_ablated / t_full (PAR-2 "
             f"times; > 1 means the switched-off component saves time).\n")
    L.append("| switch | applies to | instances | full solved | ablated solved | full PAR-2 | ablated PAR-2 | "
             "PAR-2 ratio | median ratio | max ratio | verdict changes |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for switch, props in ABLATIONS.items():
        rs = [r for r in abl if r["engine"] == switch]
        if not rs:
            L.append(f"| `{switch}` | {', '.join(props)} | 0 | | | | | | | | |")
            continue
        fulls = [by[r["id"]]["portfolio"] for r in rs]
        fp = [float(f["wall_seconds"]) for f in fulls]
        ap = [float(r["wall_seconds"]) if int(r["solved"]) else 2 * A for r in rs]
        ratios = [x / max(y, 1e-3) for x, y in zip(ap, fp)]
        changes = sum(1 for r, f in zip(rs, fulls) if solved(r["verdict"]) and r["verdict"] != f["verdict"])
        L.append(f"| `{switch}` | {', '.join(props)} | {len(rs)} | {len(rs)} | {sum(int(r['solved']) for r in rs)} | "
                 f"{sum(fp):.1f} | {sum(ap):.1f} | {fmt_ratio(sum(ap) / max(sum(fp), 1e-3))} | "
                 f"{fmt_ratio(median(ratios))} | {fmt_ratio(max(ratios))} | {changes} |")
    L.append("")
    L.append("Per family (PAR-2 ratio ablated / full):\n")
    L.append("| switch | " + " | ".join(families) + " |")
    L.append("|---|" + "---|" * len(families))
    for switch in ABLATIONS:
        cells = []
        for fam in families:
            rs = [r for r in abl if r["engine"] == switch and r["family"] == fam]
            if not rs:
                cells.append("–")
                continue
            fp = sum(float(by[r["id"]]["portfolio"]["wall_seconds"]) for r in rs)
            ap = sum(float(r["wall_seconds"]) if int(r["solved"]) else 2 * A for r in rs)
            cells.append(f"{fmt_ratio(ap / max(fp, 1e-3))} ({sum(int(r['solved']) for r in rs)}/{len(rs)})")
        L.append(f"| `{switch}` | " + " | ".join(cells) + " |")
    L.append("")

    L.append("## Files\n")
    L.append("- `runs.csv`: one row per nninv process (main runs, probes, ablations): verdict, method, nninv's "
             "own time, wall time, exit code, peak RSS (KiB), the instance's sha256 prefix.")
    L.append("- `instances.csv`: one row per instance, both engines side by side.")
    L.append("- `time_vs_relus.svg`: the plot above.")
    L.append("- `run.log`: the progress log of the run.")
    if os.path.exists(os.path.join(RESULTS, "analysis.md")):
        L.append("- `analysis.md`: hand-written reading of this run (where nninv loses and what would help).")
    with open(os.path.join(RESULTS, "summary.md"), "w") as f:
        f.write("\n".join(L) + "\n")
    svg_plot(pairs, T, os.path.join(RESULTS, "time_vs_relus.svg"),
             f"nninv vs --engine naive: wall time against size (T = {T:g} s)")
    return L


# --------------------------------------------------------------------------- metadata
def sh(cmd):
    try:
        return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=30).stdout.rstrip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def git_state():
    """HEAD and the uncommitted files that can change the binary, read when the run starts."""
    dirty = sh(["git", "status", "--porcelain", "--", "src", "include", "CMakeLists.txt", "cmake"])
    return sh(["git", "rev-parse", "HEAD"]), dirty


def metadata(a, nninv, real_note, elapsed, git_at_start):
    head, dirty = git_at_start
    head_now = sh(["git", "rev-parse", "HEAD"])
    dirty_files = [ln[3:] for ln in dirty.splitlines() if ln.strip()]
    with open(nninv, "rb") as f:
        bsha = hashlib.sha256(f.read()).hexdigest()[:16]
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "")
    except OSError:
        pass
    args = [x for x in sys.argv[1:] if x != "--report-only"]
    cmd = ("cd /work/main && cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null && "
           "cmake --build build-bench -j2 --target nninv\n/usr/bin/python3 benchmarks/run.py"
           + ("" if not args else " " + " ".join(shlex.quote(x) for x in args)))
    return {
        "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "command": cmd,
        "head": head,
        "dirty_note": ((" (HEAD when the run started; the binary must have been built from it; uncommitted changes "
                        "at that time in: " + ", ".join(f"`{x}`" for x in dirty_files) + ")") if dirty_files
                       else " (HEAD when the run started, clean tree)"),
        "note": "" if head_now == head else f"HEAD moved to `{head_now}` during the run (others committed); "
                                            f"the binary was not rebuilt",
        "binary": os.path.relpath(nninv, ROOT),
        "binary_sha": bsha,
        "build": "cmake -DCMAKE_BUILD_TYPE=Release",
        "machine": f"{cpu or platform.processor()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
                   f"Python {platform.python_version()}",
        "real_note": real_note,
        "elapsed": elapsed,
        "load": LOAD_AT_START,
        "T": a.timeout, "P": a.probe_timeout, "A": a.ablation_timeout,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smoke run: small instances, T=10 s, P=3 s, A=5 s")
    ap.add_argument("--nninv", default=generate.DEFAULT_NNINV, help="nninv binary (default build-bench/nninv)")
    ap.add_argument("--timeout", type=float, default=None, help="per-run timeout T, both engines (default 60)")
    ap.add_argument("--probe-timeout", type=float, default=None, help="probe timeout P after a cut-off (default 5)")
    ap.add_argument("--ablation-timeout", type=float, default=None, help="ablation timeout A (default 20)")
    ap.add_argument("--families", default="", help="comma-separated subset of families")
    ap.add_argument("--no-ablation", action="store_true", help="main comparison only")
    ap.add_argument("--no-cutoff", action="store_true", help="run every instance with the full timeout (slow)")
    ap.add_argument("--report-only", action="store_true", help="rebuild summary.md and the SVG from results/runs.csv")
    ap.add_argument("--results", default=None,
                    help="output folder (default benchmarks/results, or benchmarks/results-quick with --quick)")
    a = ap.parse_args()
    global RESULTS
    RESULTS = os.path.abspath(a.results or (RESULTS + "-quick" if a.quick else RESULTS))
    a.timeout = a.timeout or (10.0 if a.quick else 60.0)
    a.probe_timeout = a.probe_timeout or (3.0 if a.quick else 5.0)
    a.ablation_timeout = a.ablation_timeout or (5.0 if a.quick else 20.0)
    nninv = os.path.abspath(a.nninv)
    if not os.access(nninv, os.X_OK):
        sys.exit(f"no nninv binary at {nninv}; build it first (see benchmarks/README.md)")
    os.makedirs(RESULTS, exist_ok=True)
    runs_csv = os.path.join(RESULTS, "runs.csv")
    meta_json = os.path.join(RESULTS, "meta.json")

    if a.report_only:
        runs = load_runs(runs_csv)
        with open(meta_json) as f:
            meta = json.load(f)
        a.timeout, a.probe_timeout, a.ablation_timeout = meta["T"], meta["P"], meta["A"]
        report(a, runs, meta)
        print(f"wrote {RESULTS}/summary.md")
        return

    t0 = time.monotonic()
    git_at_start = git_state()
    logf = open(os.path.join(RESULTS, "run.log"), "w")

    def log(msg):
        print(msg, flush=True)
        logf.write(msg + "\n")
        logf.flush()

    rows, real_note = generate.generate(a.quick, nninv)
    if a.families:
        keep = set(a.families.split(","))
        rows = [r for r in rows if r["family"] in keep]
    for r in rows:
        r["id"] = str(r["id"])
    log(f"{len(rows)} instances; T={a.timeout:g}s P={a.probe_timeout:g}s A={a.ablation_timeout:g}s; real: {real_note}")
    main_r = main_runs(a, rows, nninv, log)
    abl_r = [] if a.no_ablation else ablation_runs(a, rows, main_r, nninv, log)
    runs = main_r + abl_r
    with open(runs_csv, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=RUN_FIELDS, extrasaction="ignore")
        w.writeheader()
        w.writerows(runs)
    elapsed = time.monotonic() - t0
    meta = metadata(a, nninv, real_note, elapsed, git_at_start)
    with open(meta_json, "w") as f:
        json.dump(meta, f, indent=1)
    runs = load_runs(runs_csv)
    report(a, runs, meta)
    log(f"done in {elapsed / 60:.1f} min; wrote {RESULTS}/summary.md")


if __name__ == "__main__":
    main()
