"""The search page's selector at scale: `python bench/search.py [CASES]` (default 20,000).

Generates CASES demo cases (the bulk path) into a temporary SQLite file (or DATABASE_URL when set), builds the
search index, then times `case_search` for the city 信访局 (which sees everything) on a few queries: a word
of the request, two words, a name, a phone, a filter without words. Prints p50/p95 over 20 runs each and the
number of rows found.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import django_setup, percentile


def main() -> None:
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    path = None if os.environ.get("DATABASE_URL") else os.path.join(tempfile.mkdtemp(), "bench.sqlite3")
    django_setup(path)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from xinfang.generator.generate import generate_bulk
    from xinfang.orgs.acting import actor_for
    from xinfang.orgs.demo import demo_city_load
    from xinfang.orgs.models import Body, User
    from xinfang.search.index import search_reindex
    from xinfang.search.selectors import SearchFilters, case_search

    demo_city_load()
    t0 = time.perf_counter()
    generate_bulk(cases=cases, seed=7)
    t1 = time.perf_counter()
    indexed = search_reindex()
    t2 = time.perf_counter()
    print(
        f"{connection.vendor}: {cases} cases generated in {t1 - t0:.1f} s, {indexed} indexed in {t2 - t1:.1f} s"
    )
    actor = actor_for(User.objects.get(username="dengji"), Body.objects.get(code="990100-xinfang"))
    person = actor  # any petitioner's name and phone from the data
    from xinfang.people.models import Person

    someone = Person.objects.order_by("pk").first()
    queries = {
        "one word (漏水)": SearchFilters(q="漏水"),
        "two words (小区 物业)": SearchFilters(q="小区 物业"),
        "a name": SearchFilters(q=someone.name),
        "a phone": SearchFilters(q=someone.phone),
        "red, no words": SearchFilters(light="red"),
    }
    for label, filters in queries.items():
        times = []
        for _ in range(20):
            start = time.perf_counter()
            qs = case_search(actor=person, filters=filters)
            page = list(qs[:50])
            times.append((time.perf_counter() - start) * 1000)
        found = case_search(actor=actor, filters=filters).count()
        print(
            f"  {label:<22} first page of 50: p50 {percentile(times, 50):6.1f} ms, p95 {percentile(times, 95):6.1f} ms"
            f"  ({found} found, {len(page)} shown)"
        )


if __name__ == "__main__":
    main()
