from django.urls import path, register_converter

from circlekeep.notes import views


class ReviewedKind:
    """What a facilitator reviews before a member reads it: a progress note or an
    addendum."""

    regex = "progress|addenda"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ReviewedKind, "reviewed")

app_name = "notes"

urlpatterns = [
    path("meetings/<uuid:meeting_id>/", views.write, name="write"),
    path("meetings/<uuid:meeting_id>/autosave/", views.autosave, name="autosave"),
    path("progress/<uuid:progress_id>/", views.progress_note, name="progress"),
    path("addenda/<uuid:addendum_id>/", views.addendum_review, name="addendum-review"),
    path("<reviewed:kind>/<uuid:item_id>/redactions/", views.adjust, name="adjust"),
    path("<reviewed:kind>/<uuid:item_id>/phrases/preview/", views.phrase_preview,
         name="phrase-preview"),
    path("<reviewed:kind>/<uuid:item_id>/phrases/", views.phrase_add, name="phrase-add"),
    path("<reviewed:kind>/<uuid:item_id>/phrases/<int:group>/restore/", views.phrase_restore,
         name="phrase-restore"),
    path("progress/<uuid:progress_id>/sign/", views.sign, name="sign"),
    path("progress/<uuid:progress_id>/cosign/", views.cosign, name="cosign"),
    path("progress/<uuid:progress_id>/addenda/", views.addendum, name="addendum"),
    path("addenda/<uuid:addendum_id>/add/", views.addendum_add, name="addendum-add"),
    path("addenda/<uuid:addendum_id>/discard/", views.addendum_discard,
         name="addendum-discard"),
    path("mine/", views.mine, name="mine"),
    path("memberships/<uuid:membership_id>/record.pdf", views.export, name="export"),
]
