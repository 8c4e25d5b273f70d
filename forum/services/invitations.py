"""Inviting someone to a room's rota by email, before they have an account, and their accepting."""

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum import permissions
from forum.models import ModeratorInvitation, Room, RoomModerator
from forum.tasks import send_moderator_invitation


def clean_invitation_email(*, room: Room, email: str) -> str:
    """The address to invite, tidied; ValidationError when it is already a known
    person's (choose them on the rota instead) or already invited to the room."""
    email = email.strip().lower()
    holder = EmailAddress.objects.filter(email__iexact=email, verified=True).select_related("user").first()
    if holder is not None:
        raise ValidationError(
            _("%(name)s already has an account with this address: choose them as the moderator instead."),
            params={"name": holder.user.display_name},
        )
    if (
        room.pk
        and ModeratorInvitation.objects.filter(room=room, email__iexact=email, accepted_at__isnull=True).exists()
    ):
        raise ValidationError(_("%(email)s is already invited to this room."), params={"email": email})
    return email


def invite_moderator(admin, *, room: Room, email: str, starts_on=None, ends_on=None) -> ModeratorInvitation:
    """Keep a rota line for the address and email it a link to accept (once the line is saved)."""
    if refusal := permissions.why_cannot_invite_moderators(admin):
        raise PermissionDenied(refusal)
    invitation = ModeratorInvitation(
        room=room,
        email=clean_invitation_email(room=room, email=email),
        starts_on=starts_on,
        ends_on=ends_on,
        invited_by=admin,
    )
    invitation.full_clean()
    with transaction.atomic():
        invitation.save()
        transaction.on_commit(lambda: send_moderator_invitation.enqueue(invitation.pk))
    return invitation


def accept_invitation(user, *, invitation: ModeratorInvitation) -> RoomModerator:
    """Put the person on the room's rota for the invitation's dates. Following the
    link proves the address is theirs, so it counts as confirmed from now on."""
    with transaction.atomic():
        # Two clicks accept once: the second waits for the first, then finds it accepted.
        invitation = ModeratorInvitation.objects.select_for_update().select_related("room").get(pk=invitation.pk)
        if refusal := permissions.why_cannot_accept_invitation(user, invitation):
            raise PermissionDenied(refusal)
        _confirm_address(user, invitation.email)
        assignment = RoomModerator.objects.create(
            room=invitation.room, user=user, starts_on=invitation.starts_on, ends_on=invitation.ends_on
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return assignment


def _confirm_address(user, email: str) -> None:
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        has_primary = EmailAddress.objects.filter(user=user, primary=True).exists()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=not has_primary)
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])
    user.__dict__.pop("_has_confirmed_email", None)
