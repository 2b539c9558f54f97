from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "ordstyrer.sso"
    label = "sso"
    verbose_name = "Single sign-on (OpenID Connect)"
    default_auto_field = "django.db.models.BigAutoField"
