"""A connection's state decides which messages it takes: one table (consumers.ACCEPTS) for every handler."""

import pytest

from meetings.consumers import ACCEPTS, MeetingConsumer, State
from meetings.protocol import Error

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_message_a_state_accepts_has_a_handler_and_every_handler_is_reachable():
    accepted = set().union(*(accepts.types for accepts in ACCEPTS.values()))
    assert accepted == set(MeetingConsumer.HANDLERS)


def test_only_a_held_socket_may_join_and_only_a_resuming_one_may_resume():
    assert {state for state, accepts in ACCEPTS.items() if "join" in accepts.types} == {State.HELD}
    assert {state for state, accepts in ACCEPTS.items() if "resume" in accepts.types} == {State.RESUMING}


async def test_a_socket_in_the_call_that_sends_resume_gets_an_error_and_stays(join, meeting, host):
    await host.send({"type": "resume", "token": "x" * 32, "id": 1})

    assert await host.receive() == {
        "type": "error",
        "code": Error.INVALID,
        "message": "This connection has joined already.",
        "re": 1,
    }
    await host.ping()


async def test_a_resuming_socket_takes_nothing_but_resume(connect, meeting, host):
    resuming = await connect(meeting, query="resume=1", expect=None)

    await resuming.send({"type": "ping", "id": 2})

    assert await resuming.receive() == {
        "type": "error",
        "code": Error.NOT_JOINED,
        "message": "Send resume first.",
        "re": 2,
    }
