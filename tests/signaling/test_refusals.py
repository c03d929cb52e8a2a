"""Sockets that may not join: each refusal has its close code, creates no row and tells nobody."""

import pytest
from asgiref.sync import sync_to_async

from meetings import services
from meetings.models import Meeting, Participant
from meetings.protocol import Close

from .conftest import signed_in, ticket_for, until_ticket_expired

pytestmark = pytest.mark.django_db(transaction=True)


async def assert_refused_quietly(person, code, *, bystander, participants_before):
    """Refused with `code`; no Participant row was made and the one already inside heard nothing."""
    assert await person.refusal_code() == code
    assert await Participant.objects.acount() == participants_before
    assert await bystander.nothing()


async def test_anonymous_socket_without_a_ticket_is_refused(connect, meeting, host):
    stranger = await connect(meeting, expect="refused")

    await assert_refused_quietly(stranger, Close.NO_CREDENTIALS, bystander=host, participants_before=1)


async def test_garbage_ticket_is_refused(connect, meeting, host):
    stranger = await connect(meeting, ticket="not-a-ticket", expect="refused")

    await assert_refused_quietly(stranger, Close.BAD_TICKET, bystander=host, participants_before=1)


async def test_tampered_ticket_is_refused(connect, meeting, host):
    ticket = ticket_for(meeting, "Gus")
    tampered = ticket[:-3] + ("AAA" if not ticket.endswith("AAA") else "BBB")

    stranger = await connect(meeting, ticket=tampered, expect="refused")

    await assert_refused_quietly(stranger, Close.BAD_TICKET, bystander=host, participants_before=1)


async def test_expired_ticket_is_refused(settings, connect, meeting, host):
    settings.SIGNALING = {**settings.SIGNALING, "TICKET_MAX_AGE": 0}
    ticket = ticket_for(meeting, "Gus")
    await until_ticket_expired(ticket, meeting)

    late = await connect(meeting, ticket=ticket, expect="refused")

    await assert_refused_quietly(late, Close.TICKET_EXPIRED, bystander=host, participants_before=1)


async def test_ticket_for_another_meeting_is_refused(connect, meeting, other_meeting, host):
    ticket = ticket_for(other_meeting, "Gus")

    stranger = await connect(meeting, ticket=ticket, expect="refused")

    await assert_refused_quietly(stranger, Close.WRONG_MEETING, bystander=host, participants_before=1)


async def test_reused_ticket_is_refused(connect, meeting, host):
    ticket = ticket_for(meeting, "Gus")
    await connect(meeting, ticket=ticket)
    await host.receive_type("peer-joined")

    again = await connect(meeting, ticket=ticket, expect="refused")

    await assert_refused_quietly(again, Close.TICKET_USED, bystander=host, participants_before=2)


async def test_ticket_stays_used_after_its_owner_left(connect, meeting, host):
    ticket = ticket_for(meeting, "Gus")
    first = await connect(meeting, ticket=ticket)
    await host.receive_type("peer-joined")
    await first.hang_up(1000)
    await host.receive_type("peer-left")

    again = await connect(meeting, ticket=ticket, expect="refused")

    await assert_refused_quietly(again, Close.TICKET_USED, bystander=host, participants_before=2)


async def test_unknown_meeting_is_refused(connect, meeting, host):
    lost = await connect("no-such-room", ticket=ticket_for("no-such-room", "Gus"), expect="refused")

    await assert_refused_quietly(lost, Close.NOT_FOUND, bystander=host, participants_before=1)


async def test_unknown_meeting_is_refused_for_a_signed_in_user(connect, bob):
    lost = await connect("no-such-room", headers=await signed_in(bob), expect="refused")

    assert await lost.refusal_code() == Close.NOT_FOUND
    assert await Participant.objects.acount() == 0


async def test_ended_meeting_is_refused(join, meeting):
    await sync_to_async(services.meeting_end)(meeting=meeting)

    late = await join(meeting, "Gus", expect="refused")

    assert await late.refusal_code() == Close.MEETING_ENDED
    assert await Participant.objects.acount() == 0


async def test_cancelled_meeting_is_refused(join, meeting):
    await sync_to_async(services.meeting_cancel)(meeting=meeting, join_url=meeting.get_join_url())

    late = await join(meeting, "Gus", expect="refused")

    assert await late.refusal_code() == Close.MEETING_CANCELLED
    assert await Participant.objects.acount() == 0


async def test_locked_meeting_refuses_a_guest(join, meeting, host):
    await Meeting.objects.filter(pk=meeting.pk).aupdate(locked=True)

    guest = await join(meeting, "Gus", expect="refused")

    await assert_refused_quietly(guest, Close.MEETING_LOCKED, bystander=host, participants_before=1)


async def test_locked_meeting_still_lets_the_host_in(join, meeting, alice):
    await Meeting.objects.filter(pk=meeting.pk).aupdate(locked=True)

    host = await join(meeting, "Alice", user=alice)

    assert host.welcome["meeting"]["locked"] is True


async def test_full_room_refuses_one_more(join, meeting, host):
    await Meeting.objects.filter(pk=meeting.pk).aupdate(max_participants=2)
    await join(meeting, "Gus")
    await host.receive_type("peer-joined")

    third = await join(meeting, "Third", expect="refused")

    await assert_refused_quietly(third, Close.ROOM_FULL, bystander=host, participants_before=2)


async def test_a_place_frees_up_when_someone_leaves_a_full_room(join, meeting, host):
    await Meeting.objects.filter(pk=meeting.pk).aupdate(max_participants=2)
    first = await join(meeting, "Gus")
    await first.hang_up(1000)

    second = await join(meeting, "Gwen")

    assert [peer["name"] for peer in second.welcome["peers"]] == ["Alice"]


async def test_guest_is_refused_until_the_host_arrives(join, meeting, alice):
    await Meeting.objects.filter(pk=meeting.pk).aupdate(join_before_host=False)

    early = await join(meeting, "Gus", expect="refused")

    assert await early.refusal_code() == Close.HOST_NOT_ARRIVED
    assert await Participant.objects.acount() == 0
    await join(meeting, "Alice", user=alice)
    on_time = await join(meeting, "Gus")
    assert on_time.welcome["role"] == "guest"


async def test_removed_guest_is_refused_with_a_new_ticket_from_the_same_browser(join, meeting, host):
    guest = await join(meeting, "Gus", client_key="gus-browser")
    await host.receive_type("peer-joined")
    await host.send({"type": "remove", "peer": guest.peer_id})
    await host.receive_type("peer-left")

    back = await join(meeting, "Another name", client_key="gus-browser", expect="refused")

    await assert_refused_quietly(back, Close.REMOVED, bystander=host, participants_before=2)


async def test_removed_member_is_refused_with_a_new_ticket_from_another_browser(join, meeting, host, bob):
    member = await join(meeting, "Bob", user=bob, client_key="bob-laptop")
    await host.receive_type("peer-joined")
    await host.send({"type": "remove", "peer": member.peer_id})
    await host.receive_type("peer-left")

    back = await join(meeting, "Bob", user=bob, client_key="bob-phone", expect="refused")

    await assert_refused_quietly(back, Close.REMOVED, bystander=host, participants_before=2)


async def test_removed_member_is_refused_through_the_session_too(connect, join, meeting, host, bob):
    member = await join(meeting, "Bob", user=bob)
    await host.receive_type("peer-joined")
    await host.send({"type": "remove", "peer": member.peer_id})
    await host.receive_type("peer-left")

    back = await connect(meeting, headers=await signed_in(bob), expect="refused")

    await assert_refused_quietly(back, Close.REMOVED, bystander=host, participants_before=2)


async def test_foreign_origin_is_refused_before_accept(connect, meeting, host):
    ticket = ticket_for(meeting, "Gus")

    evil = await connect(meeting, ticket=ticket, headers=[(b"origin", b"https://evil.example")])

    assert evil.connected is False
    assert await Participant.objects.acount() == 1
    assert await host.nothing()


async def test_signed_in_user_must_prove_the_passcode_first(connect, meeting, host, bob):
    await Meeting.objects.filter(pk=meeting.pk).aupdate(passcode="123456")

    member = await connect(meeting, headers=await signed_in(bob), expect="refused")

    await assert_refused_quietly(member, Close.NO_CREDENTIALS, bystander=host, participants_before=1)


async def test_signed_in_user_who_proved_the_passcode_joins(connect, meeting, host, bob):
    from meetings.entry import SESSION_PASSCODES

    await Meeting.objects.filter(pk=meeting.pk).aupdate(passcode="123456")
    headers = await signed_in(bob, **{SESSION_PASSCODES: [meeting.code]})

    member = await connect(meeting, headers=headers)

    assert member.welcome["name"] == "Bob Member"


async def test_host_needs_no_passcode(connect, meeting, alice):
    await Meeting.objects.filter(pk=meeting.pk).aupdate(passcode="123456")

    host = await connect(meeting, headers=await signed_in(alice))

    assert host.welcome["role"] == "host"


async def test_refused_socket_cannot_send_anything(connect, meeting, host):
    stranger = await connect(meeting, expect="refused")

    await stranger.send({"type": "chat", "text": "let me in"})

    assert await stranger.refusal_code() == Close.NO_CREDENTIALS
    assert await host.nothing()


def test_every_close_code_is_distinct():
    codes = [value for name, value in vars(Close).items() if name.isupper()]
    assert len(codes) == len(set(codes))
    assert all(4000 <= code <= 4999 for code in codes)
