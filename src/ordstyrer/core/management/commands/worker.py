from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background worker (queued tasks) until stopped."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=None, help="Idle poll interval in seconds."
        )

    def handle(self, *args, interval, **options):
        from ordstyrer.core.worker import bind_parameters_on_client, make_worker

        bind_parameters_on_client()
        worker = make_worker(interval=interval)
        worker.configure_signals()
        worker.run()
