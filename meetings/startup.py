"""What a server process does as it starts: begin sweeping stale participants at once, and start
the periodic task that sends meeting reminders (meetings/reminders.py).

Otherwise the sweeper (connections.ensure_sweeper) starts with the first websocket, and a server
restarted after a crash, which nobody has reconnected to yet, would leave the rows its dead sockets
left behind "joined" until someone does.
"""

import sys


def sweep_when_serving():
    """Start the sweeper once daphne's event loop runs; elsewhere (tests, scripts, other servers) do nothing.

    daphne installs Twisted's asyncio reactor before it imports the application; a call scheduled on
    that reactor runs only when the server serves, so merely importing config.asgi starts nothing.
    """
    reactor = sys.modules.get("twisted.internet.reactor")
    if reactor is None:
        return  # not under daphne: the first websocket starts the sweeper
    from twisted.internet.asyncioreactor import AsyncioSelectorReactor

    if isinstance(reactor, AsyncioSelectorReactor):
        from .connections import ensure_sweeper
        from .reminders import ensure_reminder_task

        reactor.callLater(0, ensure_sweeper)
        reactor.callLater(0, ensure_reminder_task)
