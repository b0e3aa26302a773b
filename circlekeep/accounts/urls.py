from django.contrib.auth import views as auth_views
from django.urls import path

from circlekeep.accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.sign_in, name="login"),
    path("sign-out/", views.sign_out, name="logout"),
    path("session/keep/", views.keep_session, name="keep-session"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="logout-everywhere"),
    path("two-step/verify/", views.otp_verify, name="otp-verify"),
    # Under two-step/ so that someone who must still set up two-step sign-in can reach it.
    path("two-step/confirm-its-you/", views.reauthenticate, name="reauthenticate"),
    path("two-step/setup/", views.otp_setup, name="otp-setup"),
    path("two-step/backup-codes/", views.otp_backup_codes, name="otp-backup-codes"),
    path("two-step/turn-off/", views.otp_disable, name="otp-disable"),
    path("profile/", views.profile, name="profile"),
    path("security/", views.security, name="security"),
    path("security/password/", views.change_password, name="password-change"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="accounts/password_reset_sent.html"), name="password-reset-sent"),
    path("password-reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(),
         name="password-reset-confirm"),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_done.html"), name="password-reset-done"),
    path("invitations/accept/", views.accept_invitation, name="invitation-accept"),
    path("invitations/<str:token>/", views.invitation_link, name="invitation-link"),
    path("tokens/", views.api_tokens, name="api-tokens"),
    path("tokens/<uuid:token_id>/revoke/", views.api_token_revoke, name="api-token-revoke"),
]
