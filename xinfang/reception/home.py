"""The hall's panel on the home page (settings.XINFANG_HOME_PANELS): the queue now, today's visits, hearings
to hold."""

from __future__ import annotations

from django.utils import timezone

from xinfang.orgs.acting import Actor
from xinfang.orgs.models import Role
from xinfang.reception.models import Hearing, HearingStatus, Service, Ticket, TicketStatus, Visit


def panel(actor: Actor) -> dict | None:
    if actor.body is None:
        return None
    hearings = Hearing.objects.filter(body=actor.body, status=HearingStatus.SCHEDULED).count()
    if not actor.has_role(Role.REGISTRAR):
        if not hearings:
            return None
        return {
            "template": "reception/_home_panel.html",
            "waiting": 0,
            "visits": 0,
            "hearings": hearings,
            "hall": False,
        }
    if not Service.objects.filter(body=actor.body).exists() and not hearings:
        return None
    today = timezone.localdate()
    waiting = Ticket.objects.filter(
        service_day__service__body=actor.body, service_day__date=today, status=TicketStatus.WAITING
    ).count()
    visits = Visit.objects.filter(body=actor.body, date=today).count()
    return {
        "template": "reception/_home_panel.html",
        "waiting": waiting,
        "visits": visits,
        "hearings": hearings,
        "hall": True,
    }
