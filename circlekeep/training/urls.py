from django.urls import path

from circlekeep.training import views

app_name = "training"

urlpatterns = [
    path("", views.home, name="home"),
    path("verify/", views.verify, name="verify"),
    path("<uuid:organization_id>/", views.programme, name="programme"),
    path("<uuid:organization_id>/set-up/", views.set_up, name="set-up"),
    path("<uuid:organization_id>/settings/", views.programme_settings, name="settings"),
    path("<uuid:organization_id>/practice/", views.practice, name="practice"),
    path("<uuid:organization_id>/hours.csv", views.hours, name="hours"),
    path("modules/<uuid:module_id>/", views.module, name="module"),
    path("modules/<uuid:module_id>/edit/", views.module_edit, name="module-edit"),
    path("attempts/<uuid:attempt_id>/", views.attempt, name="attempt"),
    path("certificates/<uuid:certificate_id>.pdf", views.certificate_download,
         name="certificate-pdf"),
]
