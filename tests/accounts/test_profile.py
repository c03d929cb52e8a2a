import datetime

import pytest
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils import timezone

from accounts.models import User


def current_time_zone(request):
    return HttpResponse(timezone.get_current_timezone_name())


urlpatterns = [path("time-zone/", current_time_zone)]


def test_profile_requires_login(client, db):
    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_profile_shows_the_current_name_and_time_zone(alice_client):
    response = alice_client.get(reverse("accounts:profile"))

    assert response.status_code == 200
    form = response.context["form"]
    assert form["display_name"].value() == "Alice Host"
    assert form["time_zone"].value() == "Europe/Paris"


def test_profile_saves_a_new_display_name_and_time_zone(alice_client, alice):
    response = alice_client.post(
        reverse("accounts:profile"), {"display_name": " Alice Liddell ", "time_zone": "America/Chicago"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    alice.refresh_from_db()
    assert alice.display_name == "Alice Liddell"
    assert alice.time_zone == "America/Chicago"


@pytest.mark.parametrize(
    "data, field",
    [
        ({"display_name": "Alice", "time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"display_name": "   ", "time_zone": "UTC"}, "display_name"),
        ({"display_name": "", "time_zone": "UTC"}, "display_name"),
    ],
)
def test_profile_rejects_an_unknown_time_zone_or_an_empty_name(alice_client, alice, data, field):
    response = alice_client.post(reverse("accounts:profile"), data)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    alice.refresh_from_db()
    assert (alice.display_name, alice.time_zone) == ("Alice Host", "Europe/Paris")


def test_pages_show_times_in_the_users_time_zone(client, staff):
    """The admin's user list renders date_joined through the active time zone."""
    joined = datetime.datetime(2025, 1, 15, 12, 0, tzinfo=datetime.UTC)
    User.objects.filter(pk=staff.pk).update(date_joined=joined, time_zone="Asia/Tokyo")
    client.force_login(staff)

    in_tokyo = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    User.objects.filter(pk=staff.pk).update(time_zone="America/New_York")
    in_new_york = client.get(reverse("admin:accounts_user_changelist")).content.decode()

    assert "Jan. 15, 2025, 9 p.m." in in_tokyo
    assert "Jan. 15, 2025, 7 a.m." in in_new_york


@pytest.mark.urls(__name__)
def test_requests_run_in_the_users_time_zone_and_anonymous_ones_in_utc(client, alice):
    client.force_login(alice)
    assert client.get("/time-zone/").content == b"Europe/Paris"

    client.logout()
    assert client.get("/time-zone/").content == b"UTC", "a signed-in user's zone must not leak"


@pytest.mark.urls(__name__)
def test_an_unusable_stored_time_zone_falls_back_to_utc(client, alice):
    User.objects.filter(pk=alice.pk).update(time_zone="Nowhere/Atlantis")
    client.force_login(alice)

    assert client.get("/time-zone/").content == b"UTC"
