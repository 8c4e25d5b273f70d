"""Email settings, and the unsubscribe link from emails, which works without logging in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from forum import emails
from forum.forms import EmailSettingsForm
from forum.services import email as email_services
from forum.views.attempts import attempt


@require_http_methods(["GET", "POST"])
@login_required
def email_preferences(request):
    form = EmailSettingsForm(request.POST if request.method == "POST" else None, user=request.user)
    outcome = attempt(
        form,
        lambda form: email_services.update_email_settings(
            request.user,
            deliveries=form.deliveries(),
            follow_threads_on_post=form.cleaned_data["follow_threads_on_post"],
        ),
    )
    if outcome.done:
        messages.success(request, _("Your email settings have been saved."))
        return redirect("forum:email-preferences")
    return outcome.respond(render(request, "forum/email_preferences.html", {"form": form}))


# Mail clients send the one-click POST (RFC 8058) without a CSRF token; the
# signed token in the address is what authorises it. A GET only asks, because
# mail scanners open links in emails before people do.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    try:
        person, kind = emails.get_unsubscribe_target(token)
    except signing.BadSignature:
        return render(request, "emails/unsubscribe_invalid.html", status=400)
    context = {"person": person, "what": emails.describe_email_kind(kind)}
    if request.method == "POST":
        email_services.unsubscribe(person, kind=kind)
        return render(request, "emails/unsubscribe_done.html", context)
    return render(request, "emails/unsubscribe_confirm.html", context)
