from django.contrib import admin

from xinfang.evaluation.models import Evaluation


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ("case", "stage", "result", "channel", "created_at")
    list_filter = ("stage", "result", "channel")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
