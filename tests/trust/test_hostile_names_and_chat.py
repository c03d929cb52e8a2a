"""Names and messages with HTML, bidi overrides, control characters and 10,000 characters."""

import pytest
from django.urls import reverse

from accounts.names import clean_display_name
from meetings import services
from meetings.protocol import ProtocolError, chat_text

pytestmark = pytest.mark.django_db

RLO = "\u202e"  # right-to-left override: "Alice\u202eeciveD" would display as "AliceDevice" reversed


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),  # kept as text, escaped on output
        (f"Admin{RLO}nimda", "Adminnimda"),
        ("Zero\u200bwidth\u2066isolate\u2069", "Zerowidthisolate"),
        ("Bell\x07 and\x00nul", "Bell andnul"),
        ("  lots   of\tspace \n", "lots of space"),
    ],
)
def test_display_names_lose_invisible_characters_but_keep_what_was_typed(typed, kept):
    assert clean_display_name(typed) == kept


@pytest.mark.parametrize("typed", ["", "   ", RLO, "\x00\x01"])
def test_a_name_with_nothing_visible_is_refused(typed):
    with pytest.raises(Exception, match="name"):
        clean_display_name(typed)


def test_a_guest_name_of_ten_thousand_characters_is_refused_with_a_clear_error(client, alice):
    meeting = services.meeting_create(host=alice, title="Hostile", join_before_host=True)
    response = client.post(reverse("meetings:join", args=[meeting.code]), {"display_name": "x" * 10_000})
    assert response.status_code == 200
    assert "at most 80 characters" in response.content.decode()
    assert "meetings.guest_name" not in client.session


def test_a_guest_name_with_html_is_shown_as_text_on_the_prejoin_page(client, alice):
    meeting = services.meeting_create(host=alice, title="Hostile", join_before_host=True)
    client.post(
        reverse("meetings:join", args=[meeting.code]), {"display_name": "<img src=x onerror=alert(1)>"}
    )
    page = client.get(reverse("meetings:join", args=[meeting.code])).content.decode()
    assert "<img src=x onerror" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_a_profile_name_loses_bidi_overrides(client, bob):
    client.force_login(bob)
    client.post(reverse("accounts:profile"), {"display_name": f"Bob{RLO}evil", "time_zone": "UTC"})
    bob.refresh_from_db()
    assert bob.display_name == "Bobevil"


def test_chat_keeps_html_and_bidi_text_but_drops_control_characters():
    assert chat_text({"text": "<b>hi</b> \u202eabc\n\tnext\x00\x07"}) == "<b>hi</b> \u202eabc\n\tnext"


@pytest.mark.parametrize("text", ["x" * 10_000, "\x00\x01\x02"])
def test_chat_too_long_or_invisible_is_refused(text):
    with pytest.raises(ProtocolError):
        chat_text({"text": text})
