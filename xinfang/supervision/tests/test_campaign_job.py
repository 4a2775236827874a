"""The campaign ledger: a large one is a background job (core/jobs.py) read as the supervisor who asked; a
small one a download; each an export event."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from xinfang.core.models import Event, Job
from xinfang.supervision.tests.test_views import client_for, filled  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def test_a_large_campaign_ledger_is_a_job(world, filled, settings, django_capture_on_commit_callbacks):  # noqa: F811
    settings.XINFANG_EXPORT_JOB_FROM = 2
    c = client_for(world.supervisor)
    url = reverse("supervision:campaign", args=[filled["campaign"].pk]) + "?format=xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        resp = c.get(url)
    job = Job.objects.get(owner=world.supervisor.user, kind="campaign_ledger_xlsx")
    assert resp.status_code == 302 and resp.url == reverse("jobs:detail", args=[job.pk])
    assert (job.state, job.rows, job.total, job.done) == ("done", 3, 3, 3)
    download = c.get(reverse("jobs:download", args=[job.pk]))
    wb = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert wb.sheetnames == ["清零进度", "事项台账"] and wb["事项台账"].max_row == 4
    event = Event.objects.get(action="export", object_id="campaign_ledger_xlsx")
    assert event.new_values["rows"] == 3 and event.actor == world.supervisor.user
    # the county's supervisor, whatever they may see of the campaign, cannot fetch the city's file
    assert client_for(world.county_supervisor).get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_a_small_campaign_ledger_is_a_download_and_an_export_event(world, filled):  # noqa: F811
    c = client_for(world.supervisor)
    resp = c.get(reverse("supervision:campaign", args=[filled["campaign"].pk]) + "?format=xlsx")
    assert resp.status_code == 200 and not Job.objects.exists()
    assert Event.objects.get(action="export", object_id="campaign_ledger_xlsx").new_values["rows"] == 3
