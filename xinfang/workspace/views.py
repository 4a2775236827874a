"""The staff workspace: intake, my queue, the case page, the person's file. Views stay thin: they shape
input into forms, call services and selectors, and show `ApplicationError.message` next to the field."""

from __future__ import annotations

import importlib.util

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.module_loading import import_string
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from xinfang.cases.attachments import attachment_content_type
from xinfang.cases.models import Case, PetitionType, State
from xinfang.cases.selectors import (
    allowed_actions,
    attachment_get_for_actor,
    case_get_for_actor,
    case_history_for,
    case_list_visible,
    case_queue_page,
    case_repeat_of_visible,
    case_repeats_visible,
    person_cases_visible,
    person_get_for_actor,
    person_lookup_for_intake,
    registration_earlier_for,
)
from xinfang.cases.services import PetitionerInput, case_act, case_register
from xinfang.cases.services.register import repeat_candidates
from xinfang.cases.workflow import BY_ACTION, CLOCK_LABELS, REGISTRATION_CHOICES
from xinfang.core.errors import ApplicationError, Conflict, NotFound
from xinfang.core.keyset import BadCursor
from xinfang.deadlines.calendar import local_date
from xinfang.deadlines.lights import days_left_text, light_for
from xinfang.deadlines.selectors import LAPSING_WINDOWS
from xinfang.documents.services import notice_documents_complete
from xinfang.documents.views import EVENT_LABELS as DOCUMENT_EVENT_LABELS
from xinfang.documents.views import drafted_message, receipt_offer
from xinfang.evaluation.return_visit_views import EVENT_LABELS as RETURN_VISIT_EVENT_LABELS
from xinfang.evaluation.services import evaluation_record
from xinfang.intake.suggest import intake_suggest
from xinfang.orgs.decorators import actor_required
from xinfang.orgs.models import Body, Region, Role
from xinfang.people.selectors import persons_by_identity, phone_is_shared
from xinfang.reception.selectors import person_visits
from xinfang.workspace import page_cache
from xinfang.workspace.forms import (
    FLAG_FIELDS,
    ActionForm,
    EvaluationForm,
    IntakeForm,
    PetitionerForm,
    PetitionerFormSet,
    QueueFilterForm,
)
from xinfang.workspace.services import REVEAL_ROLES, personal_data_reveal

PETITIONER_PREFIX = "p"
EVALUABLE_STATES = {State.ANSWERED, State.REVIEWED, State.REREVIEWED}
EVENT_LABELS = {
    "register": gettext_lazy("登记"),
    "reveal_personal_data": gettext_lazy("查看信访人个人信息"),
    "evaluate": gettext_lazy("满意度评价"),
    **{a: gettext_lazy(t.label) for a, t in BY_ACTION.items()},
    **DOCUMENT_EVENT_LABELS,
    **RETURN_VISIT_EVENT_LABELS,
}
ROUTE_ACTION_LABELS = {a: gettext_lazy(t.label) for a, t in BY_ACTION.items()}
# The first of these in a case's history is where it actually went, to compare with the suggested route.
ROUTING_ACTIONS = ("transfer", "assign", "tell", "divert")


@actor_required
def home(request):
    actor = request.actor
    roles = [gettext(Role(r).label) for r in sorted(actor.roles)]
    return render(request, "workspace/home.html", {"roles": roles, "panels": home_panels(actor)})


def home_panels(actor) -> list[dict]:
    """Each feature app's to-dos for this actor, first on the home page. The apps name a function in
    `settings.XINFANG_HOME_PANELS` (`panel(actor) -> {"template": ..., **context} | None`), so the workspace
    shows their work without the feature apps importing the workspace or the workspace naming them."""
    out = []
    for dotted in settings.XINFANG_HOME_PANELS:
        panel = import_string(dotted)(actor)
        if panel:
            out.append(panel)
    return out


# --------------------------------------------------------------------------------------------- intake


def intake_suggest_available() -> bool:
    """The intake suggestions (issue 7) are shown once `xinfang.intake.suggest` provides them."""
    try:
        return importlib.util.find_spec("xinfang.intake.suggest") is not None
    except ModuleNotFoundError:
        return False


def _map_registration_errors(exc: ApplicationError, form, formset, row_index: list[int]) -> list[str]:
    """Put each error of `ValidationFailed.extra` next to its field; return the ones that have no field."""
    general: list[str] = []
    for key, message in (exc.extra or {}).items():
        if key.startswith("petitioners."):
            _, i, field = key.split(".", 2)
            formset.forms[row_index[int(i)]].add_error(
                field if field in PetitionerForm.base_fields else None, message
            )
        elif key == "petitioners":
            general.append(message)
        elif key in form.fields:
            form.add_error(key, message)
        else:
            general.append(message)
    if not exc.extra:
        general.append(exc.message)
    return general


@actor_required
def case_new(request):
    actor = request.actor
    if not actor.has_role(Role.REGISTRAR):
        raise Http404
    petitioner_errors: list[str] = []
    if request.method == "POST":
        form = IntakeForm(request.POST, request.FILES, actor=actor)
        formset = PetitionerFormSet(request.POST, prefix=PETITIONER_PREFIX)
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            row_index = [i for i, f in enumerate(formset.forms) if not f.is_blank()]
            petitioners = [
                PetitionerInput(
                    name=f.cleaned_data["name"].strip(),
                    id_number=f.cleaned_data["id_number"].strip(),
                    phone=f.cleaned_data["phone"].strip(),
                    address=f.cleaned_data["address"].strip(),
                    is_representative=f.cleaned_data["is_representative"],
                )
                for f in (formset.forms[i] for i in row_index)
            ]
            region = Region.objects.get(pk=data["problem_region"])
            suggestion = (
                _suggest(
                    actor,
                    title=data["title"],
                    request=data["request"],
                    facts=data["facts"],
                    region=region,
                    subject_body=data["subject_body"],
                    ids=[p.id_number for p in petitioners],
                    law_related=data["law_related"],
                    petition_type=data["petition_type"],
                    residence_region=Region.objects.filter(pk=data.get("residence_region") or None).first(),
                    household_region=Region.objects.filter(pk=data.get("household_region") or None).first(),
                )
                if intake_suggest_available()
                else None
            )
            candidates = _repeat_candidates_for(actor, data, petitioners, region)
            decision = _repeat_decision(data, candidates)
            if candidates and decision is None:
                # Nothing is merged silently: the registrar sees the earlier cases and chooses (docs/domain.md §9).
                form.add_error("repeat_decision", gettext("发现疑似重复信访，请先选择如何处理。"))
                return _case_new_page(request, form, formset, [], status=400, candidates=candidates)
            try:
                result = case_register(
                    actor=actor,
                    **(decision or {}),
                    arrived_at=data.get("arrived_on"),
                    channel=data["channel"],
                    petition_type=data["petition_type"],
                    problem_region=region,
                    request=data["request"],
                    facts=data["facts"],
                    title=data["title"],
                    petitioners=petitioners,
                    category=data["category"],
                    subject_text=data["subject_text"],
                    subject_body=data["subject_body"],
                    anonymous=data["anonymous"],
                    people_count=data["people_count"],
                    flags={name: data[name] for name in FLAG_FIELDS},
                    attachments=request.FILES.getlist("attachments"),
                    suggestion=suggestion,
                )
            except ApplicationError as exc:
                petitioner_errors = _map_registration_errors(exc, form, formset, row_index)
            else:
                _registration_message(request, result)
                return redirect("case_detail", pk=result.case.pk)
        status = 400
    else:
        form = IntakeForm(actor=actor)
        formset = PetitionerFormSet(prefix=PETITIONER_PREFIX)
        status = 200
    return _case_new_page(request, form, formset, petitioner_errors, status=status)


def _case_new_page(request, form, formset, petitioner_errors, *, status: int, candidates=()):
    return render(
        request,
        "workspace/case_new.html",
        {
            "form": form,
            "formset": formset,
            "petitioner_errors": petitioner_errors,
            "suggest_available": intake_suggest_available(),
            "candidates": candidates,
            "choices": REPEAT_CHOICE_LABELS,
            "new_value": f"new:{candidates[0].case.pk}" if candidates else "",
        },
        status=status,
    )


# ------------------------------------------------------------------------------------------- repeats

REPEAT_CHOICE_LABELS = {k: gettext_lazy(v) for k, v in REGISTRATION_CHOICES.items()}


def _repeat_candidates_for(actor, data: dict, petitioners: list, region: Region | None) -> list:
    """The earlier cases, visible to this body, that may be the same matter: people known by ID number or
    by name and phone, the same 问题属地, and a request that reads the same (the service's own matching)."""
    if region is None or not (data.get("request") or "").strip():
        return []
    people = persons_by_identity(
        id_numbers=[p.id_number for p in petitioners], phones=[p.phone for p in petitioners]
    )
    names = {p.name for p in petitioners}
    people = [p for p in people if p.id_number or p.name in names]
    found = repeat_candidates(
        people=people,
        problem_region=region,
        request=data.get("request", ""),
        facts=data.get("facts", ""),
        subject_text=data.get("subject_text", "") if data.get("anonymous") else "",
    )
    visible = set(
        case_list_visible(actor=actor).filter(pk__in=[c.case.pk for c in found]).values_list("pk", flat=True)
    )
    out = [c for c in found if c.case.pk in visible]
    for c in out:
        c.link_value, c.refuse_value = f"link:{c.case.pk}", f"not_reaccept:{c.case.pk}"
    return out


def _repeat_decision(data: dict, candidates: list) -> dict | None:
    """The registrar's choice as case_register's arguments ("link:12", "not_reaccept:12", "new[:12]")."""
    raw = (data.get("repeat_decision") or "").strip()
    if not raw:
        return None
    choice, _, pk = raw.partition(":")
    if choice not in REGISTRATION_CHOICES:
        return None
    out: dict = {"repeat_choice": choice, "force_reason": (data.get("repeat_reason") or "").strip()}
    if pk.isdigit():
        out["repeat_of"] = int(pk)
    return out


@require_POST
@actor_required
def repeat_check(request):
    """htmx, as the registrar types: the earlier cases this petition may repeat, with the choices the law
    leaves (link as a repeat, a new matter, 不再受理 where a 复核意见 was given) — before anything is saved."""
    actor = request.actor
    if not actor.has_role(Role.REGISTRAR):
        raise Http404
    post = request.POST
    rows = [
        PetitionerInput(
            name=post.get(f"{PETITIONER_PREFIX}-{i}-name", "").strip(),
            id_number=post.get(f"{PETITIONER_PREFIX}-{i}-id_number", "").strip(),
            phone=post.get(f"{PETITIONER_PREFIX}-{i}-phone", "").strip(),
        )
        for i in range(min(int(post.get(f"{PETITIONER_PREFIX}-TOTAL_FORMS") or 0), 50))
    ]
    data = {k: post.get(k, "") for k in ("request", "facts", "subject_text")}
    data["anonymous"] = bool(post.get("anonymous"))
    region = Region.objects.filter(pk=post.get("problem_region") or None).first()
    candidates = _repeat_candidates_for(actor, data, rows, region)
    return render(
        request,
        "workspace/_repeat_check.html",
        {
            "candidates": candidates,
            "choices": REPEAT_CHOICE_LABELS,
            "chosen": post.get("repeat_decision", ""),
            "reason": post.get("repeat_reason", ""),
            "new_value": f"new:{candidates[0].case.pk}" if candidates else "",
        },
    )


def _registration_message(request, result) -> None:
    case = result.case
    # an earlier case may be one that is not this body's to see (检举控告 about it, Art. 30): not named
    earlier, message = registration_earlier_for(actor=request.actor, result=result)
    if result.outcome == "registered":
        messages.success(
            request,
            format_html(
                gettext(
                    "已登记，编号 <strong data-testid='new-number'>{number}</strong>，查询码 "
                    "<strong data-testid='new-code'>{code}</strong>（仅显示这一次，请交给信访人）。{message}"
                ),
                number=case.number,
                code=result.query_code,
                message=message,
            ),
        )
        messages.info(request, receipt_offer(request, case=case, query_code=result.query_code))
        return
    if earlier is None:
        messages.warning(
            request, format_html(gettext("编号 {number}：{message}"), number=case.number, message=message)
        )
        return
    link = reverse("case_detail", args=[earlier.pk])
    messages.warning(
        request,
        format_html(
            gettext("编号 {number}：{message} <a href='{link}'>查看原事项 {earlier}</a>"),
            number=case.number,
            message=message,
            link=link,
            earlier=earlier.number,
        ),
    )


def _suggest(
    actor,
    *,
    title: str,
    request: str,
    facts: str,
    region: Region | None,
    subject_body: Body | None,
    ids,
    law_related: bool | None = None,
    petition_type: str | None = None,
    residence_region: Region | None = None,
    household_region: Region | None = None,
) -> dict:
    """What xinfang.intake suggests for these words and people (known by ID number). The form's panel and
    the registration itself both ask here, so what is recorded is what the server computes, never what
    the browser sends back."""
    people = persons_by_identity(id_numbers=ids)
    return intake_suggest(
        registrar_body=actor.body,
        title=title,
        request=request,
        facts=facts,
        problem_region=region,
        subject_body=subject_body,
        people=people,
        # a legal route the registrar has set is followed, never contradicted
        law_related=law_related or None,
        petition_type=petition_type or None,
        residence_region=residence_region,
        household_region=household_region,
    )


@require_POST
@actor_required
def intake_suggestions(request):
    """htmx, on leaving the request text: what xinfang.intake suggests (category, type, 涉法涉诉, routes,
    earlier cases), each with its reason. Only a suggestion: the registrar chooses in the form."""
    actor = request.actor
    if not actor.has_role(Role.REGISTRAR):
        raise Http404
    post = request.POST
    suggestion = _suggest(
        actor,
        title=post.get("title", ""),
        request=post.get("request", ""),
        facts=post.get("facts", ""),
        region=Region.objects.filter(pk=post.get("problem_region") or None).first(),
        subject_body=Body.objects.filter(pk=post.get("subject_body") or None).first(),
        ids=[v for k, v in post.items() if k.endswith("-id_number")],
        law_related=bool(post.get("law_related")),
        petition_type=post.get("petition_type") or None,
        residence_region=Region.objects.filter(pk=post.get("residence_region") or None).first(),
        household_region=Region.objects.filter(pk=post.get("household_region") or None).first(),
    )
    for route in suggestion.get("routes") or []:
        route["label"] = ROUTE_ACTION_LABELS.get(route.get("action"), "")
    return render(request, "workspace/_suggestions.html", {"s": suggestion})


@require_GET
@actor_required
def person_lookup(request):
    """htmx: given an ID number or a phone typed in a petitioner row, fill that row from the person's file."""
    if not request.actor.has_role(Role.REGISTRAR):
        raise Http404  # only intake looks people up by ID number or phone
    prefix = request.GET.get("row", "")
    if not prefix.startswith(f"{PETITIONER_PREFIX}-") or not prefix[len(PETITIONER_PREFIX) + 1 :].isdigit():
        raise Http404
    values = {k: request.GET.get(f"{prefix}-{k}", "").strip() for k in PetitionerForm.base_fields}
    hint = ""
    id_number = values["id_number"]
    phone = "" if id_number else values["phone"]
    found = person_lookup_for_intake(actor=request.actor, id_number=id_number, phone=phone)
    if found is None and phone and phone_is_shared(phone):
        hint = gettext("该电话对应多名信访人，请填写身份证号码以确认。")
    fill = {}
    if found is not None:
        # Only the name is filled in (and only where the registrar left it empty, in the browser): the
        # contact details on file are shown masked, so the registrar asks rather than copies them (PIPL).
        fill = {"name": found.name}
        hint = gettext(
            "已找到信访人档案：%(name)s（电话%(phone)s），本机关可见的此前信访%(n)s件，登记后将并入同一档案。"
        ) % {"name": found.name, "phone": found.phone_masked or gettext("未登记"), "n": found.visible_cases}
    return render(request, "workspace/_lookup_hint.html", {"hint": hint, "fill": fill, "prefix": prefix})


# ---------------------------------------------------------------------------------------------- queue


def _light_view(due, today) -> dict | None:
    if due is None:
        return None
    light = light_for(due=due, today=today)
    return {"light": light.value, "label": gettext(light.label), "text": days_left_text(due=due, today=today)}


@actor_required
def queue(request):
    """The acting body's open cases, a page at a time by keyset (下一页 carries the last row's cursor `after`),
    with capped light counts; `light` filters by a light (a range on the case's indexed due date)."""
    actor = request.actor
    filter_form = QueueFilterForm(request.GET or None)
    filters = filter_form.filters() if request.GET else {}
    today = local_date(timezone.now())
    after = request.GET.get("after") or None
    notice = ""
    try:
        page = case_queue_page(actor=actor, filters=filters, after=after, today=today)
    except BadCursor as e:
        notice = e.message
        page = case_queue_page(actor=actor, filters=filters, today=today)
    rows = page.rows
    # A choice's label once per value, not once per row (Model.get_FOO_display rebuilds the choices' dict on
    # every call: 150 calls were a fifth of the page's time).
    labels: dict[tuple[str, str], str] = {}
    for case in rows:
        for field in ("state", "channel", "petition_type"):
            key = (field, getattr(case, field))
            if key not in labels:
                labels[key] = getattr(case, f"get_{field}_display")()
            setattr(case, f"{field}_label", labels[key])
        case.light = _light_view(case.due_on, today)
        case.clock_label = gettext(CLOCK_LABELS[case.due_kind]) if case.due_kind in CLOCK_LABELS else ""
        case.flags = [label for name, label in FLAG_FIELDS.items() if getattr(case, name)]
    params = request.GET.copy()
    params.pop("after", None)
    by_light = params.copy()
    by_light.pop("light", None)
    return render(
        request,
        "workspace/queue.html",
        {
            "filter_form": filter_form,
            "rows": rows,
            "page": page,
            "counts": page.counts,
            "notice": notice,
            "light": filters.get("light") or "",
            "query": params.urlencode(),
            "light_query": by_light.urlencode(),
        },
    )


# ------------------------------------------------------------------------------------------ case page


def _case_or_404(actor, pk: int, *, log_read: bool) -> Case:
    try:
        return case_get_for_actor(actor=actor, pk=pk, log_read=log_read)
    except NotFound:
        raise Http404 from None


def _case_context(request, case: Case, *, bound: ActionForm | None = None, error: str = "", evaluation=None):
    actor = request.actor
    today = local_date(timezone.now())
    forms = []
    for t in allowed_actions(case=case, actor=actor):
        if bound is not None and bound.transition.action == t.action:
            forms.append({"t": t, "form": bound, "error": error, "open": True})
        else:
            form = ActionForm(transition=t, actor=actor, prefix=t.action, initial={"version": case.version})
            forms.append({"t": t, "form": form, "error": "", "open": False})
    clocks = list(case.clocks.select_related("body").order_by("started_on", "id"))
    for c in clocks:
        c.label = gettext(CLOCK_LABELS[c.kind]) if c.kind in CLOCK_LABELS else c.kind
        c.light_view = _light_view(c.due_on, today) if c.is_open and not c.paused_since else None
        # A right that has run out (异议, 复查/复核 request) is over, not overdue.
        c.lapsed = c.is_open and c.kind in LAPSING_WINDOWS and c.due_on < today
    events = case_history_for(actor=actor, case=case)
    for e in events:
        e.label = EVENT_LABELS.get(e.action, e.action)
    show_evaluation = case.state in EVALUABLE_STATES and actor.has_role(
        Role.REGISTRAR, Role.CASE_OFFICER, Role.SUPERVISOR
    )
    return {
        "case": case,
        "petitioners": list(case.petitioners.select_related("person")),
        "attachments": list(case.attachments.all()),
        "notices": list(case.notices.select_related("issued_by")),
        "events": events,
        "clocks": clocks,
        "action_forms": forms,
        "can_reveal": actor.has_role(*REVEAL_ROLES),
        "flags": [label for name, label in FLAG_FIELDS.items() if getattr(case, name)],
        "repeats": _repeats_of(actor, case),
        "repeat_of": case_repeat_of_visible(actor=actor, case=case),
        "evaluation_form": (evaluation or EvaluationForm()) if show_evaluation else None,
        "suggestion_rows": _suggestion_rows(case, events),
    }


def _suggestion_rows(case: Case, events) -> list[dict]:
    """What intake suggested at registration beside what was done: the category, type and 涉法涉诉 flag the
    registrar chose (recorded with the suggestion), and where the case actually went first."""
    s = case.suggestion or {}
    chosen = s.get("chosen")
    if chosen is None:
        return []
    rows = []
    if cat := s.get("category"):
        picked = (chosen.get("category") or {}).get("name")
        rows.append(
            {
                "label": gettext("内容分类"),
                "suggested": gettext("%(name)s（置信度%(confidence)s）")
                % {"name": cat["name"], "confidence": f"{cat['confidence']:.0%}"},
                "because": cat.get("because", ""),
                "chosen": picked or gettext("未分类"),
                "adopted": picked == cat["name"],
            }
        )
    if kind := s.get("type"):
        picked = chosen.get("petition_type")
        rows.append(
            {
                "label": gettext("信访类型"),
                "suggested": gettext(kind["label"]),
                "because": kind.get("because", ""),
                "chosen": gettext(PetitionType(picked).label) if picked in PetitionType.values else picked,
                "adopted": picked == kind["petition_type"],
            }
        )
    legal = s.get("law_related") or {}
    if legal.get("flagged") or chosen.get("law_related"):
        rows.append(
            {
                "label": gettext("涉法涉诉"),
                "suggested": gettext("疑似涉法涉诉") if legal.get("flagged") else gettext("未发现涉法涉诉"),
                "because": legal.get("because", ""),
                "chosen": gettext("标记为涉法涉诉") if chosen.get("law_related") else gettext("未标记"),
                "adopted": bool(legal.get("flagged")) == bool(chosen.get("law_related")),
            }
        )
    if routes := s.get("routes"):
        rows.append(_route_row(routes[0], events))
    return rows


def _route_row(route: dict, events) -> dict:
    label = ROUTE_ACTION_LABELS.get(route.get("action"), "")
    row = {
        "label": gettext("办理途径"),
        "suggested": f"{label} → {route['body_name']}" if route.get("body_name") else label,
        "because": route.get("because", ""),
        "route": True,
        "chosen": "",
        "adopted": None,  # not routed yet: nothing to compare
    }
    done = next((e for e in events if e.action in ROUTING_ACTIONS), None)
    if done is None:
        return row
    target = None
    if done.action in ("transfer", "assign"):
        target = Body.objects.filter(pk=(done.new_values or {}).get("handling_body")).first()
    row["chosen"] = (
        f"{ROUTE_ACTION_LABELS[done.action]} → {target.name}" if target else ROUTE_ACTION_LABELS[done.action]
    )
    if target is not None and route.get("body_code"):
        # 转送 or 交办 to the suggested body both follow the suggestion: the body is what it is about.
        row["adopted"] = target.code == route["body_code"]
    else:
        row["adopted"] = done.action == route.get("action")
    return row


def _repeats_of(actor, case: Case) -> list[Case]:
    return case_repeats_visible(actor=actor, case=case)


def case_detail(request, pk: int):
    """A repeat view (ADR 0020) is served stored, after one statement has decided, now, that this session's
    actor is who the database says and may see the case; anything else takes the full path below."""
    if page_cache.usable(request) and request.user.is_authenticated:
        actor = page_cache.actor_remembered(request)
        found = page_cache.case_fingerprint(actor, pk) if actor is not None else None
        if found is not None and page_cache.actor_current(request, actor, found):
            content, _ = page_cache.lookup(page_cache.page_key(request, actor, pk, found.digest))
            if content is not None:
                page_cache.read_logged(actor, pk)
                return page_cache.respond(request, content)
    return _case_detail(request, pk)


@actor_required
def _case_detail(request, pk: int):
    actor = request.actor
    if not page_cache.usable(request):
        case = _case_or_404(actor, pk, log_read=True)
        return render(request, "workspace/case_detail.html", _case_context(request, case))
    page_cache.actor_remember(request, actor)
    found = page_cache.case_fingerprint(actor, pk)
    if found is None:
        raise Http404
    key = page_cache.page_key(request, actor, pk, found.digest)
    content, generation = page_cache.lookup(key)
    if content is not None:
        page_cache.read_logged(actor, pk)
        return page_cache.respond(request, content)
    case = page_cache.case_read(actor, pk)
    if case is None:
        raise Http404
    if notice_documents_complete(case=case):
        # Notices written without their documents (the generator's bulk load, data from before documents) get
        # them on this first view; the page is stored under the fingerprint that has them, or the next view
        # would miss and render again (issue 14: the 1M bench's counted view ran 17 queries, not 4).
        found = page_cache.case_fingerprint(actor, pk)
        if found is None:
            raise Http404
        key = page_cache.page_key(request, actor, pk, found.digest)
    token = get_token(request)
    response = render(
        request, "workspace/case_detail.html", {**_case_context(request, case), "csrf_token": token}
    )
    page_cache.store(key, request, response, token, generation)
    return response


@require_POST
@actor_required
def case_act_view(request, pk: int, action: str):
    actor = request.actor
    case = _case_or_404(actor, pk, log_read=False)
    transition = BY_ACTION.get(action)
    if transition is None:
        raise Http404
    form = ActionForm(request.POST, transition=transition, actor=actor, prefix=action)
    status, error = 400, ""
    if form.is_valid():
        try:
            acted = case_act(
                case=case,
                actor=actor,
                action=action,
                expected_version=form.cleaned_data["version"],
                **form.inputs(),
            )
        except Conflict as exc:
            status, error = (
                exc.http_status,
                gettext("其他人已先行处理了该事项：%(message)s") % {"message": exc.message},
            )
        except ApplicationError as exc:
            status, error = exc.http_status, exc.message
            for key, message in (exc.extra or {}).items():
                if key in form.fields and key != "version":
                    form.add_error(key, message)
        else:
            if getattr(acted, "draft", None) is not None:  # a sign-off action: drafted for the head
                messages.success(request, drafted_message(transition))
            else:
                messages.success(request, gettext("已%(action)s。") % {"action": gettext(transition.label)})
            return redirect("case_detail", pk=case.pk)
    case.refresh_from_db()
    context = _case_context(request, case, bound=form, error=error)
    if not any(f["form"] is form for f in context["action_forms"]):
        # The action is no longer open to this user (someone acted first, or it never was): say so on top.
        context["page_error"] = error or gettext("当前不能“%(action)s”。") % {
            "action": gettext(transition.label)
        }
        status = max(status, 403) if status == 400 else status
    return render(request, "workspace/case_detail.html", context, status=status)


@require_POST
@actor_required
def case_reveal(request, pk: int, person_pk: int, field: str):
    actor = request.actor
    case = _case_or_404(actor, pk, log_read=False)
    try:
        value = personal_data_reveal(
            actor=actor, case=case, person_id=person_pk, field=field, reason=request.POST.get("reason", "")
        )
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        return HttpResponse(
            format_html("<span class='form-error'>{}</span>", exc.message), status=exc.http_status
        )
    return HttpResponse(format_html("<span data-testid='revealed'>{}</span>", value or gettext("（未填写）")))


@require_GET
@actor_required
def case_attachment(request, pk: int, attachment_pk: int):
    """An attachment, only through the case's own visibility (files are never served straight from media);
    always as a download, with the type its checked extension gives and no sniffing by the browser."""
    try:
        attachment = attachment_get_for_actor(actor=request.actor, case_pk=pk, attachment_pk=attachment_pk)
        handle = attachment.file.open("rb")
    except (NotFound, FileNotFoundError):
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment_content_type(attachment.name),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@actor_required
def case_evaluate(request, pk: int):
    actor = request.actor
    case = _case_or_404(actor, pk, log_read=False)
    form = EvaluationForm(request.POST)
    status, error = 400, ""
    if form.is_valid():
        try:
            evaluation_record(
                case=case,
                actor=actor,
                result=form.cleaned_data["result"],
                comment=form.cleaned_data["comment"],
            )
        except ApplicationError as exc:
            status, error = exc.http_status, exc.message
        else:
            messages.success(request, gettext("已记录信访人的满意度评价。"))
            return redirect("case_detail", pk=case.pk)
    context = _case_context(request, case, evaluation=form)
    context["evaluation_error"] = error
    return render(request, "workspace/case_detail.html", context, status=status)


# ------------------------------------------------------------------------------------- person's file


@actor_required
def person_detail(request, pk: int):
    cases = list(person_cases_visible(actor=request.actor, person_id=pk))
    if not cases:
        # A person with no case this body may see is not shown at all (not even that the file exists).
        raise Http404
    person = person_get_for_actor(actor=request.actor, pk=pk)
    visible = {c.pk: c for c in cases}
    for c in cases:
        c.visible_repeat_of = visible.get(c.repeat_of_id)
        c.visible_repeats = [r for r in cases if r.repeat_of_id == c.pk]
    # 一人一档: the person's visits to this body's hall, beside the cases (a visit's case linked only if visible)
    visits = list(person_visits(actor=request.actor, person_id=pk))
    return render(
        request,
        "workspace/person_detail.html",
        {"person": person, "cases": cases, "visits": visits, "visible_case_ids": set(visible)},
    )
