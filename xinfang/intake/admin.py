from django.contrib import admin

from xinfang.intake.models import AssistTask, ResponsibilityRule, RouteRule


@admin.register(RouteRule)
class RouteRuleAdmin(admin.ModelAdmin):
    list_display = (
        "priority",
        "category",
        "region",
        "petition_type",
        "target_sector",
        "target_level",
        "target_body",
        "is_active",
        "note",
    )
    list_filter = ("is_active", "target_level", "petition_type")
    list_editable = ("is_active",)
    autocomplete_fields = ()


@admin.register(ResponsibilityRule)
class ResponsibilityRuleAdmin(admin.ModelAdmin):
    list_display = (
        "priority",
        "situation",
        "category",
        "lead_place",
        "assist_places",
        "sector",
        "level",
        "is_active",
    )
    list_filter = ("is_active", "situation")
    list_editable = ("is_active",)


@admin.register(AssistTask)
class AssistTaskAdmin(admin.ModelAdmin):
    list_display = ("case", "body", "lead_body", "state", "created_at", "done_at")
    list_filter = ("state",)
    raw_id_fields = ("case", "body", "lead_body")
