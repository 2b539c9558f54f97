from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ordstyrer.web"
    label = "web"
    verbose_name = "Ordstyrer console"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from ordstyrer.web.throttle import log_failed_login

        # A log line per failed login (issue #18), never with the password.
        user_login_failed.connect(log_failed_login, dispatch_uid="ordstyrer.log_failed_login")
