from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.socialaccount.forms import SignupForm as SocialAllauthSignupForm
from django import forms

from .policy import signup_refusal


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form, refusing addresses the site does not take (SIGNUP_EMAIL_DOMAINS)."""

    def clean_email(self):
        email = super().clean_email()
        refusal = signup_refusal(email, with_password=True)
        if refusal:
            raise forms.ValidationError(refusal)
        return email


class SocialSignupForm(SocialAllauthSignupForm):
    """The form a first SSO sign-in shows when the provider gave no usable address."""

    def clean_email(self):
        email = super().clean_email()
        refusal = signup_refusal(email, with_password=False)
        if refusal:
            raise forms.ValidationError(refusal)
        return email
