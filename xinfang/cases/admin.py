from django.contrib import admin

from xinfang.cases.models import Case, Category, Notice
from xinfang.core.admin import ReadOnlyAdmin


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("sort", "code", "name", "default_sector", "parent", "is_active")
    list_editable = ("is_active",)
    search_fields = ("code", "name")


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    """Read-only: a case changes only through its services (the transition table); the admin only looks."""

    list_display = (
        "number",
        "state",
        "channel",
        "petition_type",
        "category",
        "current_body",
        "registered_at",
    )
    list_filter = ("state", "channel", "petition_type", "category")
    search_fields = ("number",)
    date_hierarchy = "registered_at"
    list_select_related = ("category", "current_body")


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("case", "kind", "issued_by", "issued_at")
    list_filter = ("kind",)
    search_fields = ("case__number",)
