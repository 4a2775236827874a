"""The shipped responsibility table (三跨三分离); administrators change it in the admin."""

from django.db import migrations

BASIS = "《“三跨三分离”信访事项责任划分办法》"
DEFAULTS = [
    # situation, lead, assisting, basis
    (
        "person_matter",
        "matter",
        ["residence"],
        BASIS + "：人事分离的，由问题发生地牵头办理，经常居住地协助做好教育疏导",
    ),
    (
        "person_household",
        "residence",
        ["household"],
        BASIS + "：人户分离的，由经常居住地牵头办理，户籍地协助",
    ),
    (
        "all_apart",
        "matter",
        ["residence", "household"],
        BASIS + "：人事户分离的，由问题发生地牵头办理，经常居住地、户籍地协助",
    ),
]


def load(apps, schema_editor):
    Rule = apps.get_model("intake", "ResponsibilityRule")
    for i, (situation, lead, assist, basis) in enumerate(DEFAULTS):
        Rule.objects.get_or_create(
            situation=situation,
            category=None,
            defaults={"lead_place": lead, "assist_places": assist, "basis": basis, "priority": 100 + i},
        )


def unload(apps, schema_editor):
    apps.get_model("intake", "ResponsibilityRule").objects.filter(
        category=None, basis__startswith=BASIS
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("intake", "0003_responsibility")]
    operations = [migrations.RunPython(load, unload)]
