from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from xinfang.orgs.models import Body, Membership, Region, User


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "sector", "region", "parent", "is_active")
    list_filter = ("kind", "region__level", "is_active")
    search_fields = ("code", "name", "short_name")
    raw_id_fields = ("parent", "region")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    raw_id_fields = ("body",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [MembershipInline]
    list_display = ("username", "display_name", "phone", "is_active", "is_staff")
    search_fields = ("username", "display_name", "phone")
    fieldsets = (*BaseUserAdmin.fieldsets, ("信访系统", {"fields": ("display_name", "phone")}))


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "body", "role")
    list_filter = ("role",)
    search_fields = ("user__username", "user__display_name", "body__name")
    raw_id_fields = ("user", "body")
