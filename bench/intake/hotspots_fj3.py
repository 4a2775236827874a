"""Top ten hot issues on fj3_hot_issues.xlsx (prints titles/places/counts only, no user ids)."""

import time

from common import SHARED, parse_time, read_xlsx

from xinfang.intake.hotspots import hot_issues

rows = read_xlsx(SHARED / "tipdm2020c" / "fj3_hot_issues.xlsx")
msgs = [
    {
        "id": r["留言编号"],
        "title": r["留言主题"],
        "body": r["留言详情"],
        "time": parse_time(r["留言时间"]),
        "user": r["留言用户"],
        "likes": r["点赞数"],
        "dislikes": r["反对数"],
    }
    for r in rows
]
print(f"messages: {len(msgs)}, unparsed dates: {sum(m['time'] is None for m in msgs)}")
t = time.perf_counter()
top = hot_issues(msgs, top=10)
print(f"clustered in {time.perf_counter() - t:.1f}s")
for h in top:
    span = f"{h.first:%Y-%m-%d}–{h.last:%Y-%m-%d}" if h.first else "?"
    print(
        f"{h.rank:2d}. heat={h.heat:7.1f} n={h.count:3d} people={h.petitioners:3d} likes={h.likes:5d} {span}  {h.label[:60]}"
    )
