"""Tokens issued before tokens were hashed (rest_framework.authtoken's plain keys) keep working: each key is
replaced by its digest and the plain-key table emptied. Its owner still has the key; the database no longer."""

import hashlib
from datetime import UTC, datetime

from django.db import migrations
from django.utils import timezone


def forward(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("api", "ApiToken")
    with connection.cursor() as cur:
        cur.execute("SELECT key, user_id, created FROM authtoken_token")
        rows = cur.fetchall()
    for key, user_id, created in rows:
        if isinstance(created, str):  # SQLite hands back text
            created = datetime.fromisoformat(created)
        if created is not None and timezone.is_naive(created):
            created = timezone.make_aware(created, UTC)
        ApiToken.objects.get_or_create(
            digest=hashlib.sha256(key.encode()).hexdigest(),
            defaults={"user_id": user_id, "prefix": key[:10], "label": "authtoken", "created_at": created or timezone.now()},
        )
    with connection.cursor() as cur:
        cur.execute("DELETE FROM authtoken_token")


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
