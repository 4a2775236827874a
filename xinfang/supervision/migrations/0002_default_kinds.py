"""The six ways of supervising of the seed report, as the shipped escalation ladder (an administrator may edit
them: rename, reorder, switch a rung off)."""

from django.db import migrations

DEFAULT_KINDS = [
    ("system", "系统督办", 1, False, "系统内提醒、挂红灯督办"),
    ("phone", "电话督办", 2, False, "电话催办并记录"),
    ("letter", "发函督办", 3, True, "出具督办单，限期书面回复"),
    ("onsite", "实地督办", 4, False, "到现场督查办理情况"),
    ("interview", "约谈督办", 5, False, "约谈单位负责人"),
    ("accountability", "建议问责督办", 6, False, "向有管理权限的机关提出追究责任的建议（第四十条）"),
]


def forward(apps, schema_editor):
    Kind = apps.get_model("supervision", "SupervisionKind")
    for code, name, rung, letter, description in DEFAULT_KINDS:
        Kind.objects.update_or_create(
            code=code,
            defaults={"name": name, "rung": rung, "produces_letter": letter, "description": description},
        )


def backward(apps, schema_editor):
    apps.get_model("supervision", "SupervisionKind").objects.filter(
        code__in=[k[0] for k in DEFAULT_KINDS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
