"""A person's data: downloading all of it (/accounts/profile/data/), deleting the
account (/accounts/profile/delete/), and staff deleting one on request
(/u/<handle>/delete/). They live in forum, which knows everything a person
left here; accounts knows nothing of it."""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from forum import permissions, services
from forum.forms import DeleteAccountForm
from forum.personal_data import personal_data_zip
from forum.views.attempts import attempt


@require_POST
@login_required
@never_cache
def download_my_data(request):
    """The signed-in person's own data, never anyone else's: the address names nobody."""
    response = HttpResponse(personal_data_zip(request.user), content_type="application/zip")
    name = f"{request.user.handle}-data-{timezone.localdate().isoformat()}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _without_password(request) -> bool:
    # Accounts signed up through another service have no password: allauth asks them to sign in again.
    return not request.user.has_usable_password()


@require_http_methods(["GET", "POST"])
@login_required
@reauthentication_required(allow_get=True, enabled=_without_password)
def delete_my_account(request):
    person = request.user
    form = DeleteAccountForm(
        request.POST if request.method == "POST" else None, person=person, asks_password=person.has_usable_password()
    )
    refusal = permissions.why_cannot_delete_account(person, person)
    done = attempt(form, lambda form: services.delete_account(person, person=person, keep_texts=form.keeps_texts))
    if done.done:
        logout(request)
        messages.success(request, _("Your account has been deleted. Thank you for taking part."))
        return redirect("forum:home")
    return done.respond(render(request, "forum/delete_account.html", {"form": form, "refusal": refusal, "own": True}))


@require_http_methods(["GET", "POST"])
@login_required
def delete_account_on_request(request, handle):
    if not request.user.is_staff:
        raise Http404
    person = get_object_or_404(get_user_model(), handle=handle.lower())
    if person.pk == request.user.pk:
        return redirect("forum:delete-my-account")  # their own: with their password, and signed out after
    form = DeleteAccountForm(
        request.POST if request.method == "POST" else None, person=person, asks_password=False, on_request=True
    )
    refusal = permissions.why_cannot_delete_account(request.user, person)
    done = attempt(
        form,
        lambda form: services.delete_account(
            request.user, person=person, keep_texts=form.keeps_texts, reason=form.cleaned_data["reason"]
        ),
    )
    if done.done:
        messages.success(request, _("The account has been deleted; the moderation log records it."))
        return redirect("forum:home")
    context = {"form": form, "refusal": refusal, "own": False, "person": person}
    return done.respond(render(request, "forum/delete_account.html", context))
