"""Batch classification rate in messages per CPU-second: title + body, the way `xinfang intake classify`
does it (``CategoryClassifier.predict(titles, bodies)`` on the cells as read), on the real messages held
out by the seed-42 validation split (its 367 ground-truth title + body pairs, repeated to N), timed in CPU
seconds of this process (``resource.getrusage``: user + system), not wall time, so the figure holds on
the shared 2-core machine. Also: one message through ``predict_ranked`` (the registration form), CPU ms.

Usage: .venv/bin/python bench/intake/classify_rate.py [N] [--runs 3] [--profile]
(N messages per run, default 20,000; --profile prints cProfile's top functions of one run instead)
"""

import os
import resource
import statistics
import sys

from common import ROOT  # noqa: F401  (puts the repo on sys.path)

from xinfang.intake.classifier import load_default
from xinfang.intake.training import examples_for, load_corpus, split_groups


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 3
args = [a for i, a in enumerate(sys.argv[1:], 1) if not a.startswith("--") and sys.argv[i - 1] != "--runs"]
n = int(args[0]) if args else 20_000

corpus = load_corpus()
_, val = split_groups(corpus.groups, seed=42)
pairs = [(e.title, e.body) for e in examples_for(val, ["both"], linked=False)]
distinct = len(pairs)
pairs = (pairs * (n // len(pairs) + 1))[:n]
titles, bodies = [t for t, _ in pairs], [b for _, b in pairs]
avg = statistics.mean(len(t) + len(b) for t, b in pairs)

model = load_default()
model.predict(titles[:500], bodies[:500])  # warm: caches, first-call allocations

if "--profile" in sys.argv:
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    model.predict(titles, bodies)
    prof.disable()
    pstats.Stats(prof).sort_stats("tottime").print_stats(18)
    sys.exit(0)

print(
    f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs; "
    f"{n:,} title + body messages per run ({distinct} distinct held-out messages, avg {avg:.0f} chars)"
)
rates = []
for i in range(runs):
    c = cpu()
    model.predict(titles, bodies)
    used = cpu() - c
    rates.append(n / used)
    print(f"run {i + 1}: {used:.3f} CPU s, {n / used:,.0f} messages per CPU-second", flush=True)

print(
    f"messages per CPU-second: best {max(rates):,.0f}, median {statistics.median(rates):,.0f} of {runs} runs"
)

# one message at a time through predict_ranked (the registration form): CPU time per call
per = []
for _ in range(3):
    c = cpu()
    for t, b in pairs[:distinct]:
        model.predict_ranked(title=t, body=b)
    per.append((cpu() - c) / distinct * 1000)
print(f"predict_ranked, one message: {min(per):.3f} CPU ms (best of 3 passes over {distinct} messages)")
print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
