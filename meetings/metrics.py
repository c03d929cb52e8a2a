"""What the signaling server counts as it runs, for the Prometheus endpoint (operations.views).

The consumer calls these one-liners; they only touch in-process counters, never the database. The
figures are per server process: Prometheus scrapes each process and sums them (README.md, "Monitoring").
"""

from prometheus_client import Counter, Gauge

WEBSOCKETS_OPEN = Gauge("huddle_websockets_open", "Signaling websockets open in this process.")
SIGNALS_RELAYED = Counter(
    "huddle_signals_relayed", "Offers, answers and ICE candidates relayed between browsers."
)
REFUSALS = Counter(
    "huddle_websocket_refusals", "Signaling websockets refused, by close code.", labelnames=["code"]
)


def websocket_opened():
    WEBSOCKETS_OPEN.inc()


def websocket_closed():
    WEBSOCKETS_OPEN.dec()


def signal_relayed():
    SIGNALS_RELAYED.inc()


def websocket_refused(code):
    REFUSALS.labels(code=str(code)).inc()
