"""Who may sign up and who may host: each rule in one function, used by forms, adapters, views,
templates and the signaling room alike."""

from django.conf import settings
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q

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


def may_host_expression():
    """may_host as a database expression over users, for lists that show it for many at once."""
    if not settings.HOSTING_REQUIRES_PERMISSION:
        return ExpressionWrapper(Q(is_active=True), output_field=BooleanField())
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user_model = get_user_model()
    app_label, codename = HOST_PERMISSION.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    direct = user_model.user_permissions.through.objects.filter(
        user=OuterRef("pk"), permission__in=permission
    )
    by_group = user_model.groups.through.objects.filter(
        user=OuterRef("pk"), group__permissions__in=permission
    )
    allowed = Q(is_staff=True) | Q(is_superuser=True) | Exists(direct) | Exists(by_group)
    return ExpressionWrapper(Q(is_active=True) & allowed, output_field=BooleanField())
