"""The link in a moderator invitation: the page says whom it is for and what it
asks, and accepting puts the person on the room's rota. Someone without an
account signs up with the invited address (confirmed by the invitation) and
comes back here, which then accepts at once."""

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from forum import invitations, permissions, services
from forum.shifts import rota_line_dates

# The invitation this browser went to log in or sign up for.
_PENDING = "forum_invitation"


@require_http_methods(["GET", "HEAD", "POST"])
def invitation(request, token):
    try:
        invitation = invitations.get_invitation(token)
    except invitations.InvitationRefused as refusal:
        return render(request, "forum/invitation.html", {"refusal": refusal.message}, status=refusal.status)
    user = request.user
    if invitation.is_accepted and user.is_authenticated and invitation.accepted_by_id == user.pk:
        messages.info(request, _("You are on this room's rota already."))
        return _to_room(request, invitation)
    context = {"invitation": invitation, "dates": rota_line_dates(invitation.starts_on, invitation.ends_on)}
    refusal = permissions.why_cannot_accept_invitation(user, invitation)
    if invitation.is_accepted:
        return render(request, "forum/invitation.html", context | {"refusal": refusal}, status=410)
    if not user.is_authenticated:
        # allauth marks the address confirmed when the person signs up with it.
        get_adapter(request).stash_verified_email(request, invitation.email)
        request.session[_PENDING] = invitation.pk
        context["has_account"] = invitations.address_has_account(invitation.email)
        return render(request, "forum/invitation.html", context)
    if refusal:
        return render(request, "forum/invitation.html", context | {"refusal": refusal}, status=403)
    if request.method == "POST" or request.session.get(_PENDING) == invitation.pk:
        request.session.pop(_PENDING, None)
        services.accept_invitation(user, invitation=invitation)
        messages.success(request, _("You are on the moderator rota of “%(room)s”.") % {"room": invitation.room.title})
        return _to_room(request, invitation)
    return render(request, "forum/invitation.html", context)


def _to_room(request, invitation):
    """The room, or the home page while the room is not published."""
    if permissions.can_view_room(request.user, invitation.room):
        return redirect(invitation.room.get_absolute_url())
    return redirect("forum:home")
