from django.urls import path

from xinfang.resolution import views

app_name = "resolution"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.referral_new, name="new"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/options/", views.organisation_options, name="organisation_options"),
    path("figures/", views.figures, name="figures"),
    path("figures/export.xlsx", views.figures_xlsx, name="figures_xlsx"),
    path("figures/drill/", views.figures_drill, name="figures_drill"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/accept/", views.referral_accept, name="accept"),
    path("<int:pk>/sessions/", views.session_new, name="session_new"),
    path("<int:pk>/outcome/", views.outcome_record, name="outcome"),
    path("<int:pk>/confirmation/", views.confirmation_record, name="confirmation"),
    path("<int:pk>/withdraw/", views.referral_withdraw, name="withdraw"),
    path("<int:pk>/agreement.<str:fmt>", views.agreement_document, name="agreement_document"),
]
