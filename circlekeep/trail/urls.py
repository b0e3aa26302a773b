from django.urls import path

from circlekeep.trail import views

app_name = "audit"

urlpatterns = [
    path("mine/", views.my_access, name="my-access"),
    path("head.json", views.signed_head, name="head"),
    path("", views.trail, name="trail"),
    path("export.csv", views.export, name="export"),
    path("security/", views.security, name="security"),
]
