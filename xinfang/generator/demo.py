"""Demo cases: a realistic queue for every demo login, with a fixed seed.

The first 100 go through the real services (full notice texts, real 查询码); the other 200 take the
bulk path, which writes the same rows from the same table without the per-step cost, so `xinfang demo`
stays quick (about 4 s instead of 10 s for 300 through the services).
"""

from __future__ import annotations

from xinfang.cases.models import Case
from xinfang.generator.generate import Result, generate_bulk, generate_services

DEMO_SERVICES = 100
DEMO_BULK = 200
DEMO_SEED = 2026


def demo_cases_load() -> str:
    """About 300 cases at every stage, most registered at 东城区信访局 and sent to its agencies
    (东城区住房和城乡建设局 …), the rest over the other counties. Runs once: skips if cases exist."""
    if Case.objects.exists():
        return "演示事项已存在，未重复生成。"
    try:
        import time_machine  # noqa: F401 — the services path needs it; without it all cases take the bulk path
    except ImportError:
        first = Result()
        rest: Result = generate_bulk(cases=DEMO_SERVICES + DEMO_BULK, seed=DEMO_SEED + 1)
    else:
        first = generate_services(cases=DEMO_SERVICES, seed=DEMO_SEED)
        rest = generate_bulk(cases=DEMO_BULK, seed=DEMO_SEED + 1)
    return (
        f"演示事项：{first.cases + rest.cases}件（{first.cases}件经业务服务办理，{rest.cases}件批量生成，"
        f"批量事项共用查询码{rest.query_code}）"
    )
