from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve the console (waitress) with an in-process background worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=settings.WEB_PORT)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not run the background worker in this process (run `ordstyrer worker`).",
        )

    def handle(self, *args, host, port, threads, no_worker, **options):
        from waitress import serve

        from config.wsgi import application
        from ordstyrer.core.worker import start_in_thread

        if not 0 < port < 65536:
            raise CommandError(f"Ugyldig port: {port}")
        if not no_worker:
            start_in_thread()
        self.stdout.write(f"Ordstyrer kjører på http://{host}:{port}/  (Ctrl+C avslutter)")
        serve(application, host=host, port=port, threads=threads, ident="Ordstyrer")
