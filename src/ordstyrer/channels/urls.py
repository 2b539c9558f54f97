"""Channel pages, included under `m/<slug:slug>/kanaler/` by `ordstyrer.web.urls`."""

from django.urls import path

from ordstyrer.channels import views, views_operations

app_name = "channels"

urlpatterns = [
    path("", views.channel_list, name="list"),
    path("kontoliste.csv", views.account_list_csv, name="accounts_csv"),
    path("ny/", views.propose, name="propose"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/endre/", views.edit, name="edit"),
    path("<int:pk>/handling/", views.act, name="act"),
    path("<int:pk>/roller/", views.roles, name="roles"),
    path("<int:pk>/roller/<int:user_id>/fjern/", views.role_remove, name="role_remove"),
    path("<int:pk>/stenging/", views_operations.closures, name="closures"),
    path(
        "<int:pk>/stenging/<int:closure_id>/",
        views_operations.closure_action,
        name="closure_action",
    ),
    path("<int:pk>/husregler/", views_operations.house_rules, name="house_rules"),
    path("<int:pk>/gjennomgang/", views_operations.review, name="review"),
]
