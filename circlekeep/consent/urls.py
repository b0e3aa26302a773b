from django.urls import path

from circlekeep.consent import views

app_name = "consent"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("documents/<uuid:document_id>/", views.document_detail, name="document"),
    path("records/<uuid:record_id>/withdraw/", views.withdraw, name="withdraw"),
    path("organizations/<uuid:org_id>/", views.manage, name="manage"),
]
