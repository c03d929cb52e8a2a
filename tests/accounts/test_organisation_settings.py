"""OIDC_PROVIDERS, METRICS_ALLOWED_IPS: read at start-up, and a mistake is a clear start-up error."""

import json

import pytest
from django.urls import reverse

from .test_deploy_settings import manage

KEYCLOAK = {
    "id": "school",
    "name": "Example School",
    "issuer": "https://sso.school.example/realms/staff",
    "client_id": "huddle",
    "secret": "s3cret",
}


def test_oidc_providers_become_allauth_apps_and_pass_the_deploy_check():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings as s; import json; "
        "print(json.dumps([s.SOCIALACCOUNT_PROVIDERS, s.SIGN_IN_PROVIDER_ORIGINS]))",
        OIDC_PROVIDERS=json.dumps([KEYCLOAK]),
    )

    assert result.returncode == 0, result.stderr
    providers, origins = json.loads(result.stdout.strip().splitlines()[-1])
    assert providers["openid_connect"]["APPS"] == [
        {
            "provider_id": "school",
            "name": "Example School",
            "client_id": "huddle",
            "secret": "s3cret",
            "settings": {"server_url": "https://sso.school.example/realms/staff"},
        }
    ]
    assert providers["openid_connect"]["OAUTH_PKCE_ENABLED"] is True
    assert origins == ["https://sso.school.example"]
    assert (
        manage(
            "check", "--deploy", "--fail-level", "WARNING", OIDC_PROVIDERS=json.dumps([KEYCLOAK])
        ).returncode
        == 0
    )


def test_a_provider_without_its_issuer_stops_the_site_saying_what_is_missing():
    result = manage(
        "check", OIDC_PROVIDERS=json.dumps([{k: v for k, v in KEYCLOAK.items() if k != "issuer"}])
    )

    assert result.returncode != 0
    assert (
        "OIDC_PROVIDERS: each provider needs id, name, issuer and client_id ('issuer' is missing)"
        in result.stderr
    )


def test_a_malformed_metrics_allow_list_stops_the_site():
    result = manage("check", METRICS_ALLOWED_IPS="10.0.0.0/8,not-an-address")

    assert result.returncode != 0
    assert "METRICS_ALLOWED_IPS" in result.stderr


@pytest.mark.django_db
def test_the_login_page_may_send_the_browser_on_to_the_providers_only(client, settings):
    settings.SIGN_IN_PROVIDER_ORIGINS = ["https://sso.school.example"]

    policy = client.get(reverse("account_login"))["Content-Security-Policy"]

    assert "form-action 'self' https://sso.school.example;" in policy
