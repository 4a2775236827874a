from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction

from xinfang.orgs.models import Body, Membership, Region, User
from xinfang.orgs.services import subtree_paths_rewrite


class TreeForm(forms.ModelForm):
    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if parent is not None and self.instance.pk and parent.path.startswith(self.instance.path):
            raise forms.ValidationError("不能移到自身或下级之下。")
        return parent


class TreeAdmin(admin.ModelAdmin):
    """A change of parent or code rewrites the subtree's paths in the same transaction (orgs/services.py)."""

    form = TreeForm

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            old_path = type(obj).objects.get(pk=obj.pk).path if change else None
            super().save_model(request, obj, form, change)  # save() gives the node its own new path
            if old_path and old_path != obj.path:
                subtree_paths_rewrite(model=type(obj), old_path=old_path, new_path=obj.path)


@admin.register(Region)
class RegionAdmin(TreeAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")


@admin.register(Body)
class BodyAdmin(TreeAdmin):
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
