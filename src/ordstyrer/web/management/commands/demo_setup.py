"""`ordstyrer demo-setup`: the demo municipality, with every app's demo data.

In `web`, the top app: `ordstyrer.demo` runs each feature app's demo, so the command
that calls it cannot live in a lower app (`.importlinter`, "apps-layers")."""

from django.conf import settings

from ordstyrer.core.commands import NorwegianCommand, UsageError
from ordstyrer.demo import DEMO_PASSWORD, DEMO_SLUG, setup_demo
from ordstyrer.tenants.models import Role


class Command(NorwegianCommand):
    help = "Create the demo municipality and its demo users (idempotent) and print the logins."
    prog = "ordstyrer demo-setup"

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            # The demo's accounts (communications and the chief administrator among them)
            # share one published password.
            raise UsageError(
                "Demodata lages ikke i produksjon (ORDSTYRER_PRODUCTION=true): demobrukerne "
                "har et kjent passord."
            )
        people = setup_demo()
        self.stdout.write(
            f"Demokommunen «{DEMO_SLUG}» er klar. Innlogging (passord: {DEMO_PASSWORD}):"
        )
        for person in people:
            roles = ", ".join(str(Role(r).label) for r in person.roles)
            self.stdout.write(
                f"  {person.username:<14} {person.first_name} {person.last_name} – {roles}"
            )
