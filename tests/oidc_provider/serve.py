"""Start the test OpenID Connect provider: migrate its SQLite file, register
the forum as a confidential client and the people below, then serve on
127.0.0.1 until stopped. Run by tests/accounts/test_oidc_end_to_end.py:

    python -m tests.oidc_provider.serve PORT

with OIDC_PROVIDER_DB, OIDC_PROVIDER_KEY (an RSA key in PEM),
OIDC_PROVIDER_REDIRECT_URI, OIDC_PROVIDER_CLIENT_ID and _SECRET set.
"""

import os
import socketserver
import sys
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import django

os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
django.setup()

# After django.setup(): these modules read the settings and the app registry.
from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402

from tests.oidc_provider.validators import EMAIL_VERIFIED_GROUP  # noqa: E402

PASSWORD = "provider-password"
# username, email, whether the provider vouches for the address, first and last name
PEOPLE = [
    ("noor", "noor.haddad@example.org", True, "Noor", "Haddad"),
    ("amina", "amina@example.org", True, "Amina", "Diallo"),
    ("lena", "lena@example.org", True, "Lena", "Novak"),
    ("impostor", "amina@example.org", False, "Not", "Amina"),
    ("sami", "sami@example.org", False, "Sami", "Laine"),
]


def prepare():
    call_command("migrate", verbosity=0)
    verified = Group.objects.create(name=EMAIL_VERIFIED_GROUP)
    for username, email, is_verified, first_name, last_name in PEOPLE:
        user = User.objects.create_user(username, email, PASSWORD, first_name=first_name, last_name=last_name)
        if is_verified:
            user.groups.add(verified)
    Application.objects.create(
        name="Consultation forum",
        client_id=os.environ["OIDC_PROVIDER_CLIENT_ID"],
        client_secret=os.environ["OIDC_PROVIDER_CLIENT_SECRET"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=os.environ["OIDC_PROVIDER_REDIRECT_URI"],
        algorithm=Application.RS256_ALGORITHM,
    )


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


if __name__ == "__main__":
    prepare()
    server = make_server(
        "127.0.0.1", int(sys.argv[1]), WSGIHandler(), server_class=ThreadingWSGIServer, handler_class=QuietHandler
    )
    server.serve_forever()
