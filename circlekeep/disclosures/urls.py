from django.urls import path

from circlekeep.disclosures import views

app_name = "disclosures"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("memberships/<uuid:membership_id>/", views.membership_page, name="membership"),
    path("memberships/<uuid:membership_id>/legal/", views.legal, name="legal"),
    path("authorizations/<uuid:authorization_id>/revoke/", views.revoke, name="revoke"),
    path("authorizations/<uuid:authorization_id>/disclose/", views.record, name="record"),
    path("<uuid:disclosure_id>/suspend/", views.suspend, name="suspend"),
]
