from types import SimpleNamespace
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.models import EmailAddress
from allauth.account.utils import get_next_redirect_url
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter, _build_apps_from_settings
from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from requests import RequestException

from accounts.languages import language_for
from accounts.models import User
from consultation.site import site_name

# Where the person signed up from, kept for confirming after allauth's pending
# log-in has expired (ACCOUNT_LOGIN_TIMEOUT): they log in and land there.
_SIGNUP_NEXT = "accounts_signup_next"


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """Fill in our own sign-up fields and a handle before allauth saves the user."""
        data = form.cleaned_data
        user.display_name = data["display_name"]
        user.organisation = data.get("organisation", "")
        user.speaks_for_organisation = data.get("speaks_for_organisation", False)
        user.handle = User.objects.propose_handle(user.display_name)
        if next_url := get_next_redirect_url(request):
            request.session[_SIGNUP_NEXT] = next_url
        return super().save_user(request, user, form, commit=commit)

    def post_login(self, request, user, **kwargs):
        request.session.pop(_SIGNUP_NEXT, None)
        return super().post_login(request, user, **kwargs)

    def get_email_verification_redirect_url(self, email_address):
        """Back to where the person signed up from, through the log-in page when
        confirming did not sign them in."""
        next_url = self.request.session.pop(_SIGNUP_NEXT, None)
        if not next_url or not self.is_safe_url(next_url):
            return super().get_email_verification_redirect_url(email_address)
        if self.request.user.is_authenticated:
            return next_url
        return f"{reverse('account_login')}?next={quote(next_url)}"

    def pre_login(self, request, user, **kwargs):
        """An address this browser proved by following a moderator invitation sent to it
        counts as confirmed at log-in too, as allauth already counts it at sign-up."""
        if self.is_email_verified(request, user.email):
            EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=False).update(verified=True)
        return super().pre_login(request, user, **kwargs)

    def send_mail(self, template_prefix, email, context):
        """allauth's emails name the site by SITE_NAME and SITE_URL (not the Sites
        framework's "127.0.0.1:8000") and go in the recipient's language: their
        setting when the address has an account, else the page they signed up on,
        else the page they are on (accounts.languages.language_for)."""
        language = language_for(_person_of(context.get("user"), email), default=translation.get_language())
        with translation.override(language):
            name = site_name()
            domain = urlsplit(settings.SITE_URL).netloc
            site = {"site_name": name, "site_domain": domain, "site_url": settings.SITE_URL}
            # allauth's templates that we don't override read current_site.name and .domain.
            super().send_mail(
                template_prefix, email, context | site | {"current_site": SimpleNamespace(name=name, domain=domain)}
            )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Signing in with an organisation's OpenID Connect provider."""

    def list_apps(self, request, provider=None, client_id=None):
        """The providers of OIDC_PROVIDERS, and never SocialApp rows: one place to set
        them, and the log-in page costs no query. (allauth's own method blends both;
        its settings half is this private helper, pinned with allauth's version.)"""
        return [
            app for apps in _build_apps_from_settings(provider=provider, client_id=client_id).values() for app in apps
        ]

    def can_authenticate_by_email(self, login, email):
        """allauth offers only addresses the provider says are verified; we also want
        our own record of the address verified, so that an account someone opened
        with another person's address never becomes the way into theirs."""
        return (
            super().can_authenticate_by_email(login, email)
            and EmailAddress.objects.filter(email__iexact=email, verified=True).exists()
        )

    def populate_user(self, request, sociallogin, data):
        """The provider's name for the person is only a suggestion for the sign-up form."""
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(filter(None, (data.get("first_name"), data.get("last_name"))))
        user.display_name = (name or "").strip()[:80]
        return user

    def get_signup_form_initial_data(self, sociallogin):
        return super().get_signup_form_initial_data(sociallogin) | {"display_name": sociallogin.user.display_name}

    def save_user(self, request, sociallogin, form=None):
        """Remember where the sign-in started, for after confirming an address the provider did not vouch for."""
        if (next_url := sociallogin.state.get("next")) and get_account_adapter().is_safe_url(next_url):
            request.session[_SIGNUP_NEXT] = next_url
        return super().save_user(request, sociallogin, form=form)

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        """A provider that does not answer gets a page that says so (502), not allauth's generic failure."""
        if isinstance(exception, RequestException):
            context = {"provider": provider}
            raise ImmediateHttpResponse(render(request, "socialaccount/provider_unreachable.html", context, status=502))
        return super().on_authentication_error(request, provider, error, exception, extra_context)


def _person_of(user, email: str):
    """The account the email is for: allauth's `user`, else the address's owner (None without one)."""
    if user is None:
        address = EmailAddress.objects.filter(email__iexact=email).select_related("user").first()
        user = address.user if address else None
    return user
