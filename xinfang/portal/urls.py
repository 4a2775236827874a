from django.urls import path

from xinfang.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("submit/", views.submit, name="submit"),
    path("submit/done/<str:token>/", views.submitted, name="submitted"),
    path("track/", views.track, name="track"),
    path("track/case/", views.case, name="case"),
    path("track/evaluate/", views.evaluate, name="evaluate"),
    path("track/appeal/", views.appeal, name="appeal"),
    path("track/contact/", views.contact, name="contact"),
    path("track/leave/", views.leave, name="leave"),
]
