"""Test data made the way the site makes it: comments go through the services."""

import itertools
import json
import signal
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.utils import timezone

from accounts import services as accounts_services
from accounts import terms as accounts_terms
from accounts.models import LegalDocument, User
from consultation.oidc import parse_oidc_providers
from forum import services
from forum.models import Consultation, GuidingQuestion, QuestionGroup, Room, RoomModerator

_sequence = itertools.count(1)


def make_user(display_name=None, *, confirmed=True, **fields):
    """A person who can sign in with password 'password' (email confirmed unless told
    otherwise), who chose how the report may quote them as sign-up asks (pass
    quoting_consent_chosen_at=None for an account made before it asked)."""
    n = next(_sequence)
    display_name = display_name or f"Participant {n}"
    email = fields.pop("email", f"person{n}@example.org")
    fields.setdefault("quoting_consent_chosen_at", timezone.now())
    user = User.objects.create_user(email=email, password="password", display_name=display_name, **fields)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=confirmed)
    return user


def oidc_provider_setting(*, id="contoso", name="Contoso", server_url="https://id.example.org", **keys):
    """SOCIALACCOUNT_PROVIDERS for one OpenID Connect provider, made as OIDC_PROVIDERS makes it."""
    provider = {"id": id, "name": name, "server_url": server_url, "client_id": "client", "secret": "secret"} | keys
    return {"openid_connect": {"APPS": parse_oidc_providers(json.dumps([provider]))}}


def make_consultation(**fields):
    n = next(_sequence)
    defaults = {
        "title": f"Review of the rule of law programme {n}",
        "slug": f"review-{n}",
        "introduction": "We want to hear from you.",
        "is_published": True,
    }
    return Consultation.objects.create(**(defaults | fields))


def make_room(consultation=None, **fields):
    consultation = consultation or make_consultation()
    n = next(_sequence)
    defaults = {
        "consultation": consultation,
        "title": f"Room {n}",
        "slug": f"room-{n}",
        "introduction": "Welcome to this discussion.",
        "is_published": True,
        "state": Room.State.OPEN,
    }
    return Room.objects.create(**(defaults | fields))


def make_question_group(room, heading="Access", *, position=0):
    return QuestionGroup.objects.create(room=room, heading=heading, position=position)


def make_question(room, text="What works?", *, position=0, group=None):
    return GuidingQuestion.objects.create(room=room, text=text, position=position, group=group)


def assign_moderator(room, user, *, starts_in_days=None, ends_in_days=None):
    today = timezone.localdate()
    return RoomModerator.objects.create(
        room=room,
        user=user,
        starts_on=None if starts_in_days is None else today + timedelta(days=starts_in_days),
        ends_on=None if ends_in_days is None else today + timedelta(days=ends_in_days),
    )


def make_comment(room, author=None, body="A thoughtful comment.", **fields):
    return services.post_comment(author or make_user(), room=room, body=body, **fields)


def make_reply(parent, author=None, body="A thoughtful reply.", **fields):
    return services.reply_to_comment(author or make_user(), parent=parent, body=body, **fields)


def publish_document(kind="terms", version="1", *, by=None, **fields):
    """A version of the terms of use (or privacy notice) published by staff, as in the admin."""
    defaults = {"title": dict(LegalDocument.Kind.choices)[kind], "body": f"The {kind} text, version {version}."}
    document = LegalDocument.objects.create(kind=kind, version=version, **(defaults | fields))
    staff = by or User.objects.filter(is_staff=True).first() or make_user("Legal Staff", is_staff=True)
    return accounts_services.publish_document(staff, document=document)


def accept_documents(user, *documents):
    """The person ticks the box for these versions (all current ones when none are named)."""
    ids = [document.pk for document in documents] or accounts_terms.read_current_document_ids()
    accounts_services.accept_documents(user, document_ids=ids, source="acceptance_page")


def run_task_worker():
    """Run the database queue's worker until no task is ready, as `db_worker --batch` does."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        # The worker takes over Ctrl-C for a graceful stop; give it back to pytest.
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
