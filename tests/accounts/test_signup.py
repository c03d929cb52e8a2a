import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from accounts.models import User

PASSWORD = "compilers-are-fun-1952"


def sign_up(client, email="grace@example.org", *, display_name="Grace Hopper", time_zone="America/New_York"):
    return client.post(
        reverse("account_signup"),
        {
            "display_name": display_name,
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "time_zone": time_zone,
        },
    )


@pytest.mark.django_db
def test_sign_up_creates_an_unconfirmed_user_and_sends_a_confirmation_email(client):
    response = sign_up(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="grace@example.org")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["grace@example.org"]
    assert "/accounts/confirm-email/" in mail.outbox[0].body
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_unconfirmed_user_cannot_log_in(client):
    sign_up(client)
    client.logout()

    response = client.post(reverse("account_login"), {"login": "grace@example.org", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_emailed_link_shows_a_confirm_form_and_posting_it_confirms_and_logs_in(client, link_in_last_mail):
    sign_up(client)
    confirm_path = link_in_last_mail("/accounts/confirm-email/")

    page = client.get(confirm_path)
    assert page.status_code == 200
    assert b"Confirm" in page.content
    assert not EmailAddress.objects.get(email="grace@example.org").verified, "a GET must not confirm"

    response = client.post(confirm_path)

    assert response.status_code == 302
    assert EmailAddress.objects.get(email="grace@example.org").verified
    user = User.objects.get(email="grace@example.org")
    assert client.session[SESSION_KEY] == str(user.pk)


@pytest.mark.django_db
def test_emailed_link_opened_in_another_browser_confirms_without_logging_in(client, link_in_last_mail):
    sign_up(client)
    client.logout()

    client.post(link_in_last_mail("/accounts/confirm-email/"))

    assert EmailAddress.objects.get(email="grace@example.org").verified
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_confirmed_user_can_log_in_with_their_password(client, link_in_last_mail):
    sign_up(client)
    client.post(link_in_last_mail("/accounts/confirm-email/"))
    client.post(reverse("account_logout"))

    client.post(reverse("account_login"), {"login": "grace@example.org", "password": PASSWORD})

    assert client.session[SESSION_KEY] == str(User.objects.get(email="grace@example.org").pk)


@pytest.mark.django_db
def test_sign_up_stores_the_display_name_and_time_zone(client):
    sign_up(client, display_name="  Grace Hopper  ", time_zone="Asia/Tokyo")

    user = User.objects.get(email="grace@example.org")
    assert user.display_name == "Grace Hopper"
    assert user.time_zone == "Asia/Tokyo"


@pytest.mark.django_db
@pytest.mark.parametrize("time_zone", ["Mars/Olympus_Mons", "", "../../etc/passwd"])
def test_sign_up_falls_back_to_utc_for_an_unknown_time_zone(client, time_zone):
    sign_up(client, time_zone=time_zone)

    assert User.objects.get(email="grace@example.org").time_zone == "UTC"


@pytest.mark.django_db
def test_sign_up_requires_a_name(client):
    response = sign_up(client, display_name="")

    assert response.status_code == 200
    assert "display_name" in response.context["form"].errors
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["alice@example.org", "ALICE@Example.ORG"])
def test_sign_up_with_an_email_already_taken_creates_no_second_account(client, alice, email):
    sign_up(client, email)

    assert User.objects.filter(email__iexact="alice@example.org").count() == 1
    assert EmailAddress.objects.filter(email__iexact="alice@example.org").count() == 1
    assert SESSION_KEY not in client.session
    # allauth prevents enumeration: the stranger sees the usual page, the owner gets a warning instead.
    assert [message.to for message in mail.outbox] == [["alice@example.org"]]
    assert "/accounts/confirm-email/" not in mail.outbox[0].body
