from django.urls import path

from circlekeep.orgs import views

app_name = "orgs"

urlpatterns = [
    path("<uuid:org_id>/settings/", views.settings_page, name="settings"),
    path("<uuid:org_id>/staff/", views.staff, name="staff"),
    path("staff/<uuid:role_id>/role/", views.staff_role_change, name="staff-role-change"),
    path("staff/<uuid:role_id>/remove/", views.staff_role_remove, name="staff-role-remove"),
    path("staff/<uuid:role_id>/reset-two-step/", views.staff_two_factor_reset,
         name="staff-otp-reset"),
]
