"""The search index (one row per case, its words as tokens) and the users' saved views."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CaseText(models.Model):
    """The indexed words of a case (title, request, facts, subject), rewritten on every save of the case.
    SQLite reads it through the FTS5 table `search_casefts` (external content, kept by triggers); PostgreSQL
    through a GIN index on to_tsvector('simple', tokens) (migration 0002)."""

    case = models.OneToOneField("cases.Case", primary_key=True, on_delete=models.CASCADE, related_name="+")
    tokens = models.TextField(blank=True)

    class Meta:
        verbose_name = "检索索引"
        verbose_name_plural = "检索索引"

    def __str__(self) -> str:
        return str(self.case_id)


class SavedView(models.Model):
    """A search a user named and comes back to (its query string, as the page's own URL has it)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField("名称", max_length=60)
    query = models.CharField("检索条件", max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "保存的检索"
        verbose_name_plural = "保存的检索"
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="search_view_user_name")]

    def __str__(self) -> str:
        return self.name
