"""清零 progress from the tally (issue 14, supervision/progress.py): every way items are written moves it — a bulk
insert, `.update()` of results, sign-offs and responsible bodies, deletes, the cascade of a deleted campaign —
and it always equals a recount of the items; `xinfang doctor`'s checks find a drifted tally or a missing
trigger and repair them. (The services' path: test_campaign; the page's queries at 3 items and 30:
test_list_keyset.)"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone

from xinfang.orgs.models import Body
from xinfang.supervision.models import CampaignCase, CampaignTally
from xinfang.supervision.progress import (
    campaign_tally_differs,
    campaign_tally_drop,
    campaign_tally_rebuild,
    campaign_tally_repair,
    campaign_tally_triggers_missing,
)
from xinfang.supervision.selectors import campaign_progress, campaigns_totals
from xinfang.supervision.tests.test_list_keyset import _cases, _rows

pytestmark = pytest.mark.django_db


def _recount(campaign, body=None) -> tuple[int, int, int]:
    items = CampaignCase.objects.filter(campaign=campaign)
    if body is not None:
        items = items.filter(responsible_body=body)
    return (
        items.count(),
        items.exclude(result="").count(),
        items.filter(signed_off_at__isnull=False).count(),
    )


def _progress(campaign, body=None) -> tuple[int, int, int]:
    p = campaign_progress(campaign=campaign, body=body)
    assert sum(r["total"] for r in p["bodies"]) == p["total"]
    return p["total"], p["reported"], p["signed"]


def test_the_tally_follows_every_write_to_the_items(world):
    campaign = _rows(world, _cases(4))  # one batch, bulk-inserted
    county = Body.objects.get(code="990101-xinfang")
    assert _progress(campaign) == _recount(campaign) == (4, 0, 0)
    _rows(world, _cases(3, first=500), campaign)  # a second batch
    first, second, third, *_ = CampaignCase.objects.filter(campaign=campaign).order_by("pk")
    CampaignCase.objects.filter(pk__in=[first.pk, second.pk]).update(result="resolved")
    CampaignCase.objects.filter(pk=first.pk).update(signed_off_at=timezone.now())
    CampaignCase.objects.filter(pk=third.pk).update(responsible_body=world.housing)
    assert _progress(campaign) == _recount(campaign) == (7, 2, 1)
    assert _progress(campaign, world.housing) == _recount(campaign, world.housing) == (1, 0, 0)
    assert _progress(campaign, county) == (6, 2, 1)
    p = campaign_progress(campaign=campaign)
    assert [(b["batch__number"], b["total"]) for b in p["batches"]] == [(1, 4), (2, 3)]
    assert campaigns_totals(campaigns=[campaign], body=world.supervisor.body)[campaign.pk]["signed"] == 1
    CampaignCase.objects.filter(pk=second.pk).delete()
    assert _progress(campaign) == _recount(campaign) == (6, 1, 1)
    assert campaign_tally_differs() == []
    campaign.delete()  # the cascade takes its items and its tally
    assert not CampaignTally.objects.filter(total__gt=0).exists() and campaign_tally_differs() == []


def test_doctor_finds_a_drifted_tally_or_a_missing_trigger_and_repairs_it(world):
    campaign = _rows(world, _cases(3))
    CampaignTally.objects.update(total=F("total") + 1)
    assert campaign_tally_differs()
    campaign_tally_rebuild()
    assert campaign_tally_differs() == [] and _progress(campaign) == (3, 0, 0)
    campaign_tally_drop(connection)
    assert len(campaign_tally_triggers_missing()) == 3
    campaign_tally_repair()
    assert campaign_tally_triggers_missing() == []
    _rows(world, _cases(2, first=600), campaign)
    assert _progress(campaign) == _recount(campaign) == (5, 0, 0)
