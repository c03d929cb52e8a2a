"""HOSTING_REQUIRES_PERMISSION: only staff and people allowed to host may create or host meetings."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from meetings import services
from meetings.models import Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _hosting_is_a_permission(settings):
    settings.HOSTING_REQUIRES_PERMISSION = True


def host_permission():
    return Permission.objects.get(content_type__app_label="accounts", codename="host_meetings")


@pytest.fixture
def pupil_client(client, bob):
    client.force_login(bob)
    return client


def test_a_pupil_sees_a_dashboard_without_hosting_buttons_and_gets_no_personal_room(pupil_client, bob):
    html = pupil_client.get("/").content.decode()

    assert "New meeting" not in html
    assert reverse("meetings:schedule") not in html
    assert "personal room" not in html
    assert "Hosting is for accounts the site’s staff allow to host." in html
    assert not Meeting.objects.filter(host=bob).exists()


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", reverse("meetings:new")),
        ("get", reverse("meetings:schedule")),
        ("post", reverse("meetings:schedule")),
    ],
)
def test_the_server_refuses_a_pupil_who_tries_to_start_or_schedule(pupil_client, bob, method, url):
    response = getattr(pupil_client, method)(url, {"title": "Sneaky", "starts_at": "2030-01-01T10:00"})

    assert response.status_code == 403
    assert "may join meetings but not host them" in response.content.decode()
    assert not Meeting.objects.filter(host=bob).exists()


def test_a_host_whose_permission_was_taken_away_can_neither_open_nor_edit_their_meeting(pupil_client, bob):
    settings_off = services.meeting_create(host=bob, title="Made before the rule")

    assert pupil_client.get(settings_off.get_join_url()).status_code == 403
    assert pupil_client.post(reverse("meetings:join_ticket", args=[settings_off.code])).status_code == 403
    assert pupil_client.get(reverse("meetings:edit", args=[settings_off.code])).status_code == 403


def test_a_pupil_still_joins_someone_elses_meeting(pupil_client, alice):
    meeting = services.meeting_create(host=alice, title="Lesson", join_before_host=True)

    response = pupil_client.post(reverse("meetings:join_ticket", args=[meeting.code]))

    assert response.status_code == 200
    assert "ticket" in response.json()


def test_a_teacher_with_the_permission_hosts(client, alice):
    alice.user_permissions.add(host_permission())
    client.force_login(alice)

    assert "New meeting" in client.get("/").content.decode()
    response = client.post(reverse("meetings:new"))

    assert response.status_code == 302
    assert Meeting.objects.filter(host=alice, is_personal_room=False).count() == 1


def test_a_group_with_the_permission_makes_its_members_hosts(client, bob):
    teachers = Group.objects.create(name="Teachers")
    teachers.permissions.add(host_permission())
    bob.groups.add(teachers)
    client.force_login(bob)

    assert client.post(reverse("meetings:new")).status_code == 302


def test_staff_allow_and_stop_hosting_from_the_admin(client, staff, bob):
    client.force_login(staff)
    changelist = reverse("admin:accounts_user_changelist")

    client.post(changelist, {"action": "allow_hosting", "_selected_action": [bob.pk]})
    bob.refresh_from_db()
    assert type(bob).objects.get(pk=bob.pk).may_host

    client.post(changelist, {"action": "stop_hosting", "_selected_action": [bob.pk]})
    assert not type(bob).objects.get(pk=bob.pk).may_host


def test_without_the_setting_everyone_may_host(client, settings, bob):
    settings.HOSTING_REQUIRES_PERMISSION = False
    client.force_login(bob)

    assert client.post(reverse("meetings:new")).status_code == 302


def test_the_admin_list_shows_who_may_host_in_a_fixed_number_of_queries(
    client, staff, bob, user_factory, django_assert_max_num_queries
):
    teachers = Group.objects.create(name="Teachers")
    teachers.permissions.add(host_permission())
    teacher = user_factory("teacher@example.org")
    teacher.groups.add(teachers)
    direct = user_factory("direct@example.org")
    direct.user_permissions.add(host_permission())
    for n in range(10):
        user_factory(f"pupil{n}@example.org")
    client.force_login(staff)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:accounts_user_changelist"))

    hosts = {user.email for user in response.context["cl"].result_list if user.hosts}
    assert hosts == {"staff@example.org", "teacher@example.org", "direct@example.org"}
    assert hosts == {user.email for user in response.context["cl"].result_list if user.may_host}
