from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ordstyrer.api"
    label = "api"
    verbose_name = "Ordstyrer HTTP API"

    def ready(self) -> None:
        from ordstyrer.api.writes import idempotency_sweep
        from ordstyrer.core.worker import register_sweep

        register_sweep("api_idempotency_expiry", idempotency_sweep, every=3600)
