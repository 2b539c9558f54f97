from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ordstyrer.web"
    label = "web"
    verbose_name = "Ordstyrer console"
