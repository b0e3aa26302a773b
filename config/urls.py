from django.urls import include, path
from django.views.i18n import set_language

from circlekeep.api.main import api
from circlekeep.home import views as home_views
from circlekeep.meetings import views as meeting_views

urlpatterns = [
    path("", home_views.home, name="home"),
    path("healthz", home_views.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set-language"),
    path("accounts/", include("circlekeep.accounts.urls")),
    path("org/", include("circlekeep.orgs.urls")),
    path("circles/", include("circlekeep.circles.urls")),
    path("circles/", include("circlekeep.custody.urls")),
    path("circles/", include("circlekeep.onboarding.urls")),
    path("agreements/", include("circlekeep.agreements.urls")),
    path("consent/", include("circlekeep.consent.urls")),
    path("meetings/", include("circlekeep.meetings.urls")),
    path("meetings/", include("circlekeep.rooms.urls")),
    path("notes/", include("circlekeep.notes.urls")),
    path("disclosures/", include("circlekeep.disclosures.urls")),
    path("incidents/", include("circlekeep.incidents.urls")),
    path("calendar/<str:secret>.ics", meeting_views.calendar_feed, name="calendar-feed"),
    path("audit/", include("circlekeep.trail.urls")),
    path("notifications/", include("circlekeep.notify.urls")),
    path("training/", include("circlekeep.training.urls")),
    path("feedback/", include("circlekeep.feedback.urls")),
    path("api/v1/", api.urls),
]

handler404 = "circlekeep.lib.errors.page_not_found"
handler403 = "circlekeep.lib.errors.permission_denied"
handler500 = "circlekeep.lib.errors.server_error"
