"""Demo data for the quality review (docs/quality.md): the city committee (吴评价, 示例市信访局) reviews a quarter of
the city's answered cases — a seeded 20 % sample plus every 不满意 and every case that came back — mostly 合格,
a few 基本合格 and three 不合格 under 整改 at 东城区住房和城乡建设局 where possible (赵承办 sees them on the home page):
one waiting for its report, one reported and waiting for acceptance, one accepted. Everything goes through the
services; run by `xinfang demo` (settings.XINFANG_DEMO_LOADERS)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from xinfang.cases.selectors import cases_visible_to
from xinfang.core.models import Event
from xinfang.evaluation import quality_services as q
from xinfang.evaluation.models import ReviewPlan, ReviewResult, ScoreLevel
from xinfang.orgs.acting import actor_for
from xinfang.orgs.models import Body, User

REVIEWS = 12
FAILS = 3
SEED = 20260101


def _actor(username: str, body_code: str):
    return actor_for(User.objects.get(username=username), Body.objects.get(code=body_code))


def _quarter_of(d: date) -> tuple[date, date]:
    first_month = 3 * ((d.month - 1) // 3) + 1
    start = date(d.year, first_month, 1)
    nxt = date(d.year + (first_month + 3 > 12), (first_month + 3 - 1) % 12 + 1, 1)
    return start, nxt - timedelta(days=1)


def demo_load() -> str:
    with transaction.atomic():
        return _demo_load()


def _demo_load() -> str:
    if ReviewPlan.objects.exists():
        return "质效评价演示数据已存在，未重复生成。"
    if not User.objects.filter(username="pingjia").exists():
        return "质效评价演示数据：缺少评价委员演示账号，未生成。"
    committee = _actor("pingjia", "990100-xinfang")
    city = Body.objects.select_related("region").get(code="990100-xinfang")
    today = timezone.localdate()
    # the quarter (of the last four) with the most answered cases
    best, best_n = _quarter_of(today), -1
    for back in range(4):
        start, end = _quarter_of(today - timedelta(days=92 * back))
        n = (
            cases_visible_to(committee)
            .filter(answered_at__date__gte=start, answered_at__date__lte=end)
            .count()
        )
        if n > best_n:
            best, best_n = (start, end), n
    start, end = best
    quarter = (start.month - 1) // 3 + 1
    plan = q.review_plan_create(
        actor=committee,
        name=f"{start.year}年第{quarter}季度质效评价",
        body=city,
        period_start=start,
        period_end=end,
        sample_percent=20,
        seed=SEED,
    )
    plan = q.review_plan_draw(actor=committee, plan=plan)
    criteria = list(plan.criteria_set.criteria.all())
    items = [i for i in plan.items.select_related("body").order_by("pk") if i.body_id != city.pk]
    # fails preferably at 东城区住建局, whose demo users then see the 整改
    housing = [i for i in items if i.body.code == "990101-housing"]
    fail_items = (housing + [i for i in items if i not in housing])[:FAILS]
    done = 0
    rects = []
    for n, item in enumerate(fail_items + [i for i in items if i not in fail_items][: REVIEWS - FAILS]):
        failed = item in fail_items
        answer_event = (
            Event.objects.filter(object_type="cases.case", object_id=str(item.case_id), action="answer")
            .values_list("pk", flat=True)
            .first()
        )
        scores = {}
        for c in criteria:
            level = ScoreLevel.MET if c.group in ("solve", "educate") else ScoreLevel.NOT_APPLICABLE
            note = ""
            evidence: list[str] = []
            if failed and c.code == "solve-1":
                level, note = ScoreLevel.NOT_MET, "意见书称问题已解决，回访核实未落实。"
                evidence = [f"event:{answer_event}"] if answer_event else []
            elif failed and c.code == "educate-2":
                level, note = ScoreLevel.PARTLY, "释法说理简单，未说明政策依据。"
            elif not failed and n % 4 == 3 and c.code == "educate-5":
                level, note = ScoreLevel.PARTLY, "未见回访记录。"
            scores[c.pk] = {"level": level, "note": note, "evidence": evidence}
        result = ReviewResult.FAIL if failed else (ReviewResult.BASIC if n % 4 == 3 else ReviewResult.PASS)
        review = q.review_submit(
            actor=committee,
            item=item,
            result=result,
            summary="诉求合理但问题未实际解决，处理意见未兑现。"
            if failed
            else "办理规范，三到位一处理落实。",
            scores=scores,
            requirement="请于期限内落实处理意见，实地解决问题，并报送整改情况及佐证材料。" if failed else "",
        )
        done += 1
        if failed:
            rects.append(review.rectification)
    # one reported and waiting, one reported and accepted; the first stays open
    for i, rect in enumerate(rects[1:], start=1):
        body_user = "chengban_dc" if rect.body.code == "990101-housing" else None
        if body_user is None:
            continue
        body_actor = _actor(body_user, rect.body.code)
        rect = q.rectification_submit(
            actor=body_actor, rectification=rect, report="已组织现场核查并督促责任单位落实，附整改前后照片。"
        )
        if i == 2:
            q.rectification_accept(actor=committee, rectification=rect, note="整改到位。")
    return (
        f"质效评价：{plan.name}，抽取 {plan.items.count()} 件（应评 {plan.population} 件），"
        f"已评价 {done} 件，其中不合格 {len(rects)} 件交办整改（评价委员 pingjia）"
    )
