from django.db import migrations

# The shipped default taxonomy (docs/domain.md §2, configurable in the admin). The first seven are the classes the
# intake classifier knows; sectors link a category to the usual line of work (orgs.Body.sector).
DEFAULTS = [
    ("urban_rural", "城乡建设", "housing"),
    ("environment", "环境保护", "environment"),
    ("transport", "交通运输", "transport"),
    ("education_culture", "教育文体", "education"),
    ("labour_social", "劳动和社会保障", "labour"),
    ("commerce_tourism", "商贸旅游", "commerce"),
    ("health", "卫生计生", "health"),
    ("agriculture", "农村农业", "agriculture"),
    ("natural_resources", "国土资源", "natural_resources"),
    ("civil_affairs", "民政", "civil_affairs"),
    ("politics_law", "政法", "politics_law"),
    ("discipline", "纪检监察", "discipline"),
    ("other", "其他", ""),
]


def forward(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    for i, (code, name, sector) in enumerate(DEFAULTS):
        Category.objects.get_or_create(code=code, defaults={"name": name, "default_sector": sector, "sort": i})


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
