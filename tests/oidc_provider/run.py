"""Set the provider up (database, people, the client for Huddle) and serve it: one process."""

import os
import sys

import django


def main(port):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.oidc_provider.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    for person in settings.PEOPLE:
        User.objects.create_user(person["username"], person["email"], person["password"])
    client = json_env("PROVIDER_CLIENT")
    Application.objects.create(
        name="Huddle",
        client_id=client["client_id"],
        client_secret=client["secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=client["redirect_uri"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, use_threading=True, skip_checks=True)


def json_env(name):
    import json

    return json.loads(os.environ[name])


if __name__ == "__main__":
    main(int(sys.argv[1]))
