from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Kjør bakgrunnsarbeideren til den stoppes: oppgavene i køen (plattformkall, "
        "varsler, publisering) og de faste rundene (frister, planlagte innlegg, henting)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            metavar="SEKUNDER",
            help="hvor ofte køen sjekkes når den er tom (standard: ORDSTYRER_WORKER_INTERVAL)",
        )

    def handle(self, *args, interval, **options):
        from ordstyrer.core.worker import bind_parameters_on_client, make_worker

        bind_parameters_on_client()
        worker = make_worker(interval=interval)
        worker.configure_signals()
        worker.run()
