from django.urls import path

from circlekeep.circles import views

app_name = "circles"

urlpatterns = [
    path("new/", views.circle_create, name="create"),
    path("<uuid:circle_id>/", views.circle_detail, name="detail"),
    path("<uuid:circle_id>/edit/", views.circle_edit, name="edit"),
    path("<uuid:circle_id>/invite/", views.member_invite, name="member-invite"),
    path("<uuid:circle_id>/facilitators/add/", views.facilitator_add, name="facilitator-add"),
    path("facilitations/<uuid:facilitation_id>/remove/", views.facilitator_remove,
         name="facilitator-remove"),
    path("memberships/<uuid:membership_id>/", views.membership_detail, name="membership"),
    path("memberships/<uuid:membership_id>/guardian/", views.guardian_invite,
         name="guardian-invite"),
    path("memberships/<uuid:membership_id>/leave/", views.membership_leave,
         name="membership-leave"),
    path("organizations/<uuid:org_id>/invitations/", views.invitations, name="invitations"),
    path("organizations/<uuid:org_id>/", views.organization_circles,
         name="organization-circles"),
    path("invitations/<uuid:invitation_id>/revoke/", views.invitation_revoke,
         name="invitation-revoke"),
]
