"""SSO URLs: the flow's two ends sit at fixed root URLs (the provider knows the
callback); the settings page sits under the municipality."""

from django.urls import path

from ordstyrer.sso import views

root_urlpatterns = [
    path("oidc/authenticate/", views.sso_start, name="oidc_authentication_init"),
    path("oidc/callback/", views.sso_callback, name="oidc_authentication_callback"),
    path("oidc/ingen-tilgang/", views.no_access, name="sso_no_access"),
]

urlpatterns = [
    path("", views.mappings, name="sso_mappings"),
    path("<int:pk>/fjern/", views.mapping_remove, name="sso_mapping_remove"),
]
