from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from xinfang.api.models import ApiToken
from xinfang.api.services import api_token_issue, api_token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Adding a token shows its key once, in the message after saving; nobody can read it back later."""

    list_display = ("prefix", "user", "label", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("user__username", "label", "prefix")
    fields = ("user", "label")
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the record of who had access stays

    def save_model(self, request, obj, form, change):
        key = api_token_issue(user=obj.user, label=obj.label)
        saved = ApiToken.objects.filter(user=obj.user).order_by("-id").first()
        obj.pk, obj.digest, obj.prefix, obj.created_at = (
            saved.pk,
            saved.digest,
            saved.prefix,
            saved.created_at,
        )
        obj._state.adding = False
        messages.warning(request, _("新令牌（只显示这一次，请立即保存）：%(key)s") % {"key": key})

    @admin.action(description=_("作废所选令牌"))
    def revoke(self, request, queryset):
        for token in queryset:
            api_token_revoke(token=token, actor=request.user)
