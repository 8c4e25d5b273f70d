from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.conf import settings
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language as django_set_language

from accounts import services
from accounts.forms import ProfileForm
from accounts.models import User
from forum.selectors import profile_comments_page


@require_safe
def profile(request, handle):
    person = get_object_or_404(User, handle=handle.lower(), is_active=True)
    page = profile_comments_page(person, number=request.GET.get("page"))
    return render(request, "accounts/profile.html", {"person": person, "page": page})


@require_http_methods(["GET", "POST"])
@login_required
def profile_edit(request):
    # A fresh copy, so a refused form does not change the name in the page header.
    person = User.objects.get(pk=request.user.pk)
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=person)
    if request.method == "POST" and form.is_valid():
        services.update_profile(request.user, form=form)
        messages.success(request, _("Your profile has been saved."))
        return redirect(person.get_absolute_url())
    return render(request, "accounts/profile_edit.html", {"form": form})


@csrf_exempt
@require_POST
def set_language(request):
    """Switch the site's language: remembered in a cookie, and in the profile of
    a signed-in person so that it follows them to other devices."""
    language = request.POST.get("language", "")
    response = django_set_language(request)
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.choose_language(request.user, language=language)
    return response
