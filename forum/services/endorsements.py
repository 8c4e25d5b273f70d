"""Endorsing comments: one endorsement per person, comment and kind, counted on the comment."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from forum import cache, counts, permissions, ratelimits
from forum.models import Comment, Endorsement


@dataclass(frozen=True)
class EndorsementState:
    """Where one kind of endorsement of a comment stands after a change, for the person who made it."""

    kind: str
    endorsed: bool
    count: int


def set_endorsement(person, *, comment: Comment, kind: str, endorsed: bool) -> EndorsementState:
    """Give (`endorsed`) or withdraw the person's endorsement of one kind. The form
    says which, so a resent or doubled form leaves it as asked rather than flipping
    it back; the comment's count moves only when a row was really added or removed."""
    if kind not in Endorsement.Kind.values:
        raise ValidationError(_("Choose one of the kinds of endorsement."))
    refusal = permissions.why_cannot_endorse(person, comment)
    if refusal:
        raise PermissionDenied(refusal)
    ratelimits.check("endorse", person)
    with transaction.atomic():
        if endorsed:
            try:
                # A savepoint: the same endorsement sent twice at once meets the
                # unique constraint, and only the first one counts.
                with transaction.atomic():
                    _endorsement, changed = Endorsement.objects.get_or_create(person=person, comment=comment, kind=kind)
            except IntegrityError:
                changed = False
        else:
            removed, _by_model = Endorsement.objects.filter(person=person, comment=comment, kind=kind).delete()
            changed = bool(removed)
        if changed:
            counts.change_endorsement_count(comment.pk, kind, by=1 if endorsed else -1)
            cache.room_changed(comment.room_id)
        count = Comment.objects.filter(pk=comment.pk).values_list(f"{kind}_count", flat=True).get()
    return EndorsementState(kind=kind, endorsed=endorsed, count=count)
