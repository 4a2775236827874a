from django.urls import path

from xinfang.intake import views

app_name = "intake"
urlpatterns = [
    path("assist/<int:pk>/done/", views.assist_complete, name="assist_complete"),
]
