import pytest

from meetings.models import Participant

from .conftest import ticket_for

pytestmark = pytest.mark.django_db(transaction=True)


async def test_two_people_see_each_other_and_relay(connect, meeting, alice, bob):
    host = await connect(meeting, ticket=ticket_for(meeting, "Alice", user=alice))
    assert host.welcome["role"] == "host"
    assert host.welcome["peers"] == []
    guest = await connect(meeting, ticket=ticket_for(meeting, "Guest"))
    assert [p["name"] for p in guest.welcome["peers"]] == ["Alice"]
    joined = await host.receive_type("peer-joined")
    assert joined["peer"]["peer_id"] == guest.peer_id

    await guest.send({"type": "signal", "to": host.peer_id, "from": "forged",
                      "description": {"type": "offer", "sdp": "v=0 fake"}})
    relayed = await host.receive_type("signal")
    assert relayed == {"type": "signal", "from": guest.peer_id, "description": {"type": "offer", "sdp": "v=0 fake"}}

    await guest.send({"type": "leave"})
    left = await host.receive_type("peer-left")
    assert left["peer_id"] == guest.peer_id
    await host.ws.disconnect()
    statuses = sorted([p.status async for p in Participant.objects.all()])
    assert statuses == ["left", "left"]
