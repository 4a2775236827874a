"""Keeping the index: on every save of a case (signal), and in bulk after a load that bypassed the ORM."""

from __future__ import annotations

from django.db import connection, transaction

from xinfang.cases.selectors import cases_unscoped
from xinfang.search.models import CaseText
from xinfang.search.tokens import index_text

TEXT_FIELDS = ("number", "title", "request", "facts", "subject_text")


def _text(case) -> str:
    return index_text(*(getattr(case, f, "") or "" for f in TEXT_FIELDS))


def case_saved(sender, instance, created, update_fields=None, raw=False, **kwargs) -> None:
    if raw:
        return
    if update_fields is not None and not set(update_fields) & set(TEXT_FIELDS):
        return
    text = _text(instance)
    if created or not CaseText.objects.filter(case_id=instance.pk).update(tokens=text):
        CaseText.objects.create(case_id=instance.pk, tokens=text)


def search_reindex(*, batch: int = 2000, rebuild_fts: bool = False) -> int:
    """Rebuild the whole index (after a bulk load, or to repair it). Returns the number of cases indexed."""
    done = 0
    last = 0
    while True:
        everything = cases_unscoped(reason="search index rebuild")
        rows = list(everything.filter(pk__gt=last).order_by("pk").only("pk", *TEXT_FIELDS)[:batch])
        if not rows:
            break
        with transaction.atomic():
            CaseText.objects.filter(case_id__in=[c.pk for c in rows]).delete()
            CaseText.objects.bulk_create([CaseText(case_id=c.pk, tokens=_text(c)) for c in rows])
        done += len(rows)
        last = rows[-1].pk
    if rebuild_fts and connection.vendor == "sqlite":
        # the triggers keep the FTS table in step; a full rebuild repairs it if it was ever written around them
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_casefts(search_casefts) VALUES('rebuild')")
    return done
