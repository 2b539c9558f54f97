import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_wsgi_application()  # sets Django up before the import below

from ordstyrer.platforms.views_webhook import receipt_wsgi  # noqa: E402

# Meta's webhook POSTs are answered before Django's request cycle (views_webhook).
application = receipt_wsgi(django_application)
