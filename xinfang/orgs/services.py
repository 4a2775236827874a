"""Writes to the organisation trees: moving a region or a body under another parent.

Both trees keep a materialised path ("/990100/990101/") so that "everything under X" is one indexed prefix
query. A node's own `save()` recomputes its own path only, so a change of parent (or code) is made here:
the node and its whole subtree are rewritten in one transaction under row locks, and an event records the
move. The admin goes through the same function (orgs/admin.py)."""

from __future__ import annotations

from django.db import models, transaction
from django.utils.translation import gettext

from xinfang.core.errors import ValidationFailed
from xinfang.core.events import event_record
from xinfang.orgs.models import Body, Region


def subtree_paths_rewrite(*, model: type[models.Model], old_path: str, new_path: str) -> int:
    """Every node under `old_path` (the node itself included) gets `new_path` as its prefix instead; one
    UPDATE per row, inside the caller's transaction. Returns how many rows changed."""
    if old_path == new_path:
        return 0
    rows = list(model.objects.select_for_update().filter(path__startswith=old_path).order_by("path"))  # type: ignore[attr-defined]
    for row in rows:
        row.path = new_path + row.path[len(old_path) :]
    model.objects.bulk_update(rows, ["path"])  # type: ignore[attr-defined]
    return len(rows)


def _move(*, actor, node, parent, model, what: str):
    with transaction.atomic():
        node = model.objects.select_for_update().get(pk=node.pk)
        if parent is not None:
            parent = model.objects.select_for_update().get(pk=parent.pk)
            if parent.path.startswith(node.path):
                raise ValidationFailed(
                    gettext("不能把%(what)s移到它自己或它的下级之下。") % {"what": node.name},
                    code="move_into_own_subtree",
                    extra={"parent": gettext("不能是自身或下级")},
                )
        old_parent, old_path = node.parent_id, node.path
        new_path = (parent.path if parent else "/") + f"{node.code}/"
        subtree_paths_rewrite(model=model, old_path=old_path, new_path=new_path)
        model.objects.filter(pk=node.pk).update(parent=parent)
        node.refresh_from_db()
        event_record(
            actor=getattr(actor, "user", actor),
            body=getattr(actor, "body", None),
            obj=node,
            action=f"{what}_move",
            old={"parent": old_parent, "path": old_path},
            new={"parent": parent.pk if parent else None, "path": node.path},
        )
        return node


def body_move(*, actor, body: Body, parent: Body | None) -> Body:
    """Put `body` under `parent` (None: a top body); its subtree's paths follow in the same transaction."""
    return _move(actor=actor, node=body, parent=parent, model=Body, what="body")


def region_move(*, actor, region: Region, parent: Region | None) -> Region:
    """Put `region` under `parent` (None: a top region); its subtree's paths follow in the same transaction."""
    return _move(actor=actor, node=region, parent=parent, model=Region, what="region")
