"""Django's database sessions (`SESSION_ENGINE=xinfang.core.sessions`, the default), the session read by one
statement written once (issue 14).

Every request of a logged-in user reads its session; Django's store builds and compiles
`Session.objects.get(session_key=…, expire_date__gt=now)` each time, which cost a cached case page more worker
CPU than running it. This store runs the same SELECT — same table, same columns, same condition, the moment
prepared for the database as the ORM prepares it — and is otherwise Django's `db` store (writes, expiry,
`clearsessions`), so sessions move between the two unchanged. `cached_db` (several servers, Redis) reads the
cache first and comes here when the cache misses.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone

_READS: dict[tuple[str, str], str] = {}


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Any:
        key = self.session_key
        if key is None:
            self._session_key = None
            return None
        model = self.model
        using = router.db_for_read(model)
        connection = connections[using]
        sql = _READS.get((using, connection.vendor))
        if sql is None:
            quote, meta = connection.ops.quote_name, model._meta
            data, session_key, expire = (
                meta.get_field(n).column  # type: ignore[union-attr]
                for n in ("session_data", "session_key", "expire_date")
            )
            sql = _READS[(using, connection.vendor)] = (
                f"SELECT {quote(data)} FROM {quote(meta.db_table)}"
                f" WHERE {quote(session_key)} = %s AND {quote(expire)} > %s"
            )
        now = model._meta.get_field("expire_date").get_db_prep_value(timezone.now(), connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=key, session_data=row[0])
