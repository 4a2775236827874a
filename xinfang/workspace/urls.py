from django.urls import path

from xinfang.workspace import views

urlpatterns = [
    path("", views.home, name="home"),
]
