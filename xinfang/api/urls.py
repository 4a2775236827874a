from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView

from xinfang.api import views
from xinfang.documents import api as documents_api
from xinfang.evaluation import api as evaluation_api
from xinfang.evaluation import quality_api
from xinfang.reception import api as reception_api
from xinfang.resolution import api as resolution_api
from xinfang.supervision import api as supervision_api

app_name = "api"
urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="schema"),
    path("cases/", views.CaseListCreate.as_view(), name="cases"),
    path("cases/<str:number>/", views.CaseDetailView.as_view(), name="case"),
    path("cases/<str:number>/actions/<str:action>/", views.CaseActionView.as_view(), name="case-action"),
    path("intake/suggest/", views.IntakeSuggestView.as_view(), name="intake-suggest"),
    path("workflow/", views.WorkflowView.as_view(), name="workflow"),
    *reception_api.urlpatterns,
    *resolution_api.urlpatterns,
    *documents_api.urlpatterns,
    *supervision_api.urlpatterns,
    *evaluation_api.urlpatterns,
    *quality_api.urlpatterns,
]
