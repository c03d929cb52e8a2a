"""The browser and the server speak one vocabulary: protocol.js names what meetings/protocol.py names.

The JS module is hand-written, not generated (readable source is what the browser runs, and `make run`
serves static files without a collectstatic step); these tests keep it in step with Python and the docs.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from meetings import protocol

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL_JS = ROOT / "static" / "js" / "meeting" / "protocol.js"
SIGNALING_MD = ROOT / "docs" / "signaling.md"


@pytest.fixture(scope="module")
def js():
    """The exports of protocol.js, as the browser sees them (evaluated by Node, not parsed by regex)."""
    node = shutil.which("node")
    assert node, "These tests need Node.js: apt-get install nodejs (make test installs it)."
    script = (
        f"import({json.dumps(PROTOCOL_JS.as_uri())}).then((m) => console.log(JSON.stringify({{"
        "Close: m.Close, ErrorCode: m.ErrorCode, ClientMessage: m.ClientMessage,"
        "ServerMessage: m.ServerMessage, FINAL_MESSAGES: m.FINAL_MESSAGES,"
        "FINAL_CLOSE_CODES: [...m.FINAL_CLOSE_CODES], TICKET_PROBLEMS: [...m.TICKET_PROBLEMS]})))"
    )
    result = subprocess.run([node, "--input-type=module", "-e", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def constants(cls):
    return {name: value for name, value in vars(cls).items() if name.isupper()}


def documented_types(heading):
    """The `type` column of the message table under `heading` in docs/signaling.md."""
    section = SIGNALING_MD.read_text().split(heading, 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    return set(re.findall(r"^\| `([a-z-]+)` \|", section, flags=re.MULTILINE)) - {"type"}  # the header


def test_close_codes_are_the_same_in_the_browser_and_on_the_server(js):
    assert js["Close"] == constants(protocol.Close)


def test_error_codes_are_the_same_in_the_browser_and_on_the_server(js):
    assert js["ErrorCode"] == constants(protocol.Error)


def test_message_types_are_the_same_in_the_browser_and_on_the_server(js):
    assert set(js["ClientMessage"].values()) == protocol.CLIENT_MESSAGES
    assert set(js["ServerMessage"].values()) == protocol.SERVER_MESSAGES


def test_the_server_handles_exactly_the_client_messages():
    from meetings.consumers import MeetingConsumer

    assert set(MeetingConsumer.HANDLERS) == protocol.CLIENT_MESSAGES


def test_every_message_type_is_documented_and_nothing_else_is():
    assert documented_types("### Client to server") == protocol.CLIENT_MESSAGES
    assert documented_types("### Server to client") == protocol.SERVER_MESSAGES


def test_every_close_code_is_documented_under_its_name():
    table = SIGNALING_MD.read_text().split("## Close codes", 1)[1]
    documented = dict(re.findall(r"^\| (\d{4}) \| `([A-Z_]+)` \|", table, flags=re.MULTILINE))
    assert {name: int(code) for code, name in documented.items()} == constants(protocol.Close)


def test_the_client_gives_up_exactly_on_the_codes_documented_as_final(js):
    table = SIGNALING_MD.read_text().split("## Close codes", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (4\d{3}) \|.*\| ([^|]+) \|$", table, flags=re.MULTILINE)
    assert len(rows) == len(constants(protocol.Close))  # every 4xxx row was read
    no_reconnect = {int(code) for code, reconnect in rows if reconnect.strip().startswith("no")}
    assert set(js["FINAL_CLOSE_CODES"]) == no_reconnect
    assert set(js["TICKET_PROBLEMS"]) == {protocol.Close.TICKET_EXPIRED, protocol.Close.TICKET_USED}
    assert set(js["FINAL_MESSAGES"]) <= protocol.SERVER_MESSAGES
