from allauth.decorators import rate_limit
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.providers.openid_connect import views as openid_connect_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.i18n import set_language as django_set_language
from requests import RequestException

from accounts import services, terms
from accounts.forms import AcceptDocumentsForm, ProfileForm
from accounts.models import Acceptance, LegalDocument, User


@require_http_methods(["GET", "POST"])
@login_required
def profile_edit(request):
    # A fresh copy, so a refused form does not change the name in the page header.
    person = User.objects.get(pk=request.user.pk)
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=person)
    if request.method == "POST" and form.is_valid():
        services.save_profile(request.user, person=form.save(commit=False))
        messages.success(request, _("Your profile has been saved."))
        return redirect(person.get_absolute_url())
    context = {"form": form, "acceptances": terms.acceptances_with_documents(request.user)}
    return render(request, "accounts/profile_edit.html", context)


@require_POST
@login_required
def request_organisation_verification(request):
    try:
        services.request_organisation_verification(request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Staff will check that this account speaks for your organisation."))
    return redirect("accounts:profile-edit")


@csrf_exempt
@require_POST
def set_language(request):
    """Switch the site's language. A visitor's choice is only a cookie, so the
    switcher in every page's footer needs no token (and anonymous pages stay
    cacheable); a signed-in person's choice is written to their profile, so
    that it follows them to other devices, and is checked like any other form."""
    if request.user.is_authenticated:
        return _set_profile_language(request)
    return django_set_language(request)


@csrf_protect
def _set_profile_language(request):
    language = request.POST.get("language", "")
    response = django_set_language(request)
    if language in dict(settings.LANGUAGES):
        services.choose_language(request.user, language=language)
    return response


@require_safe
def current_document(request, kind):
    """/terms/ and /privacy/: the version in force, and the earlier ones."""
    document = terms.current_document(kind)
    if document is None:
        response = render(request, "accounts/legal_document.html", {"kind": LegalDocument.Kind(kind)})
        response.status_code = 404
        return response
    return _document_page(request, document)


@require_safe
def document_version(request, kind, version):
    """One version, as it was published; staff also see drafts here, marked as such."""
    document = get_object_or_404(LegalDocument, kind=kind, version=version)
    if not document.is_published and not request.user.is_staff:
        raise Http404
    return _document_page(request, document)


def _document_page(request, document):
    versions = terms.versions_of(document.kind)
    accepted = None
    if request.user.is_authenticated:
        accepted = Acceptance.objects.filter(user=request.user, document=document).first()
    context = {
        "kind": LegalDocument.Kind(document.kind),
        "document": document,
        "versions": versions,
        "current_id": versions[0].pk if versions else None,
        "acceptance": accepted,
    }
    return render(request, "accounts/legal_document.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def accept_documents(request):
    """Where the banner leads: the versions to accept, their changes, and the box;
    then back to the page the person came from."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    documents = terms.documents_to_accept(request.user)
    form = AcceptDocumentsForm(request.POST if request.method == "POST" else None, documents=documents)
    if request.method == "POST" and documents and form.is_valid():
        try:
            services.accept_documents(
                request.user, document_ids=form.accepted_document_ids(), source=Acceptance.Source.ACCEPTANCE_PAGE
            )
        except ValidationError as error:
            form.add_error("accept_documents", error)
        else:
            messages.success(request, _("Thank you. You can post again."))
            return redirect(next_url or "accounts:profile-edit")
    context = {"form": form, "documents": documents, "next": next_url}
    response = render(request, "accounts/accept_documents.html", context)
    if form.errors:
        response.status_code = 400
    return response


@rate_limit(action="login")
def provider_login(request, provider_id):
    """allauth's start of a sign-in with an OpenID Connect provider, counted with the
    log-in form's sign-ins per IP. allauth reads the provider's configuration here
    without catching a failure to reach it: that gets the page saying the provider
    does not answer (SocialAccountAdapter), not a 500."""
    try:
        return openid_connect_views.login(request, provider_id)
    except RequestException as error:
        provider = get_social_adapter().get_provider(request, provider_id)
        return render_authentication_error(request, provider, exception=error)
