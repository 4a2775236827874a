from django.urls import path

from xinfang.orgs import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("body/", views.choose_body, name="choose_body"),
]
