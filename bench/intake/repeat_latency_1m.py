"""Repeat-candidate latency with N stored texts (default 1,000,000), synthesised by recombining real
message sentences. Prints build time, memory and query latency p50/p95/p99.

Usage: .venv/bin/python bench/intake/repeat_latency_1m.py [N]
"""

import random
import re
import resource
import sys
import time

import numpy as np
from common import SHARED, read_csv

from xinfang.intake.similarity import RepeatIndex
from xinfang.intake.textprep import clean_text

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
sents = []
for r in read_csv(SHARED / "intake" / "messages_details.csv"):
    sents += [s for s in re.split(r"(?<=[。！？；])", clean_text(r["留言详情_clean"])) if len(s) >= 8]
print(f"sentence pool: {len(sents)}")
rng = random.Random(0)


def synth():
    return "".join(rng.choice(sents) for _ in range(rng.randint(2, 6)))


t = time.perf_counter()
ix = RepeatIndex(threshold=0.5, num_perm=64)
ix.add_many(((i, synth()) for i in range(N)), batch=20_000)
print(
    f"built index of {len(ix):,} texts in {time.perf_counter() - t:.0f}s, "
    f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6:.1f} GB"
)
queries = [synth() for _ in range(500)]
lat = []
for q in queries:
    t = time.perf_counter()
    ix.query(q)
    lat.append((time.perf_counter() - t) * 1000)
lat = np.array(lat)
print(
    f"query latency over {len(ix):,}: p50 {np.percentile(lat, 50):.2f} ms, p95 {np.percentile(lat, 95):.2f} ms, "
    f"p99 {np.percentile(lat, 99):.2f} ms"
)
