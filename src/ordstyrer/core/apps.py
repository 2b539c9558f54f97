from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ordstyrer.core"
    label = "core"
    verbose_name = "Ordstyrer core"
    sweeps = "ordstyrer.core.worker.SWEEPS"  # the worker's heartbeat

    def ready(self) -> None:
        from ordstyrer.core import checks  # noqa: F401  (registers system checks)
