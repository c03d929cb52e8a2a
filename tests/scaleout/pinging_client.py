"""A participant in a separate process, so a test can freeze it with SIGSTOP like a hung laptop.

Usage: python -m tests.scaleout.pinging_client WS_URL ORIGIN. Prints the server's first message as
one JSON line, then pings like the browser does until it is killed.
"""

import json
import sys
import time

from websockets.sync.client import connect

PING_EVERY = 0.5


def main(url, origin):
    with connect(url, origin=origin, open_timeout=5) as socket:
        print(socket.recv(timeout=5), flush=True)
        while True:
            socket.send(json.dumps({"type": "ping"}))
            deadline = time.monotonic() + PING_EVERY
            while (left := deadline - time.monotonic()) > 0:
                try:
                    socket.recv(timeout=left)
                except TimeoutError:
                    break


if __name__ == "__main__":
    main(*sys.argv[1:3])
