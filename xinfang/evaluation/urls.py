from django.urls import path

from xinfang.evaluation import quality_views as q
from xinfang.evaluation import return_visit_views as rv

app_name = "evaluation"
urlpatterns = [
    # 质效评价 (docs/quality.md)
    path("", q.plans, name="plans"),
    path("plans/<int:pk>/", q.plan, name="plan"),
    path("plans/<int:pk>/draw/", q.plan_draw, name="plan_draw"),
    path("plans/<int:pk>/close/", q.plan_close, name="plan_close"),
    path("items/<int:pk>/review/", q.item_review, name="item_review"),
    path("reviews/<int:pk>/", q.review, name="review"),
    path("rectifications/", q.rectifications, name="rectifications"),
    path("rectifications/<int:pk>/", q.rectification, name="rectification"),
    path("rectifications/<int:pk>/submit/", q.rectification_submit, name="rectification_submit"),
    path("rectifications/<int:pk>/accept/", q.rectification_accept, name="rectification_accept"),
    path("rectifications/<int:pk>/send-back/", q.rectification_send_back, name="rectification_send_back"),
    path("rectifications/<int:pk>/supervise/", q.rectification_supervise, name="rectification_supervise"),
    path("criteria/", q.criteria, name="criteria"),
    path("criteria/<int:pk>/", q.criteria_version, name="criteria_version"),
    path("criteria/<int:pk>/edit/", q.criteria_edit, name="criteria_edit"),
    path("flags/", q.flags, name="flags"),
    # 回访 (docs/quality.md "Return visits")
    path("return-visits/", rv.return_visits, name="return_visits"),
    path("return-visits/<int:pk>/", rv.return_visit, name="return_visit"),
]
