"""SIGNUP_EMAIL_DOMAINS and PASSWORD_SIGNUP: who may make an account, and the page says why not."""

import pytest
from django.urls import reverse

from accounts.models import User

from .test_signup import sign_up

pytestmark = pytest.mark.django_db


def test_an_address_at_an_allowed_domain_signs_up(client, settings):
    settings.SIGNUP_EMAIL_DOMAINS = ["school.example"]

    response = sign_up(client, "Grace@School.example")

    assert response.status_code == 302
    assert User.objects.filter(email="grace@school.example").exists()


def test_an_address_outside_the_allowed_domains_is_refused_with_the_reason(client, settings):
    settings.SIGNUP_EMAIL_DOMAINS = ["school.example", "staff.school.example"]

    response = sign_up(client, "grace@gmail.example")

    assert response.status_code == 200
    assert not User.objects.exists()
    errors = response.context["form"].errors["email"]
    assert errors == [
        "Sign-up here is for addresses at @school.example, @staff.school.example only; "
        "grace@gmail.example is not one of them."
    ]
    assert "only; grace@gmail.example is not one of them." in response.content.decode()


def test_a_subdomain_is_not_taken_for_its_parent(client, settings):
    settings.SIGNUP_EMAIL_DOMAINS = ["school.example"]

    sign_up(client, "mallory@evil-school.example")
    sign_up(client, "mallory@school.example.evil")

    assert not User.objects.exists()


def test_with_password_sign_up_off_the_sign_up_page_says_why_and_makes_nobody(client, settings):
    settings.PASSWORD_SIGNUP = False

    page = client.get(reverse("account_signup"))
    posted = sign_up(client, "grace@example.org")

    assert "sign-up with a password is off" in page.content.decode()
    assert "sign-up with a password is off" in posted.content.decode()
    assert not User.objects.exists()


def test_with_password_sign_up_off_existing_members_still_log_in_with_their_password(client, settings, alice):
    settings.PASSWORD_SIGNUP = False

    response = client.post(
        reverse("account_login"), {"login": "alice@example.org", "password": "correct-horse-battery-staple"}
    )

    assert response.status_code == 302
    assert client.get("/").context["user"] == alice
