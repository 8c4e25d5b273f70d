"""Every URL of the site has been given an owner's decision: public, or for
signed-in people only. A new view whose name is not in ACCESS fails here,
so nobody can add a page without deciding who may see it.

The Django admin and allauth's own pages under accounts/ are theirs to guard
and are left out.
"""

from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.timezone import localdate

from accounts import services as accounts_services
from accounts.models import LegalDocument
from forum import emails, invitations, services
from forum.models import Notification, RoomDocument
from forum.services import synthesis
from forum.services.summaries import write_summary
from tests import factories

PUBLIC = "public"
LOGIN_REQUIRED = "login required"
# A POST anyone may send that changes only their own visit (the site's language).
PUBLIC_ACTION = "public action"

ACCESS = {
    "forum:profile": PUBLIC,
    "accounts:profile-edit": LOGIN_REQUIRED,
    "accounts:request-organisation-verification": LOGIN_REQUIRED,
    "accounts:set-language": PUBLIC_ACTION,
    # The terms of use and privacy notice, every published version; accepting them takes an account.
    "accounts:terms": PUBLIC,
    "accounts:terms-version": PUBLIC,
    "accounts:privacy": PUBLIC,
    "accounts:privacy-version": PUBLIC,
    "accounts:accept-documents": LOGIN_REQUIRED,
    # The start of signing in with an organisation's provider (allauth's view, wrapped).
    "accounts:provider-login": PUBLIC,
    "forum:home": PUBLIC,
    "forum:consultation": PUBLIC,
    "forum:room": PUBLIC,
    "forum:thread": PUBLIC,
    "forum:comment-permalink": PUBLIC,
    "forum:comment-translation": PUBLIC,
    "forum:search": PUBLIC,
    # Opened from emails without logging in: the signed token in the address authorises it.
    "forum:unsubscribe": PUBLIC,
    # A moderator invitation says whom it is for; accepting it takes logging in or signing up.
    "forum:invitation": PUBLIC,
    "forum:new-comment": LOGIN_REQUIRED,
    "forum:reply": LOGIN_REQUIRED,
    "forum:edit-comment": LOGIN_REQUIRED,
    "forum:delete-comment": LOGIN_REQUIRED,
    "forum:report-comment": LOGIN_REQUIRED,
    "forum:endorse-comment": LOGIN_REQUIRED,
    "forum:comment-history": LOGIN_REQUIRED,
    "forum:follow-room": LOGIN_REQUIRED,
    "forum:follow-thread": LOGIN_REQUIRED,
    "forum:notifications": LOGIN_REQUIRED,
    "forum:notifications-read": LOGIN_REQUIRED,
    "forum:open-notification": LOGIN_REQUIRED,
    "forum:email-preferences": LOGIN_REQUIRED,
    "forum:mention-suggestions": LOGIN_REQUIRED,
    "forum:flag-comment": LOGIN_REQUIRED,
    "forum:moderation-queue": LOGIN_REQUIRED,
    "forum:moderate-comment": LOGIN_REQUIRED,
    "forum:act-on-comment": LOGIN_REQUIRED,
    "forum:room-state": LOGIN_REQUIRED,
    "forum:shift-notes": LOGIN_REQUIRED,
    "forum:suspend": LOGIN_REQUIRED,
    "forum:lift-suspension": LOGIN_REQUIRED,
    # Exports: moderators (room or consultation) and staff; everyone else signed in gets 403.
    "forum:room-export-csv": LOGIN_REQUIRED,
    "forum:room-export-json": LOGIN_REQUIRED,
    "forum:consultation-export-csv": LOGIN_REQUIRED,
    "forum:consultation-export-json": LOGIN_REQUIRED,
    # Summary pages: moderators and staff (403 for others); public once closed if the consultation says so.
    "forum:room-summary": LOGIN_REQUIRED,
    "forum:consultation-summary": LOGIN_REQUIRED,
    # Moderators' written summaries are read by everyone; writing and editing is for the room's moderators.
    "forum:room-summaries": PUBLIC,
    # A room's documents, for whoever may read the room (404 for the others).
    "forum:room-document": PUBLIC,
    "forum:write-room-summary": LOGIN_REQUIRED,
    "forum:edit-room-summary": LOGIN_REQUIRED,
    # A person's own data and account, and staff deleting one on request (404 for everyone else).
    "forum:download-my-data": LOGIN_REQUIRED,
    "forum:delete-my-account": LOGIN_REQUIRED,
    "forum:delete-account-on-request": LOGIN_REQUIRED,
    # The published report is everyone's; its workbench and drafts are for its rapporteurs, moderators and staff.
    "forum:policy-report": PUBLIC,
    "forum:policy-report-version": PUBLIC,
    "forum:policy-report-download": PUBLIC,
    "forum:report-workbench": LOGIN_REQUIRED,
    "forum:report-add-finding": LOGIN_REQUIRED,
    "forum:report-edit-finding": LOGIN_REQUIRED,
    "forum:report-move-finding": LOGIN_REQUIRED,
    "forum:report-delete-finding": LOGIN_REQUIRED,
    "forum:report-add-evidence": LOGIN_REQUIRED,
    "forum:report-remove-evidence": LOGIN_REQUIRED,
    "forum:report-reviewed": LOGIN_REQUIRED,
    "forum:report-tag": LOGIN_REQUIRED,
    "forum:report-question-comments": LOGIN_REQUIRED,
    "forum:report-publish": LOGIN_REQUIRED,
    "forum:report-draft-export": LOGIN_REQUIRED,
}


def _is_someone_elses(resolver: URLResolver) -> bool:
    module_name = getattr(resolver.urlconf_module, "__name__", "")
    return resolver.namespace == "admin" or module_name.split(".")[0] == "allauth"


def project_patterns(patterns=None, namespaces=(), prefix=""):
    """(full name or None, route, pattern) for each of the project's own URL patterns."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if _is_someone_elses(entry):
                continue
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from project_patterns(entry.url_patterns, inner, route)
        elif isinstance(entry, URLPattern):
            name = ":".join((*namespaces, entry.name)) if entry.name else None
            yield name, route, entry


def test_every_url_of_the_project_is_declared_public_or_login_required():
    found = {name: route for name, route, _ in project_patterns()}

    unnamed = sorted(route for name, route in found.items() if name is None)
    undecided = sorted(f"{name} ({route})" for name, route in found.items() if name and name not in ACCESS)
    gone = sorted(set(ACCESS) - set(found))
    assert not unnamed, f"give these URL patterns a name and an entry in ACCESS: {unnamed}"
    assert not undecided, f"decide who may see these and add them to ACCESS: {undecided}"
    assert not gone, f"these names are in ACCESS but no longer in the URLs: {gone}"


def test_the_walk_sees_the_sites_pages_but_not_the_admin_or_allauth():
    routes = {route for _, route, _ in project_patterns()}

    assert "c/<slug:consultation_slug>/<slug:room_slug>/" in routes
    assert "accounts/profile/" in routes
    assert not any(route.startswith("admin/") for route in routes)
    assert "accounts/login/" not in routes


@pytest.fixture
def url_values(db, settings, tmp_path):
    """A value for each kind of URL parameter, from a small world."""
    settings.SOCIALACCOUNT_PROVIDERS = factories.oidc_provider_setting()
    settings.MEDIA_ROOT = tmp_path
    room = factories.make_room(title="Access to justice")
    document = RoomDocument(room=room, title="Review", content_type="application/pdf", size=9)
    document.file.save("review.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    author = factories.make_user("Ngozi Okafor", email="ngozi.private@example.org")
    replier = factories.make_user("Jean Dupont")
    comment = factories.make_comment(room, author, body="Legal aid is underfunded.", language="en")
    reply = factories.make_reply(comment, replier, body="Mobile clinics help.")
    staff = factories.make_user("Sam Staff", is_staff=True)
    suspension = services.suspend_participant(staff, consultation=room.consultation, person=replier, reason="Spam.")
    for kind in LegalDocument.Kind.values:
        draft = LegalDocument.objects.create(kind=kind, version="1", title=kind.title(), body="The text.")
        accounts_services.publish_document(staff, document=draft)
    question = factories.make_question(room, "What works?")
    finding = synthesis.add_finding(staff, consultation=room.consultation, question=question, text="Clinics help.")
    # The reply is cited: its author, not the comment's, hears of the report.
    evidence = synthesis.add_evidence(staff, finding=finding, comment=reply)
    snapshot = synthesis.publish_report(staff, consultation=room.consultation)
    return {
        "question_id": question.pk,
        "finding_id": finding.pk,
        "evidence_id": evidence.pk,
        "version": snapshot.version,
        "extension": "md",
        "consultation_slug": room.consultation.slug,
        "room_slug": room.slug,
        "comment_id": comment.pk,
        "handle": author.handle,
        "notification_id": Notification.objects.get(recipient=author).pk,
        "suspension_id": suspension.pk,
        "summary_id": write_summary(
            staff, room=room, kind="final", period_start=localdate(), period_end=localdate(), body="Agreed."
        ).pk,
        "token": emails.unsubscribe_token(author, Notification.Kind.REPLY),
        "invitation_token": invitations.invitation_path(
            services.invite_moderator(staff, room=room, email="invited@example.org")
        ).split("/")[-2],
        "action": "hide",
        "language": "es",
        "provider_id": "contoso",
        "document_id": document.pk,
        "filename": document.filename,
        # Private data that must never reach someone who is not signed in.
        "secret": author.email,
    }


def concrete_url(name, pattern, values):
    if name in INVITATION_PAGES:
        values = values | {"token": values["invitation_token"]}
    missing = set(pattern.pattern.regex.groupindex) - set(values)
    assert not missing, f"{name} takes {sorted(missing)}: add a value for it to url_values"
    return reverse(name, kwargs={key: values[key] for key in pattern.pattern.regex.groupindex})


def is_login_redirect(response) -> bool:
    return response.status_code in (301, 302) and urlsplit(response["Location"]).path == reverse("account_login")


PATTERNS = {name: pattern for name, _, pattern in project_patterns() if name}

# Public pages that a signed token opens: the page may name the person the
# token was mailed to, and a forged token must get nothing.
TOKEN_PAGES = {"forum:unsubscribe", "forum:invitation"}
# Pages whose token is an invitation's rather than an unsubscribe link's.
INVITATION_PAGES = {"forum:invitation"}


@pytest.mark.parametrize("name", sorted(n for n, access in ACCESS.items() if access == PUBLIC))
def test_a_public_page_opens_for_anonymous_visitors(client, url_values, name):
    url = concrete_url(name, PATTERNS[name], url_values)

    response = client.get(url)

    assert response.status_code in (200, 302), f"{url} answered {response.status_code}"
    assert not is_login_redirect(response), f"{url} is declared public but sends visitors to log in"
    if name in TOKEN_PAGES:
        changed = {key: url_values[key] + "x" for key in ["token", "invitation_token"]}
        forged = client.get(concrete_url(name, PATTERNS[name], url_values | changed))
        assert forged.status_code == 400
        assert url_values["secret"] not in forged.content.decode()
    else:
        content = b"".join(response.streaming_content) if response.streaming else response.content
        assert url_values["secret"] not in content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", sorted(n for n, access in ACCESS.items() if access == LOGIN_REQUIRED))
def test_a_login_required_url_gives_anonymous_visitors_nothing(client, url_values, name, method):
    url = concrete_url(name, PATTERNS[name], url_values)

    response = getattr(client, method)(url)

    assert is_login_redirect(response) or response.status_code in (403, 405), (
        f"anonymous {method.upper()} {url} answered {response.status_code}"
    )
    assert url_values["secret"] not in response.content.decode()


@pytest.mark.parametrize("name", sorted(n for n, access in ACCESS.items() if access == PUBLIC_ACTION))
def test_a_public_action_takes_only_a_post_and_sends_the_visitor_back(client, url_values, name):
    url = concrete_url(name, PATTERNS[name], url_values)

    assert client.get(url).status_code == 405
    response = client.post(url, {"language": "es", "next": "/"})
    assert response.status_code == 302
    assert url_values["secret"] not in response.content.decode()
