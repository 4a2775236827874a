from django.urls import path

from xinfang.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("ledger.xlsx", views.ledger_xlsx, name="ledger_xlsx"),
    path("backlog.xlsx", views.backlog_xlsx, name="backlog_xlsx"),
    path("figures.xlsx", views.figures_xlsx, name="figures_xlsx"),
]
