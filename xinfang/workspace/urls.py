from django.urls import path

from xinfang.workspace import views

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.queue, name="queue"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/new/suggest/", views.intake_suggestions, name="intake_suggestions"),
    path("cases/new/lookup/", views.person_lookup, name="person_lookup"),
    path("cases/new/repeats/", views.repeat_check, name="repeat_check"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/act/<slug:action>/", views.case_act_view, name="case_act"),
    path("cases/<int:pk>/reveal/<int:person_pk>/<slug:field>/", views.case_reveal, name="case_reveal"),
    path("cases/<int:pk>/evaluate/", views.case_evaluate, name="case_evaluate"),
    path("cases/<int:pk>/attachments/<int:attachment_pk>/", views.case_attachment, name="case_attachment"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
]
