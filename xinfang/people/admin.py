from django.contrib import admin

from xinfang.people.models import Person


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "id_number_masked", "phone_masked")
    search_fields = ("name", "id_number", "phone")
    readonly_fields = ("created_at", "updated_at")
