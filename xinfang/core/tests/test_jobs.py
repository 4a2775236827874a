"""Large exports as background jobs (issue #14, core/jobs.py): a progress page that polls, "我的导出", a
download only its owner can fetch, a failure shown in Chinese, an export event, and a job a killed worker
left behind taken up again."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from xinfang.cases.tests.factories import actor, register, registrar
from xinfang.core import jobs
from xinfang.core.maintenance import doctor
from xinfang.core.models import Event, Job
from xinfang.orgs.models import Membership, Role

pytestmark = pytest.mark.django_db


def _login(client, a):
    client.force_login(a.user)
    session = client.session
    session["acting_body_id"] = a.body.pk
    session.save()
    return a


def _cases(n: int) -> None:
    reg = registrar()
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        for i in range(n):
            register(by=reg, seed=40 + i)


@pytest.fixture
def small_jobs(settings):
    settings.XINFANG_EXPORT_JOB_FROM = 2  # anything above two rows is a job


@pytest.fixture
def kind():
    """A job kind of the test's own, through the same registry the apps use."""
    added: list[str] = []

    def add(name, run):
        jobs.register_job(name, label="测试导出", run=run)
        added.append(name)

    yield add
    for name in added:
        jobs._KINDS.pop(name, None)


def test_a_large_ledger_is_a_job_only_its_owner_downloads_and_each_download_is_an_export_event(
    demo_city, client, small_jobs, django_capture_on_commit_callbacks
):
    _cases(3)
    me = _login(client, registrar())
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.get(reverse("analytics:ledger_xlsx"))
    job = Job.objects.get(owner=me.user)
    assert resp.status_code == 302 and resp.url == reverse("jobs:detail", args=[job.pk])
    assert (job.state, job.done, job.total, job.rows) == ("done", 3, 3, 3)
    assert Event.objects.filter(object_type="job", object_id=str(job.pk), action="job_request").exists()

    page = client.get(resp.url).content.decode()
    assert "已完成" in page and reverse("jobs:download", args=[job.pk]) in page and "hx-trigger" not in page
    assert reverse("jobs:detail", args=[job.pk]) in client.get(reverse("jobs:list")).content.decode()

    assert not Event.objects.filter(action="export", object_id="ledger_xlsx").exists()  # not until it leaves
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200
    rows = list(
        load_workbook(io.BytesIO(b"".join(download.streaming_content)))
        .worksheets[0]
        .iter_rows(values_only=True)
    )
    assert rows[0][0] == "编号" and len(rows) == 1 + 3
    assert "*" in rows[1][PETITIONERS_COLUMN]  # masked, as the synchronous download
    event = Event.objects.get(action="export", object_id="ledger_xlsx")
    assert (
        event.actor == me.user
        and event.new_values["rows"] == 3
        and event.new_values["scope"]["job"] == job.pk
    )
    assert event.new_values["personal_data"] == "masked"

    # A colleague at the same body, with every role: the job is not theirs — 404 on each of its URLs.
    other = _login(client, actor("990101-xinfang", Role.AGENCY_HEAD, username="colleague"))
    for role in Role:
        Membership.objects.get_or_create(user=other.user, body=other.body, role=role)
    for name in ("jobs:download", "jobs:detail", "jobs:progress"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404, name
    assert reverse("jobs:detail", args=[job.pk]) not in client.get(reverse("jobs:list")).content.decode()
    assert Event.objects.filter(action="export").count() == 1


PETITIONERS_COLUMN = 20


def test_a_small_export_stays_a_download(demo_city, client, settings):
    settings.XINFANG_EXPORT_JOB_FROM = 10
    _cases(3)
    _login(client, registrar())
    resp = client.get(reverse("analytics:ledger_xlsx"))
    assert resp.status_code == 200 and not Job.objects.exists()


def test_a_job_reports_its_steps_and_the_page_polls_until_it_ends(
    demo_city, client, kind, django_capture_on_commit_callbacks
):
    me = _login(client, registrar())
    seen: list[str] = []

    def run(job, progress, path):
        for i in range(1, 5):
            progress(i, 4, force=True)
            partial = client.get(reverse("jobs:progress", args=[job.pk])).content.decode()
            seen.append(f"{'hx-trigger' in partial}:{partial.count(f'{i} / 4')}")
        path.write_bytes(b"a,b\n")
        return jobs.Output(filename="steps.csv", rows=4, content_type="text/csv", personal_data="none")

    kind("test_steps", run)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_start(actor=me, kind="test_steps", parameters={})
    # While it ran the partial showed each step and kept polling; now it has stopped and offers the file.
    assert seen == ["True:1"] * 4
    partial = client.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert "hx-trigger" not in partial and "steps.csv" in partial and 'value="100"' in partial
    assert b"".join(client.get(reverse("jobs:download", args=[job.pk])).streaming_content) == b"a,b\n"


def test_a_failed_job_shows_why_in_chinese(demo_city, client, kind, django_capture_on_commit_callbacks):
    _cases(3)
    me = _login(client, registrar())
    # The user left the body between asking and the worker running it: the job reads nothing, and says so.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = jobs.job_start(actor=me, kind="ledger_xlsx", parameters={"query": "", "masked": True})
    Membership.objects.filter(user=me.user).delete()
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.state == "failed" and job.error == "您不属于该机关。"
    assert not job.result_path
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "失败" in page and "您不属于该机关。" in page and "hx-trigger" not in page
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404

    # An unforeseen error: the user sees a Chinese message with the job's number, not a traceback.
    def broken(job, progress, path):
        raise RuntimeError("disk on fire")

    kind("test_broken", broken)
    Membership.objects.create(user=me.user, body=me.body, role=Role.REGISTRAR)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_start(actor=me, kind="test_broken", parameters={})
    job.refresh_from_db()
    assert job.error == f"任务执行出错（编号 {job.pk}），请稍后重试或联系管理员。"
    assert "disk on fire" not in client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert Event.objects.filter(object_type="job", object_id=str(job.pk), action="job_failed").exists()


def test_a_job_left_running_by_a_killed_worker_is_found_and_run_again(
    demo_city, kind, django_capture_on_commit_callbacks
):
    me = registrar()
    runs: list[int] = []

    def run(job, progress, path):
        runs.append(job.attempts)
        path.write_bytes(b"x")
        return jobs.Output(filename="x.csv", rows=1, content_type="text/csv", personal_data="none")

    kind("test_rerun", run)
    with django_capture_on_commit_callbacks(execute=False):
        job = jobs.job_start(actor=me, kind="test_rerun", parameters={})
    # As a worker killed mid-job leaves it: running, attempts 1, a heartbeat long past, a partial file.
    Job.objects.filter(pk=job.pk).update(
        state="running", attempts=1, heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    (jobs.jobs_dir() / str(job.pk)).mkdir(parents=True, exist_ok=True)
    (jobs.jobs_dir() / str(job.pk) / "result.part").write_bytes(b"half")
    # A live job is not taken twice …
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
    assert jobs.job_run(job.pk) is None and not runs
    # … a dead one is found by the doctor, who runs it again.
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    found = {f.check: f.problems for f in doctor(repair=False) if f.problems}
    assert found[jobs.STALE_CHECK_NAME] and f"后台任务 {job.pk}" in found[jobs.STALE_CHECK_NAME][0]
    findings = {f.check: f for f in doctor(repair=True)}
    assert findings[jobs.STALE_CHECK_NAME].repaired
    job.refresh_from_db()
    assert runs == [2] and job.state == "done" and job.attempts == 2
    assert sorted(p.name for p in (jobs.jobs_dir() / str(job.pk)).iterdir()) == ["result.csv"]


def test_my_exports_query_count_does_not_grow(demo_city, client, django_assert_max_num_queries):
    me = _login(client, registrar())

    def add(n):
        Job.objects.bulk_create(
            [
                Job(
                    owner=me.user,
                    body=me.body,
                    kind="ledger_xlsx",
                    label=f"台账{i}",
                    state=s,
                    total=10,
                    done=i,
                )
                for i, s in zip(range(n), ["done", "failed", "running", "queued"] * n, strict=False)
            ]
        )

    add(2)
    with django_assert_max_num_queries(6):
        small = client.get(reverse("jobs:list"))
    add(40)
    with django_assert_max_num_queries(6):
        large = client.get(reverse("jobs:list"))
    assert small.status_code == large.status_code == 200
    assert large.content.decode().count('data-state="') == 42
