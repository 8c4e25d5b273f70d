from oauth2_provider.oauth2_validators import OAuth2Validator

# Members of this group have an email address the provider vouches for.
EMAIL_VERIFIED_GROUP = "email-verified"


class EmailClaimsValidator(OAuth2Validator):
    """The standard claims our forum reads: email, email_verified and name."""

    def get_additional_claims(self, request):
        user = request.user
        return {
            "email": user.email,
            "email_verified": user.groups.filter(name=EMAIL_VERIFIED_GROUP).exists(),
            "name": user.get_full_name(),
        }
