from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ordstyrer.api"
    label = "api"
    verbose_name = "Ordstyrer HTTP API"
    # Expired idempotency keys are forgotten hourly by every worker (`core.worker`).
    sweeps = "ordstyrer.api.sweeps.SWEEPS"
