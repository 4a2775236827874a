"""Demo loader: the generator's bulk path writes cases without the ORM's signals, so index them here."""

from xinfang.search.index import search_reindex


def demo_load() -> str:
    return f"检索索引：{search_reindex()}件"
