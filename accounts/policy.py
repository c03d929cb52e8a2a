"""Who may sign up and who may host: each rule in one function, used by forms, adapters, views,
templates and the signaling room alike."""

from django.conf import settings

HOST_PERMISSION = "accounts.host_meetings"


def email_domain(email):
    return email.rsplit("@", 1)[-1].strip().lower()


def signup_refusal(email, *, with_password):
    """Why this address may not make an account here, in words for the sign-up page; None if it may.

    `with_password` is False for a first sign-in through an organisation's provider (SSO).
    """
    if with_password and not settings.PASSWORD_SIGNUP:
        return "New accounts are made by signing in with your organisation's account; sign-up with a password is off."
    domains = settings.SIGNUP_EMAIL_DOMAINS
    if domains and email_domain(email) not in domains:
        listed = ", ".join(f"@{domain}" for domain in domains)
        return f"Sign-up here is for addresses at {listed} only; {email} is not one of them."
    return None


def may_host(user):
    """Whether this person may create and host meetings: everyone, unless HOSTING_REQUIRES_PERMISSION,
    then staff and those given the "Can host meetings" permission (directly or through a group)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if not settings.HOSTING_REQUIRES_PERMISSION:
        return True
    return user.is_staff or user.has_perm(HOST_PERMISSION)
