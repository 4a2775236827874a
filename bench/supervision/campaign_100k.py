"""A backlog campaign at scale: N cases (default 100,000) handed down in one Excel batch, then the campaign
ledger (Excel) and the 清零 dashboard (progress per batch and body, the campaign page through Django's test
Client). The cases come from the bulk generator; the workbook is built first and not timed.

    python bench/supervision/campaign_100k.py [N]             # a temp SQLite file
    DATABASE_URL=postgres://…/xf_sup_bench python bench/supervision/campaign_100k.py [N]

Prints the time of each step and the dashboard page's query count (docs/performance.md).
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.benchlib import django_setup  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000


def timed(label: str, fn):
    t = time.perf_counter()
    out = fn()
    print(f"{label}: {time.perf_counter() - t:.2f} s", flush=True)
    return out


def main() -> None:
    if not os.environ.get("DATABASE_URL"):
        django_setup(tempfile.mkstemp(suffix=".sqlite3")[1])
    else:
        django_setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from openpyxl import Workbook

    from xinfang.cases.selectors import cases_visible_to
    from xinfang.generator.generate import generate_bulk
    from xinfang.orgs.acting import actor_for
    from xinfang.orgs.demo import demo_city_load
    from xinfang.orgs.models import Body, Membership, Role, User
    from xinfang.supervision import selectors, services
    from xinfang.supervision.exports import campaign_ledger_xlsx
    from xinfang.supervision.models import CampaignCase

    call_command("migrate", verbosity=0)
    demo_city_load()
    timed(f"generate {N:,} cases (setup)", lambda: generate_bulk(cases=N, seed=12))
    body = Body.objects.get(code="990100-xinfang")
    user = User.objects.create(username="bench-sup", display_name="基准督查员")
    Membership.objects.create(user=user, body=body, role=Role.SUPERVISOR)
    actor = actor_for(user, body)
    today = timezone.localdate()
    campaign = services.campaign_create(actor=actor, name="基准专项行动", ends_on=today + timedelta(days=90))
    due = (today + timedelta(days=60)).isoformat()

    def workbook() -> io.BytesIO:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet()
        ws.append(list(services.IMPORT_HEADERS))
        rows = cases_visible_to(actor).values_list("number", "current_body__code").order_by("pk")
        for number, code in rows.iterator(chunk_size=5000):
            ws.append([number, code, "基准领导", due])
        out = io.BytesIO()
        wb.save(out)
        out.seek(0)
        return out

    data = timed("build the workbook (setup)", workbook)
    batch = timed(
        "import the batch (validate every row, then one transaction)",
        lambda: services.campaign_import_excel(actor=actor, campaign=campaign, file=data),
    )
    print(f"  cases in the batch: {batch.items.count():,}")
    # half of them reported and signed off, in bulk (the services are per case; this is the state, not a step)
    ids = list(CampaignCase.objects.filter(campaign=campaign).values_list("pk", flat=True)[: N // 2])
    for i in range(0, len(ids), 5000):
        CampaignCase.objects.filter(pk__in=ids[i : i + 5000]).update(
            result="resolved", result_at=timezone.now(), signed_off_at=timezone.now()
        )
    items = selectors.campaign_items(actor=actor, campaign=campaign)
    xlsx = timed(
        "campaign ledger (Excel, every case)", lambda: campaign_ledger_xlsx(campaign=campaign, items=items)
    )
    print(f"  ledger size: {len(xlsx) / 1e6:.1f} MB")
    p = timed("清零 progress (per batch and body)", lambda: selectors.campaign_progress(campaign=campaign))
    print(f"  清零率 {p['rate']}% ({p['signed']:,}/{p['total']:,}), {len(p['bodies'])} bodies")
    client = Client()
    client.force_login(user)
    session = client.session
    session["acting_body_id"] = body.pk
    session.save()
    url = f"/supervision/campaigns/{campaign.pk}/"
    client.get(url)  # warm
    with CaptureQueriesContext(connection) as q:
        t = time.perf_counter()
        r = client.get(url)
        took = time.perf_counter() - t
    assert r.status_code == 200
    print(f"dashboard page: {took:.2f} s, {len(q)} queries")
    t = time.perf_counter()
    r = client.get(url + "?page=50&state=open")
    print(f"dashboard page 50, open items: {time.perf_counter() - t:.2f} s")
    print(f"database: {connection.vendor}")


if __name__ == "__main__":
    main()
