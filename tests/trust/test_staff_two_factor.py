import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_staff_without_two_factor_are_sent_to_set_it_up_when_required(client, staff, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    client.force_login(staff)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_staff_reach_the_admin_when_two_factor_is_not_required(client, staff, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    client.force_login(staff)
    assert client.get(reverse("admin:index")).status_code == 200


def test_staff_with_two_factor_reach_the_admin_when_required(client, staff, settings):
    from allauth.mfa.models import Authenticator

    settings.MFA_REQUIRED_FOR_STAFF = True
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(staff)
    assert client.get(reverse("admin:index")).status_code == 200


def test_members_pages_are_not_affected(client, bob, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    client.force_login(bob)
    assert client.get(reverse("home")).status_code == 200
