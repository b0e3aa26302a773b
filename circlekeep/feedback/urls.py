from django.urls import path

from circlekeep.feedback import views

app_name = "feedback"

urlpatterns = [
    path("tokens/", views.waiting, name="waiting"),
    path("circles/<str:circle_id>/", views.circle, name="circle"),
    path("rounds/<str:round_id>/", views.round_page, name="round"),
    path("rounds/<str:round_id>/close/", views.close, name="close"),
    path("rounds/<str:round_id>/summary/", views.share_summary, name="summary"),
    path("rounds/<str:round_id>/token/", views.token, name="token"),
    path("concern-keys/<str:key_id>/token/", views.concern_token, name="concern_token"),
]
