"""One data size, one database: generate N cases with `xinfang generate` (the bulk path, as a province would
load them), then time the page set a user meets every day and print one JSON object.

    python bench/pages.py --cases 100000 --db sqlite [--runs 30]
    python bench/pages.py --cases 100000 --db postgres

`xinfang bench --cases 10000,100000 --db sqlite` runs this once per size in a fresh process and database,
prints p50/p95/queries per page and the growth ratio between sizes, and writes docs/performance.md.

Pages (server time through Django's test Client, logged in as the demo city's 东城区 registrar, who sees the
most): the queue (plain, a search word, the red-light filter), a case page, a person's file, the daily
ledger, the API case list, and the city dashboard for the year (as the city 信访局's leader); the quality review's
sample list (the city committee's 评价委员) and a body's 整改 list; the city 督查's 督办, 包案 and campaign-item
lists (rows written in bulk in proportion to the cases).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.benchlib import percentile  # noqa: E402


def _database(kind: str, cases: int, keep: Path | None) -> tuple[str, dict | None]:
    """The database URL, and what the kept load of this size recorded (None: generate now).

    With `keep` (a folder), the generated database stays after the run — SQLite as keep/sqlite-N.sqlite3,
    PostgreSQL as the database xinfang_bench_N — beside keep/<db>-N.generated.json, written when the load ended;
    a later run with the same folder times the pages of the newest code on it (after `migrate`) instead of
    generating a million cases again."""
    marker = keep / f"{kind}-{cases}.generated.json" if keep is not None else None
    loaded = (
        json.loads(marker.read_text(encoding="utf-8")) if marker is not None and marker.exists() else None
    )
    if kind == "sqlite":
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            path = keep / f"sqlite-{cases}.sqlite3"
            if loaded is None:
                for stale in keep.glob(f"sqlite-{cases}.sqlite3*"):
                    stale.unlink()
            return f"sqlite:///{path}", loaded
        folder = tempfile.mkdtemp(prefix=f"xinfang-bench-{cases}-")
        return f"sqlite:///{folder}/bench.sqlite3", None
    import psycopg

    name = f"xinfang_bench_{cases}"
    if loaded is None:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as con:
            con.execute(f"DROP DATABASE IF EXISTS {name}")
            con.execute(f"CREATE DATABASE {name}")
    return f"postgres://postgres@127.0.0.1:5432/{name}", loaded


def _time(client, url: str, runs: int, **extra) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url, **extra)  # warm: templates compiled, caches filled
    status = response.status_code
    times = []
    with CaptureQueriesContext(connection) as ctx:
        client.get(url, **extra)
    queries = len(ctx.captured_queries)
    cpu = []  # process CPU time: on SQLite the database's work too, and less moved by a busy machine
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        client.get(url, **extra)
        times.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    return {
        "url": url,
        "status": status,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "cpu_p50_ms": round(statistics.median(cpu), 1),
        "queries": queries,
    }


def _quality_pages() -> dict:
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone

    from xinfang.evaluation.models import ReviewResult, ScoreLevel
    from xinfang.evaluation.quality_services import review_plan_create, review_plan_draw, review_submit
    from xinfang.orgs.acting import actor_for
    from xinfang.orgs.models import Body, User

    def client_for(a):
        c = Client()
        c.force_login(a.user)
        s = c.session
        s["acting_body_id"] = a.body.pk
        s.save()
        return c

    evaluator = User.objects.filter(username="pingjia").first()
    if evaluator is None:
        return {}
    committee = actor_for(evaluator, Body.objects.get(code="990100-xinfang"))
    today = timezone.localdate()
    from xinfang.evaluation.models import ReviewPlan

    kept = ReviewPlan.objects.filter(name="bench", body=committee.body).order_by("-pk").first()
    if kept is not None:  # a kept database (--keep): the plan drawn by an earlier run
        pages = {"quality_sample": (client_for(committee), f"/quality/plans/{kept.pk}/")}
        failed = kept.items.exclude(body=committee.body).filter(review__result=ReviewResult.FAIL).first()
        member = failed and User.objects.filter(memberships__body=failed.body).first()
        if member is not None:
            pages["quality_rectifications"] = (
                client_for(actor_for(member, failed.body)),
                "/quality/rectifications/",
            )
        return pages
    plan = review_plan_create(
        actor=committee,
        name="bench",
        body=committee.body,
        period_start=today - timedelta(days=90),
        period_end=today,
        sample_percent=5,
        seed=7,
    )
    plan = review_plan_draw(actor=committee, plan=plan)
    criteria = list(plan.criteria_set.criteria.all())
    failed_body = None
    for item in plan.items.exclude(body=committee.body)[:5]:
        scores = {c.pk: {"level": ScoreLevel.MET} for c in criteria}
        scores[criteria[0].pk] = {"level": ScoreLevel.NOT_MET, "note": "bench"}
        review_submit(actor=committee, item=item, result=ReviewResult.FAIL, summary="bench", scores=scores)
        failed_body = failed_body or item.body
    pages = {"quality_sample": (client_for(committee), f"/quality/plans/{plan.pk}/")}
    member = failed_body and User.objects.filter(memberships__body=failed_body).first()
    if member is not None:
        pages["quality_rectifications"] = (
            client_for(actor_for(member, failed_body)),
            "/quality/rectifications/",
        )
    return pages


def _supervision_pages() -> dict:
    """督办, 包案 and a 专项行动's items at the scale of the data: one 督办 per 20 cases (to the case's holding
    body), one 包案 per 50 (the city leader), one campaign item per 10 — written in bulk, as an import would —
    and the city 督查's three lists of them."""
    from datetime import timedelta

    from django.utils import timezone

    from xinfang.cases.models import Case
    from xinfang.orgs.acting import actor_for
    from xinfang.orgs.models import Body, User
    from xinfang.supervision.models import (
        Batch,
        Campaign,
        CampaignCase,
        LeaderCase,
        Supervision,
        SupervisionKind,
    )

    supervisor = User.objects.filter(username="ducha").first()
    leader = User.objects.filter(username="lingdao").first()
    if supervisor is None or leader is None:
        return {}
    city = Body.objects.get(code="990100-xinfang")
    leader_body = leader.memberships.first().body
    today = timezone.localdate()
    kind = SupervisionKind.objects.order_by("rung").first()
    kept = Campaign.objects.filter(name="基准专项行动").order_by("-pk").first()
    if kept is not None:  # a kept database (--keep): the rows an earlier run wrote
        return _supervisor_lists(actor_for(supervisor, city), kept)
    rows = list(Case.objects.order_by("pk").values_list("pk", "current_body_id", "registered_at"))
    sups = [
        Supervision(
            number=f"BENCH-{pk}",
            kind=kind,
            issuing_body=city,
            body_id=holder,
            reason="delay",
            requirement="请加快办理",
            issued_by=supervisor,
            issued_at=at,
            issued_on=at.date(),
            reply_due=at.date() + timedelta(days=15),
        )
        for pk, holder, at in rows[::20]
    ]
    Supervision.objects.bulk_create(sups, batch_size=2000)
    link = Supervision.cases.through
    link.objects.bulk_create(
        [link(supervision_id=s.pk, case_id=int(s.number[6:])) for s in sups], batch_size=5000
    )
    LeaderCase.objects.bulk_create(
        [
            LeaderCase(case_id=pk, leader=leader, leader_body=leader_body, plan="一案一策", opened_at=at)
            for pk, _holder, at in rows[::50]
        ],
        batch_size=2000,
    )
    campaign = Campaign.objects.create(
        name="基准专项行动", issuing_body=city, started_on=today, ends_on=today + timedelta(days=90)
    )
    batch = Batch.objects.create(campaign=campaign, number=1, handed_down_on=today, source="excel")
    CampaignCase.objects.bulk_create(
        [
            CampaignCase(
                campaign=campaign,
                batch=batch,
                case_id=pk,
                responsible_body_id=holder,
                due_on=today + timedelta(days=60),
            )
            for pk, holder, _at in rows[::10]
        ],
        batch_size=2000,
    )
    # the night after such writes gives SQLite's planner their statistics (core.maintenance.statistics_daily);
    # without them it read the 20,000 包案 through the wrong index and sorted them (211 ms at 1M, 2 ms with)
    from xinfang.core.maintenance import statistics_daily

    statistics_daily(day=today)
    return _supervisor_lists(actor_for(supervisor, city), campaign)


def _supervisor_lists(who, campaign) -> dict:
    """The city 督查's three lists: 督办, 包案 and the campaign's items."""
    from django.test import Client

    c = Client()
    c.force_login(who.user)
    s = c.session
    s["acting_body_id"] = who.body.pk
    s.save()
    return {
        "supervision_index": (c, "/supervision/"),
        "leader_cases": (c, "/supervision/leader-cases/"),
        "campaign_items": (c, f"/supervision/campaigns/{campaign.pk}/"),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, required=True)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="a folder: keep the generated database there (PostgreSQL: xinfang_bench_N) and reuse it next time",
    )
    args = parser.parse_args()

    os.environ["DATABASE_URL"], loaded = _database(args.db, args.cases, args.keep)
    os.environ.setdefault("XINFANG_DATA_DIR", tempfile.mkdtemp(prefix="xinfang-bench-data-"))
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from xinfang.cases.models import Case, CasePetitioner
    from xinfang.cases.selectors import case_list_visible
    from xinfang.generator.generate import generate
    from xinfang.orgs.acting import actor_for
    from xinfang.orgs.models import Body, User

    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    if loaded is None:
        generated = generate(cases=args.cases, seed=7, bulk=True).cases
        generate_s = time.perf_counter() - began
        if args.keep is not None:
            marker = args.keep / f"{args.db}-{args.cases}.generated.json"
            marker.write_text(json.dumps({"generated": generated, "generate_s": round(generate_s, 1)}))
    else:
        generated, generate_s = loaded["generated"], loaded["generate_s"]
    # 回访: the bulk load writes the visits the answer notice's hook plans; the nightly job runs as every night
    # (on a database generated before it did, it plans the missing ones through the service, one by one).
    from xinfang.evaluation.jobs import evaluation_daily

    evaluation_daily(day=timezone.localdate())

    registrar = User.objects.get(username="dengji_dc")
    body = registrar.memberships.first().body
    actor = actor_for(registrar, body)
    case = case_list_visible(actor=actor).order_by("-pk").first()
    person_id = CasePetitioner.objects.filter(case=case).values_list("person_id", flat=True).first()
    chinese = re.findall(r"[\u4e00-\u9fff]{2}", case.request or "") if case else []
    word = chinese[0] if chinese else "物业"

    client = Client()
    client.force_login(registrar)
    session = client.session
    session["acting_body_id"] = body.pk
    session.save()

    pages = {
        "queue": "/cases/",
        "queue_search": f"/cases/?q={word}",
        "queue_red": "/cases/?light=red",
        "search": f"/search/?q={word}",  # 全文检索 over every visible case (docs/search.md)
        "case_page": f"/cases/{case.pk}/" if case else None,
        "person_file": f"/people/{person_id}/" if person_id else None,
        "ledger": "/ledger/",
        "api_list": "/api/v1/cases/",
        "return_visits": "/quality/return-visits/",
        "my_exports": "/jobs/",  # 我的导出 (docs/jobs.md): the user's own jobs, newest 50
    }
    # Ten pages deep through the keyset links (下一页 / `next`): a deep page must cost what page 1 costs.
    deep_queue = "/cases/"
    for _ in range(10):
        found = re.search(r'href="\?([^"]*after=[^"]+)" rel="next"', client.get(deep_queue).content.decode())
        if not found:
            break
        deep_queue = "/cases/?" + found.group(1).replace("&amp;", "&")
    deep_api = "/api/v1/cases/"
    for _ in range(10):
        following = client.get(deep_api).json().get("next")
        if not following:
            break
        deep_api = following.split("testserver", 1)[-1]
    pages["queue_page11"] = deep_queue if deep_queue != "/cases/" else None
    pages["api_page11"] = deep_api if deep_api != "/api/v1/cases/" else None
    out = {
        "db": args.db,
        "cases": Case.objects.count(),
        "generated": generated,
        "generate_s": round(generate_s, 1),
        "pages": {},
    }
    for name, url in pages.items():
        if url:
            out["pages"][name] = _time(client, url, args.runs)

    # 质效评价 (docs/quality.md): the city committee draws 5 % of the last 90 days' answered cases and fails a few;
    # its sample list and the handling body's 整改 list.
    for name, (who, url) in _quality_pages().items():
        out["pages"][name] = _time(who, url, args.runs)
    for name, (who, url) in _supervision_pages().items():
        out["pages"][name] = _time(who, url, args.runs)

    leader = User.objects.filter(memberships__role="leader").first()
    if leader is not None:
        lead_client = Client()
        lead_client.force_login(leader)
        s = lead_client.session
        s["acting_body_id"] = Body.objects.filter(memberships__user=leader).first().pk
        s.save()
        year = timezone.localdate().year
        out["pages"]["dashboard_year"] = _time(lead_client, f"/figures/?year={year}", max(3, args.runs // 10))
        out["pages"]["oversight"] = _time(
            lead_client, "/ledger/oversight/", args.runs
        )  # 督查台账 of the bodies below
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
