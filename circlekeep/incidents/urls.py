from django.urls import path

from circlekeep.incidents import views

app_name = "incidents"

urlpatterns = [
    path("circles/<uuid:circle_id>/report/", views.report, name="report"),
    path("circles/<uuid:circle_id>/", views.circle_concerns, name="circle"),
    path("concerns/<uuid:concern_id>/", views.concern_detail, name="concern"),
    path("concerns/<uuid:concern_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("concerns/<uuid:concern_id>/assess/", views.assess, name="assess"),
    path("concerns/<uuid:concern_id>/raise/", views.raise_in_group, name="raise"),
    path("concerns/<uuid:concern_id>/decide/", views.decide, name="decide"),
    path("concerns/<uuid:concern_id>/close/", views.close, name="close"),
    path("decisions/<uuid:decision_id>/respond/", views.respond, name="respond"),
    path("organizations/<uuid:org_id>/privacy/", views.privacy_incidents,
         name="privacy-list"),
    path("privacy/<uuid:incident_id>/", views.privacy_incident, name="privacy"),
    path("privacy/<uuid:incident_id>/affected/", views.privacy_affected,
         name="privacy-affected"),
    path("privacy/<uuid:incident_id>/notifications/", views.privacy_notify,
         name="privacy-notify"),
    path("privacy/<uuid:incident_id>/notifications/<uuid:notification_id>/sent/",
         views.privacy_sent, name="privacy-sent"),
]
