"""`ordstyrer demo-setup`: the demo municipality, with every app's demo data.

In `web`, the top app: `ordstyrer.demo` runs each feature app's demo, so the command
that calls it cannot live in a lower app (`.importlinter`, "apps-layers")."""

from django.core.management.base import BaseCommand

from ordstyrer.demo import DEMO_PASSWORD, DEMO_SLUG, setup_demo
from ordstyrer.tenants.models import Role


class Command(BaseCommand):
    help = "Create the demo municipality and its demo users (idempotent) and print the logins."

    def handle(self, *args, **options):
        people = setup_demo()
        self.stdout.write(
            f"Demokommunen «{DEMO_SLUG}» er klar. Innlogging (passord: {DEMO_PASSWORD}):"
        )
        for person in people:
            roles = ", ".join(str(Role(r).label) for r in person.roles)
            self.stdout.write(
                f"  {person.username:<14} {person.first_name} {person.last_name} – {roles}"
            )
