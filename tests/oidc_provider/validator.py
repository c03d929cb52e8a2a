from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator


class PeopleValidator(OAuth2Validator):
    """Claims from settings.PEOPLE, including an email_verified that may be false."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "email_verified": "email"}

    def get_additional_claims(self, request):
        person = next(p for p in settings.PEOPLE if p["username"] == request.user.username)
        return {
            "name": person["name"],
            "email": person["email"],
            "email_verified": person["email_verified"],
            "preferred_username": person["username"],
        }
