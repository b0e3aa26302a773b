from django.urls import path

from circlekeep.notes import views

app_name = "notes"

urlpatterns = [
    path("meetings/<uuid:meeting_id>/", views.write, name="write"),
    path("progress/<uuid:progress_id>/", views.progress_note, name="progress"),
    path("progress/<uuid:progress_id>/redactions/", views.adjust, name="adjust"),
    path("progress/<uuid:progress_id>/sign/", views.sign, name="sign"),
    path("progress/<uuid:progress_id>/cosign/", views.cosign, name="cosign"),
    path("progress/<uuid:progress_id>/addenda/", views.addendum, name="addendum"),
    path("mine/", views.mine, name="mine"),
    path("memberships/<uuid:membership_id>/record.pdf", views.export, name="export"),
]
