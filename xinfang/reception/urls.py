from django.urls import path

from xinfang.reception import views

app_name = "reception"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("checkin/", views.checkin, name="checkin"),
    path("kiosk/", views.kiosk, name="kiosk"),
    path("tickets/<int:pk>/", views.ticket, name="ticket"),
    path("tickets/<int:pk>/visit/", views.visit_for_ticket, name="visit_for_ticket"),
    path("tickets/<int:pk>/transfer/", views.ticket_transfer, name="ticket_transfer"),
    path("tickets/<int:pk>/<slug:action>/", views.ticket_act, name="ticket_act"),
    path("board/<slug:code>/", views.board, name="board"),
    path("board/<slug:code>/panel/", views.board_panel, name="board_panel"),
    path("services/<int:pk>/open/", views.service_open, name="service_open"),
    path("windows/<int:pk>/", views.window, name="window"),
    path("windows/<int:pk>/call/", views.call_next, name="call_next"),
    path("visits/", views.visits, name="visits"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("visits/<int:pk>/", views.visit, name="visit"),
    path("visits/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("visits/<int:pk>/recording/", views.recording, name="recording"),
    path("duty/", views.duty, name="duty"),
    path("duty/<int:pk>/remove/", views.duty_remove, name="duty_remove"),
    path("hearings/", views.hearings, name="hearings"),
    path("hearings/new/", views.hearing_new, name="hearing_new"),
    path("hearings/<int:pk>/", views.hearing, name="hearing"),
    path("hearings/<int:pk>/<slug:action>/", views.hearing_act, name="hearing_act"),
    path("public/hearings/", views.hearings_public, name="hearings_public"),
    path("public/hearings/<int:pk>/", views.hearing_public, name="hearing_public"),
    path("archive/", views.archive, name="archive"),
    path("archive/<int:case_pk>/", views.archive_case, name="archive_case"),
    path("figures/", views.figures, name="figures"),
]
