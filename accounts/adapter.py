from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import render

from .names import MAX_NAME_LENGTH, clean_display_name
from .policy import signup_refusal


class AccountAdapter(DefaultAccountAdapter):
    """Site-specific allauth behaviour: emails are stored lower-case so one address is one account."""

    def clean_email(self, email):
        return super().clean_email(email).lower()

    def is_open_for_signup(self, request):
        """Sign-up with a password (PASSWORD_SIGNUP); the closed page then offers the providers."""
        return settings.PASSWORD_SIGNUP


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """A first sign-in through an organisation's OpenID Connect provider makes the account."""

    def is_open_for_signup(self, request, sociallogin):
        """Open whatever PASSWORD_SIGNUP says, but only to addresses SIGNUP_EMAIL_DOMAINS takes: the
        refusal is a page that says why (allauth's own would only say "closed")."""
        email = sociallogin.user.email or next((a.email for a in sociallogin.email_addresses), "")
        refusal = email and signup_refusal(email, with_password=False)
        if refusal:
            page = render(request, "account/signup_closed.html", {"refusal": refusal}, status=403)
            raise ImmediateHttpResponse(page)
        return True

    def populate_user(self, request, sociallogin, data):
        """The provider's name becomes the display name (our User has no first and last name)."""
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(filter(None, [data.get("first_name"), data.get("last_name")]))
        try:
            user.display_name = clean_display_name(name[:MAX_NAME_LENGTH])
        except ValidationError:
            user.display_name = ""  # public_name falls back to the address's local part
        return user
