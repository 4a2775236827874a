from django.db import migrations

# The default table: each content category goes to its line of work in the county where the problem
# arose (属地管理、分级负责). Administrators add region- or type-specific rules with a lower priority number.


def forward(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    RouteRule = apps.get_model("intake", "RouteRule")
    for cat in Category.objects.exclude(default_sector=""):
        RouteRule.objects.get_or_create(
            category=cat, region=None, petition_type="",
            defaults={"target_sector": cat.default_sector, "target_level": "county", "priority": 100,
                      "note": f"{cat.name}类事项由问题属地县区的主管部门办理"},
        )


class Migration(migrations.Migration):
    dependencies = [("intake", "0001_initial"), ("cases", "0002_default_categories")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
