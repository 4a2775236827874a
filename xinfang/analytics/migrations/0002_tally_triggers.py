"""The triggers that keep the figure tallies, and a first count of the rows already there (see
xinfang/analytics/tally.py)."""

from django.db import migrations


def forward(apps, schema_editor):
    from xinfang.analytics.tally import tally_install_and_rebuild

    tally_install_and_rebuild(using=schema_editor.connection)


def reverse(apps, schema_editor):
    from xinfang.analytics.tally import tally_uninstall

    tally_uninstall(using=schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_initial"),
        ("cases", "0003_figures_indexes"),
        ("deadlines", "0004_partial_open_indexes"),
        ("evaluation", "0001_initial"),
    ]
    operations = [migrations.RunPython(forward, reverse)]
