"""50 random joins, leaves, drops and resumes: in the end every client's roster equals the database."""

import random
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils import timezone

from meetings import room
from meetings.models import Participant

pytestmark = pytest.mark.django_db(transaction=True)


class Seen:
    """A client and the roster it has built from its welcome and the events since."""

    def __init__(self, person):
        self.person = person
        self.roster = {peer["peer_id"] for peer in person.welcome["peers"]}

    async def drain(self):
        while not await self.person.ws.receive_nothing(timeout=0.05):
            message = await self.person.receive()
            if message["type"] == "peer-joined":
                self.roster.add(message["peer"]["peer_id"])
            elif message["type"] == "peer-left":
                self.roster.discard(message["peer_id"])
            elif message["type"] == "welcome":
                self.roster = {peer["peer_id"] for peer in message["peers"]}


@pytest.mark.parametrize("seed", [7, 2026])
async def test_fifty_random_cycles_leave_every_roster_equal_to_the_database(connect, join, meeting, seed):
    meeting.max_participants = 12
    await sync_to_async(meeting.save)()
    chance = random.Random(seed)
    present, dropped, counter = [], [], 0

    async def drain_all():
        for seen in present:
            await seen.drain()

    async def time_passes():
        """Those who dropped and never came back are counted as gone by the sweeper."""
        later = timezone.now() + timedelta(seconds=settings.SIGNALING["RESUME_GRACE"] + 1)
        await sync_to_async(room.participants_prune_stale)(now=later)
        dropped.clear()
        await drain_all()

    for _ in range(50):
        action = chance.choice(["join", "join", "leave", "drop-resume", "drop-for-good"])
        if action == "join" or not present:
            if len(present) >= 10:
                continue
            if len(present) + len(dropped) >= meeting.max_participants:
                await time_passes()  # a full room frees the places of the dropped
            counter += 1
            present.append(Seen(await join(meeting, f"P{counter}")))
        elif action == "leave":
            seen = present.pop(chance.randrange(len(present)))
            await seen.person.send({"type": "leave"})
            await seen.person.closed()
        elif action == "drop-resume":
            seen = present.pop(chance.randrange(len(present)))
            token = seen.person.welcome["resume_token"]
            await seen.person.hang_up(1006)
            await drain_all()
            present.append(Seen(await connect(meeting, resume=token, headers=seen.person.headers)))
        else:
            seen = present.pop(chance.randrange(len(present)))
            await seen.person.hang_up(1006)
            dropped.append(seen)
        await drain_all()

    await time_passes()

    in_database = {
        peer_id
        async for peer_id in Participant.objects.joined()
        .filter(meeting=meeting)
        .values_list("peer_id", flat=True)
    }
    assert in_database == {seen.person.peer_id for seen in present}
    for seen in present:
        assert seen.roster == in_database - {seen.person.peer_id}, seen.person.welcome["name"]
    assert len(present) > 0 and counter > 5
