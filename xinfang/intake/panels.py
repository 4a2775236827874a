"""The home page's to-dos (settings.XINFANG_HOME_PANELS): 协办 tasks this body has to report on, and the
受理争议 (Art. 24) that wait for this body, as the common superior, to decide."""

from __future__ import annotations

from xinfang.cases.selectors import case_list_visible
from xinfang.intake.responsibility import assist_tasks_for


def panel(actor) -> dict | None:
    if actor is None or actor.body is None:
        return None

    tasks = list(assist_tasks_for(actor=actor)[:20])
    disputes = list(
        case_list_visible(actor=actor)
        .filter(dispute_body=actor.body)
        .only("pk", "number", "title", "request")[:20]
    )
    if not tasks and not disputes:
        return None
    return {"template": "intake/_home_panel.html", "tasks": tasks, "disputes": disputes}
