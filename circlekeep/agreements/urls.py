from django.urls import path

from circlekeep.agreements import views

app_name = "agreements"

urlpatterns = [
    path("circles/<uuid:circle_id>/", views.circle_agreement, name="circle"),
    path("circles/<uuid:circle_id>/check/", views.check, name="check"),
    path("circles/<uuid:circle_id>/propose/", views.propose, name="propose"),
    path("circles/<uuid:circle_id>/review/", views.record_review, name="review"),
    path("circles/<uuid:circle_id>/cadence/", views.set_cadence, name="cadence"),
    path("versions/<uuid:version_id>/", views.version_detail, name="version"),
    path("versions/<uuid:version_id>/sign/", views.sign, name="sign"),
    path("signatures/<uuid:signature_id>/pdf/", views.signature_download,
         name="signature-pdf"),
    path("proposals/<uuid:proposal_id>/", views.proposal_detail, name="proposal"),
    path("proposals/<uuid:proposal_id>/decide/", views.proposal_decide,
         name="proposal-decide"),
    path("templates/<uuid:org_id>/", views.template_edit, name="template"),
]
