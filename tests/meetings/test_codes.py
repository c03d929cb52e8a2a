import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from meetings import services
from meetings.codes import (
    RANDOM_ALPHABET,
    code_from_user_input,
    random_meeting_code,
    validate_custom_code,
)
from meetings.models import Meeting

from .helpers import schedule_data


def test_random_code_has_three_groups_of_consonants():
    for _ in range(200):
        assert re.fullmatch(r"[a-z]{3}-[a-z]{4}-[a-z]{3}", random_meeting_code())


def test_random_code_alphabet_has_no_look_alike_letters():
    codes = "".join(random_meeting_code() for _ in range(500)).replace("-", "")

    assert set(codes) <= set(RANDOM_ALPHABET)
    assert not set(RANDOM_ALPHABET) & set("aeiouly01l")


def test_new_meeting_gets_a_random_code_by_default(scheduled_meeting):
    assert re.fullmatch(r"[a-z]{3}-[a-z]{4}-[a-z]{3}", scheduled_meeting.code)


@pytest.mark.parametrize("code", ["csc342", "abc", "team-sync", "a1-b2-c3", "x" * 32])
def test_valid_custom_code_is_accepted(code):
    validate_custom_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "ab",  # too short
        "x" * 33,  # too long
        "-abc",  # leading hyphen
        "abc-",  # trailing hyphen
        "ab--cd",  # double hyphen
        "CSC342",  # upper case (the form lowercases before validating)
        "csc 342",
        "csc_342",
        "café",
        "a/b",
    ],
)
def test_invalid_custom_code_is_refused(code):
    with pytest.raises(ValidationError):
        validate_custom_code(code)


@pytest.mark.parametrize("code", ["admin", "new", "join", "static", "api", "accounts", "meetings"])
def test_reserved_custom_code_is_refused(code):
    with pytest.raises(ValidationError, match="reserved"):
        validate_custom_code(code)


def test_custom_code_is_stored_in_lower_case(alice_client):
    alice_client.post(reverse("meetings:schedule"), schedule_data(custom_code="  CSC342 "))

    assert Meeting.objects.get().code == "csc342"


def test_custom_code_taken_in_another_case_is_refused(alice_client, bob, meeting_factory):
    meeting_factory(host=bob, code="csc342")

    response = alice_client.post(reverse("meetings:schedule"), schedule_data(custom_code="CSC342"))

    assert response.status_code == 200
    assert "That meeting ID is taken" in response.context["form"].errors["custom_code"][0]
    assert Meeting.objects.count() == 1


def test_reserved_custom_code_is_refused_by_the_form(alice_client):
    response = alice_client.post(reverse("meetings:schedule"), schedule_data(custom_code="Admin"))

    assert response.status_code == 200
    assert "reserved" in response.context["form"].errors["custom_code"][0]
    assert not Meeting.objects.exists()


def test_database_refuses_an_upper_case_code(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(host=alice, title="Shouting", code="CSC342")


def test_database_refuses_a_duplicate_code(alice, bob):
    Meeting.objects.create(host=alice, title="First", code="csc342")

    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(host=bob, title="Second", code="csc342")


@pytest.mark.parametrize(
    "typed, code",
    [
        ("kdq-rmtw-vbx", "kdq-rmtw-vbx"),
        ("  KDQ-RMTW-VBX ", "kdq-rmtw-vbx"),
        ("https://meet.example.org/m/kdq-rmtw-vbx/", "kdq-rmtw-vbx"),
        ("https://meet.example.org/m/csc342/?pwd=abcd", "csc342"),
    ],
)
def test_code_is_read_from_an_id_or_a_pasted_link(typed, code):
    assert code_from_user_input(typed) == code


def test_personal_room_get_or_create_is_idempotent(alice):
    first = services.personal_room_get_or_create(user=alice)
    second = services.personal_room_get_or_create(user=alice)

    assert first.pk == second.pk
    assert first.is_personal_room
    assert first.host == alice
    assert Meeting.objects.filter(host=alice, is_personal_room=True).count() == 1


def test_every_user_gets_their_own_personal_room(alice, bob):
    alice_room = services.personal_room_get_or_create(user=alice)
    bob_room = services.personal_room_get_or_create(user=bob)

    assert alice_room.pk != bob_room.pk
    assert alice_room.code != bob_room.code


def test_database_refuses_a_second_personal_room(alice):
    services.personal_room_get_or_create(user=alice)

    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(host=alice, title="Another room", is_personal_room=True)


def test_model_validation_refuses_a_second_personal_room(alice):
    services.personal_room_get_or_create(user=alice)

    with pytest.raises(ValidationError):
        services.meeting_create(host=alice, title="Another room", is_personal_room=True)


def test_personal_room_id_is_random_and_reveals_nothing_of_the_email(alice):
    room = services.personal_room_get_or_create(user=alice)

    assert "alice" not in room.code
    assert re.fullmatch(
        r"[bcdfghjkmnpqrstvwxz]{3}-[bcdfghjkmnpqrstvwxz]{4}-[bcdfghjkmnpqrstvwxz]{3}", room.code
    )
