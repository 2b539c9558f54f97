from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ordstyrer.core"
    label = "core"
    verbose_name = "Ordstyrer core"
    sweeps = "ordstyrer.core.worker.SWEEPS"  # heartbeat, expired sessions

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from ordstyrer.core import checks  # noqa: F401  (registers system checks)
        from ordstyrer.core.languages import remember_on_login

        # The person's kept language into each new session (core.languages), however
        # they log in: the login page, single sign-on, the operators' admin.
        user_logged_in.connect(remember_on_login, dispatch_uid="ordstyrer.remember_language")
