from django.contrib import admin

from xinfang.core.models import Event


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that change only through services (or never): the admin may look, not touch."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """Read-only: the log is evidence, nobody edits it."""

    list_display = ("occurred_at", "action", "object_type", "object_id", "actor_label", "body")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "actor_label", "reason")
    date_hierarchy = "occurred_at"

    def get_queryset(self, request):
        # reads waiting in the outbox enter the log first, so the list shows every one (ADR 0015)
        from xinfang.core.outbox import events_outbox_flush

        events_outbox_flush()
        return super().get_queryset(request)
