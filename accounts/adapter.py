from allauth.account.adapter import DefaultAccountAdapter

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
