#!/usr/bin/env python3
"""Prints the table of benches/RESULTS.md from criterion's last run (target/criterion).

Medians (criterion's `median` point estimate) per workload and variant, and the ratios the
targets are stated in: tygrad replay, fused and rebuild over hand, and tygrad replay and
fused over primal.
"""
import json
import os
import sys

ROOT = os.path.join(os.path.dirname(__file__), "..", "target", "criterion")
WORKLOADS = ["W1", "W2-16", "W2-4096", "W3-2", "W3-1024", "W4", "W5"]
VARIANTS = ["hand", "primal", "tygrad_replay", "tygrad_fused", "tygrad_rebuild", "num_dual",
            "num_dual_separable"]


def median(workload, variant):
    path = os.path.join(ROOT, workload, variant, "new", "estimates.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"]  # nanoseconds


def fmt(ns):
    if ns is None:
        return "-"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def ratio(a, b):
    return "-" if a is None or b is None else f"{a / b:.2f}"


print("| workload | hand | primal | tygrad replay | tygrad fused | tygrad rebuild | num-dual"
      " | replay/hand | fused/hand | rebuild/hand | replay/primal | fused/primal |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for w in WORKLOADS:
    t = {v: median(w, v) for v in VARIANTS}
    if all(x is None for x in t.values()):
        continue
    nd = fmt(t["num_dual"])
    if t["num_dual_separable"] is not None:
        nd += f" ({fmt(t['num_dual_separable'])} per elem)"
    print(f"| {w} | {fmt(t['hand'])} | {fmt(t['primal'])} | {fmt(t['tygrad_replay'])}"
          f" | {fmt(t['tygrad_fused'])} | {fmt(t['tygrad_rebuild'])} | {nd}"
          f" | {ratio(t['tygrad_replay'], t['hand'])} | {ratio(t['tygrad_fused'], t['hand'])}"
          f" | {ratio(t['tygrad_rebuild'], t['hand'])} | {ratio(t['tygrad_replay'], t['primal'])}"
          f" | {ratio(t['tygrad_fused'], t['primal'])} |")

# W6 (a 3x7 Jacobian) and W7 (a 16x16 Hessian): every way tygrad computes them.
SMALL = {
    "W6": ["tygrad_jacobian_rev", "tygrad_jacobian_fwd", "tygrad_lifted_jacobian_rev",
           "tygrad_lifted_jacobian_fwd"],
    "W7": ["tygrad_hessian", "tygrad_hvp", "tygrad_fused_hvp", "tygrad_fused_hessian"],
}
rows = []
for w, ways in SMALL.items():
    hand, primal, nd = median(w, "hand"), median(w, "primal"), median(w, "num_dual")
    if hand is None:
        continue
    for way in ways:
        t = median(w, way)
        rows.append(f"| {w} | {way} | {fmt(hand)} | {fmt(primal)} | {fmt(t)} | {ratio(t, hand)}"
                    f" | {fmt(nd)} | {ratio(nd, hand)} |")
if rows:
    print()
    print("| workload | tygrad way | hand | primal | tygrad | tygrad/hand | num-dual | num-dual/hand |")
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
sys.exit(0)
