from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress

from accounts.models import User


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """Fill in our own sign-up fields and a handle before allauth saves the user."""
        data = form.cleaned_data
        user.display_name = data["display_name"]
        user.organisation = data.get("organisation", "")
        user.speaks_for_organisation = data.get("speaks_for_organisation", False)
        user.handle = User.objects.propose_handle(user.display_name)
        return super().save_user(request, user, form, commit=commit)

    def pre_login(self, request, user, **kwargs):
        """An address this browser proved by following a moderator invitation sent to it
        counts as confirmed at log-in too, as allauth already counts it at sign-up."""
        if self.is_email_verified(request, user.email):
            EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=False).update(verified=True)
        return super().pre_login(request, user, **kwargs)
