"""daphne as `manage.py serve` runs it: back-pressure on websockets, a deadline on HTTP request heads.

daphne reads whatever a socket sends as fast as the network delivers it and puts every websocket
message into the application's queue, which has no bound. A client that writes faster than its
consumer handles messages therefore grows the server's memory without limit, and the rate limit
(which counts what the consumer handles) only sees a trickle of it. The fix belongs where the
bytes are read: stop reading from a socket whose messages wait unhandled, so TCP pushes back on
the writer. We keep daphne and add this in two small subclasses rather than in the application,
because only the transport can stop reading; an ASGI application cannot refuse a message daphne
has already queued.
"""

from daphne.cli import CommandLineInterface
from daphne.server import Server
from daphne.ws_protocol import WebSocketProtocol
from django.conf import settings
from twisted.internet import protocol, reactor

# Messages that may wait unhandled for one websocket before the server stops reading from it. A
# join into a full room of 12 sends about 230 messages in a burst; the consumer handles thousands a
# second, so legitimate traffic only ever pauses for a few milliseconds. With 128 KiB frames at most
# this bounds a socket's queue at 2 MiB; a flood of small frames at a few tens of KB.
MAX_WAITING_MESSAGES = 16
# How often a paused socket checks whether its consumer caught up (only while paused).
DRAIN_CHECK_SECONDS = 0.005


class BoundedWebSocketProtocol(WebSocketProtocol):
    """daphne's websocket protocol that stops reading while MAX_WAITING_MESSAGES wait unhandled.

    It resumes reading once half of them were handled. Messages that arrive after the server sent
    its close frame are dropped unread: nobody will handle them.
    """

    reading_paused = False

    def onMessage(self, payload, isBinary):
        if self.state != self.STATE_OPEN:
            return
        super().onMessage(payload, isBinary)
        if not self.reading_paused and self.messages_waiting() >= MAX_WAITING_MESSAGES:
            self.reading_paused = True
            self.transport.pauseProducing()
            reactor.callLater(DRAIN_CHECK_SECONDS, self._resume_when_drained)

    def messages_waiting(self):
        queue = getattr(self, "application_queue", None)
        return queue.qsize() if queue is not None else 0

    def _resume_when_drained(self):
        """Read again once the consumer caught up, or once the socket is closing (to read its close)."""
        if self.state == self.STATE_OPEN and self.messages_waiting() > MAX_WAITING_MESSAGES // 2:
            reactor.callLater(DRAIN_CHECK_SECONDS, self._resume_when_drained)
            return
        self.reading_paused = False
        if self.state != self.STATE_CLOSED:
            self.transport.resumeProducing()


class HeaderDeadline(protocol.Protocol):
    """Hands every byte to daphne's HTTP protocol, and drops the connection if its request head has
    not fully arrived `seconds` after its first byte.

    Twisted's own timeout is an idle one, reset by every byte, so a client sending one header byte
    now and then keeps a connection (and its memory) forever. The deadline counts from the first
    byte, as Node's headersTimeout does, not from the connection: browsers open connections ahead
    of need and leave them silent for a while, and those must not be cut (Twisted's idle timeout
    closes them after a minute of silence). It covers the first request of a connection, the one
    every websocket handshake is; a kept-alive connection's next requests have the idle timeout.
    Once daphne upgrades the connection to a websocket, the bytes no longer pass through here.
    """

    def __init__(self, wrapped, seconds):
        self.wrapped = wrapped
        self.seconds = seconds
        self.tail = b""
        self.deadline = None
        self.head_complete = False

    def makeConnection(self, transport):
        self.transport = transport
        self.wrapped.makeConnection(transport)

    def dataReceived(self, data):
        if not self.head_complete:
            if self.deadline is None:
                self.deadline = reactor.callLater(self.seconds, self.transport.abortConnection)
            seen = self.tail + data
            if b"\r\n\r\n" in seen:
                self.head_complete = True
                self._cancel_deadline()
            else:
                self.tail = seen[-3:]
        self.wrapped.dataReceived(data)

    def connectionLost(self, reason=protocol.connectionDone):
        self._cancel_deadline()
        self.wrapped.connectionLost(reason)

    def _cancel_deadline(self):
        if self.deadline is not None and self.deadline.active():
            self.deadline.cancel()
        self.deadline = None


class SignalingServer(Server):
    """daphne's server with BoundedWebSocketProtocol, HeaderDeadline, and 1009 for oversize frames.

    daphne builds its factories inside run(); they are adjusted in the ready callback, which runs
    after they exist and before the reactor accepts the first connection.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._then_ready = self.ready_callable
        self.ready_callable = self._fit_factories

    def _fit_factories(self):
        self.ws_factory.protocol = BoundedWebSocketProtocol
        # autobahn drops the TCP connection on a protocol violation by default, which a client sees
        # as 1006; without failByDrop it sends the close frame (1009 for a frame over the limit).
        self.ws_factory.setProtocolOptions(failByDrop=False)
        build_http = self.http_factory.buildProtocol
        seconds = settings.HTTP_HEADER_TIMEOUT

        def build_with_deadline(address):
            built = build_http(address)
            return None if built is None else HeaderDeadline(built, seconds)

        self.http_factory.buildProtocol = build_with_deadline
        if self._then_ready:
            self._then_ready()


class SignalingCommandLine(CommandLineInterface):
    """daphne's command line, serving with SignalingServer."""

    server_class = SignalingServer
