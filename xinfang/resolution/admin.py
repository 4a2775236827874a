from django.contrib import admin

from xinfang.resolution.models import Organisation, Referral


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "region", "body", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)
    autocomplete_fields = ("body",)


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    # Referrals change only through the services (events, case effects): the admin reads.
    list_display = ("number", "kind", "organisation", "referring_body", "referred_on", "status", "outcome")
    list_filter = ("kind", "status", "outcome")
    search_fields = ("number",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
