"""The terms of use and the privacy notice in force, and who has accepted them.

The rule is one function, `has_accepted_current_documents`, asked on every
signed-in page (the banner) and before every post, so it is cheap: the current
versions' ids are kept in the cache (dropped when a version is published, and
read again at most CURRENT_TIMEOUT seconds later by a process with a cache of
its own), and a yes for a person is kept there too. A yes stays true, as
acceptances are never taken back, and a new version changes the key."""

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from accounts.models import Acceptance, LegalDocument

CURRENT_KEY = "accounts:current-documents"
CURRENT_TIMEOUT = 60
_ACCEPTED_TIMEOUT = 30 * 24 * 3600

ACCEPT_TO_POST = _("Please accept the current terms of use and privacy notice before posting; your text is kept.")
DOCUMENTS_CHANGED = _("A new version was published while this page was open: please read it, then tick the box again.")


def read_current_document_ids() -> tuple[int, ...]:
    """The id of the latest published version of each kind, read from the database."""
    latest = {}
    for pk, kind in LegalDocument.objects.published().order_by("published_at", "pk").values_list("pk", "kind"):
        latest[kind] = pk
    return tuple(sorted(latest.values()))


def current_document_ids() -> tuple[int, ...]:
    """The current versions' ids, sorted (empty while nothing is published); from the cache."""
    ids = cache.get(CURRENT_KEY)
    if ids is None:
        ids = read_current_document_ids()
        cache.set(CURRENT_KEY, ids, CURRENT_TIMEOUT)
    return tuple(ids)


def forget_current_documents() -> None:
    """After a publication: the next request reads the current versions again."""
    cache.delete(CURRENT_KEY)


def current_documents() -> list[LegalDocument]:
    """The current version of each kind, terms of use first."""
    ids = current_document_ids()
    return _in_kind_order(LegalDocument.objects.filter(pk__in=ids)) if ids else []


def current_document(kind: str) -> LegalDocument | None:
    return next((document for document in current_documents() if document.kind == kind), None)


def has_accepted_current_documents(user) -> bool:
    """The person has accepted the current version of each document; true for
    everyone while none is published, false for anonymous visitors otherwise.
    Remembered for the request (accounts.services.accept_documents resets it)."""
    ids = current_document_ids()
    if not ids:
        return True
    if not user.is_authenticated:
        return False
    # getattr, not __dict__: request.user is a lazy object passing attributes on.
    remembered = getattr(user, "_accepted_documents", None)
    if remembered is not None and remembered[0] == ids:
        return remembered[1]
    key = _accepted_key(user, ids)
    accepted = bool(cache.get(key)) or Acceptance.objects.filter(user=user, document_id__in=ids).count() == len(ids)
    if accepted:
        cache.set(key, True, _ACCEPTED_TIMEOUT)
    user._accepted_documents = (ids, accepted)
    return accepted


def documents_to_accept(user) -> list[LegalDocument]:
    """The current versions a signed-in person has not accepted yet (none when they have them all)."""
    if not user.is_authenticated or has_accepted_current_documents(user):
        return []
    accepted = Acceptance.objects.filter(user=user).values("document_id")
    return _in_kind_order(LegalDocument.objects.filter(pk__in=current_document_ids()).exclude(pk__in=accepted))


def forget_acceptance_of(user) -> None:
    """The request's answer for this person is out of date (they have just accepted)."""
    user._accepted_documents = None


def acceptances_with_documents(user) -> list[Acceptance]:
    """What the person accepted, newest first, each with its version."""
    return list(Acceptance.objects.filter(user=user).select_related("document").order_by("-accepted_at", "-pk"))


def acceptances_of(user) -> list[dict]:
    """What the person accepted, newest first, as plain data for their export:
    kind, version, title, accepted_at (ISO 8601), language and where."""
    return [
        {
            "kind": acceptance.document.kind,
            "version": acceptance.document.version,
            "title": acceptance.document.title,
            "accepted_at": acceptance.accepted_at.isoformat(),
            "language": acceptance.language,
            "source": acceptance.source,
        }
        for acceptance in acceptances_with_documents(user)
    ]


def versions_of(kind: str) -> list[LegalDocument]:
    """Every published version of a document, the newest first."""
    return list(LegalDocument.objects.published().filter(kind=kind).order_by("-published_at", "-pk"))


def ids_key(ids) -> str:
    """Versions' ids as a form carries them: "3,7"."""
    return ",".join(str(pk) for pk in sorted(ids))


def parse_ids_key(value: str) -> tuple[int, ...]:
    """The ids a form sent back ("3,7"); anything else gives none."""
    try:
        return tuple(sorted({int(part) for part in (value or "").split(",") if part}))
    except ValueError:
        return ()


def _accepted_key(user, ids) -> str:
    return f"accounts:accepted:{user.pk}:{ids_key(ids)}"


def _in_kind_order(documents) -> list[LegalDocument]:
    order = list(LegalDocument.Kind.values)
    return sorted(documents, key=lambda document: order.index(document.kind))
