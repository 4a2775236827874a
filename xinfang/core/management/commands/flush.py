"""Django's flush, with the event log's SQLite delete trigger told that this is a flush (the tests empty
every table between transactional tests). PostgreSQL's flush truncates, which the row trigger lets by;
on a protected production database the app role has no TRUNCATE right anyway."""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from xinfang.core.audit import flushing, sqlite_functions_register


class Command(FlushCommand):
    def handle(self, **options):

        conn = connections[options["database"]]
        conn.ensure_connection()
        sqlite_functions_register(conn)
        with flushing():
            return super().handle(**options)
