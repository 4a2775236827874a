from django.urls import path

from xinfang.deadlines import views

app_name = "deadlines"
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("items/<int:pk>/clear/", views.clear, name="clear"),
    path("oversight/", views.oversight, name="oversight"),
    path("oversight/<int:body_id>/", views.oversight_body, name="oversight_body"),
]
