from django.urls import path

from ordstyrer.crisis import views

app_name = "crisis"

urlpatterns = [
    path("", views.index, name="index"),
    path("erklaer/", views.declare, name="declare"),
    path("avslutt/", views.end, name="end"),
    path("godkjenning/<str:kind>/<int:object_id>/", views.decide, name="decide"),
    path("pause/", views.paused, name="paused"),
    path("pause/<int:post_id>/", views.paused_decide, name="paused_decide"),
    path("stedfortredere/", views.deputies, name="deputies"),
    path("logg/<int:crisis_id>/", views.log, name="log"),
]
