from django.urls import path

from circlekeep.onboarding import views

app_name = "onboarding"

M = "memberships/<uuid:membership_id>/onboarding/"

urlpatterns = [
    path(M, views.checklist, name="checklist"),
    path(M + "orientation/", views.orientation, name="orientation"),
    path(M + "questions/", views.questions, name="questions"),
    path(M + "questions/settled/", views.questions_settled, name="questions-settled"),
    path(M + "online-rules/", views.online_rules, name="online-rules"),
    path(M + "relationships/", views.relationships, name="relationships"),
    path(M + "relationships/decision/", views.screening_decision, name="screening-decision"),
]
