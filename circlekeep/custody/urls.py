from django.urls import path

from circlekeep.custody import views

app_name = "custody"

urlpatterns = [
    path("memberships/<uuid:membership_id>/erase/", views.member_erase, name="member-erase"),
]
