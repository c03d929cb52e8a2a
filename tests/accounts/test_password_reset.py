from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD

NEW_PASSWORD = "a-brand-new-passphrase-42"


def log_in(client, password):
    client.post(reverse("account_login"), {"login": "alice@example.org", "password": password})
    return SESSION_KEY in client.session


def test_password_reset_by_email_replaces_the_old_password(client, alice, link_in_last_mail):
    response = client.post(reverse("account_reset_password"), {"email": "Alice@Example.org"})
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["alice@example.org"]]

    key_page = client.get(link_in_last_mail("/accounts/password/reset/key/"))
    assert key_page.status_code == 302, "the key moves into the session and out of the address bar"
    set_password_path = key_page["Location"]
    assert client.get(set_password_path).status_code == 200

    response = client.post(set_password_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_from_key_done")
    client.logout()

    assert not log_in(client, PASSWORD)
    assert log_in(client, NEW_PASSWORD)


def test_password_reset_link_works_only_once(client, alice, link_in_last_mail):
    client.post(reverse("account_reset_password"), {"email": "alice@example.org"})
    reset_path = link_in_last_mail("/accounts/password/reset/key/")
    set_password_path = client.get(reset_path)["Location"]
    client.post(set_password_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.logout()

    key_page = client.get(reset_path, follow=True)

    assert key_page.context["token_fail"]
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_password_reset_for_an_unknown_email_reveals_nothing(client, alice):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert all("/accounts/password/reset/key/" not in message.body for message in mail.outbox)
