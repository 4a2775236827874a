"""The full-text side of the index, per database: an FTS5 table over search_casetext kept by triggers on
SQLite; a GIN index on its tsvector on PostgreSQL. Both read the same space-separated tokens."""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE search_casefts USING fts5(tokens, content='search_casetext', content_rowid='case_id')",
    """CREATE TRIGGER search_casetext_ai AFTER INSERT ON search_casetext BEGIN
         INSERT INTO search_casefts(rowid, tokens) VALUES (new.case_id, new.tokens); END""",
    """CREATE TRIGGER search_casetext_ad AFTER DELETE ON search_casetext BEGIN
         INSERT INTO search_casefts(search_casefts, rowid, tokens) VALUES ('delete', old.case_id, old.tokens); END""",
    """CREATE TRIGGER search_casetext_au AFTER UPDATE ON search_casetext BEGIN
         INSERT INTO search_casefts(search_casefts, rowid, tokens) VALUES ('delete', old.case_id, old.tokens);
         INSERT INTO search_casefts(rowid, tokens) VALUES (new.case_id, new.tokens); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_casetext_ai",
    "DROP TRIGGER IF EXISTS search_casetext_ad",
    "DROP TRIGGER IF EXISTS search_casetext_au",
    "DROP TABLE IF EXISTS search_casefts",
]
POSTGRES = ["CREATE INDEX search_casetext_tsv ON search_casetext USING gin (to_tsvector('simple', tokens))"]
POSTGRES_DROP = ["DROP INDEX IF EXISTS search_casetext_tsv"]


def _run(statements: dict):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
