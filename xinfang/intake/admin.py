from django.contrib import admin

from xinfang.intake.models import RouteRule


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
