"""Steps of a call as a person takes them, and what proves media flows, for the browser tests."""

import re
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

REMOTE_TILES = "#tiles .tile:not(.tile-self):not(.tile-screen)"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
# How long a counter of flowing media may take to move. It moves many times a second when media
# flows; the bound is for a busy 2-core machine with several browsers decoding, not a target.
GROWTH_TIMEOUT = 20_000
PHONE = {"width": 390, "height": 844}


def join_as_guest(page, meeting, name):
    page.goto(f"/m/{meeting.code}/")
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Continue").click()
    return join_from_prejoin(page)


def join_signed_in(page, meeting):
    page.goto(f"/m/{meeting.code}/")
    return join_from_prejoin(page)


def join_from_prejoin(page):
    join = page.get_by_role("button", name="Join", exact=True)
    # Enabled once the camera and microphone are open: slow when many pages already run a call.
    expect(join).to_be_enabled(timeout=30_000)
    join.click()
    return page


def tile_of(page, name):
    """The camera tile of the participant called `name` (their screen has a tile of its own)."""
    return page.locator(REMOTE_TILES).filter(has=page.locator(".tile-name", has_text=name))


def screen_tile_of(page, name):
    return page.locator("#tiles .tile-screen").filter(
        has=page.locator(".tile-name", has_text=f"{name} (screen)")
    )


def media_stats(page):
    """Per remote peer ("<name> <peer id>"): decoded video frames, received audio samples, screen frames."""
    return page.evaluate("() => window.huddle.stats()")


def stats_of(page, name):
    """The media stats of the one remote peer called `name`."""
    found = {key: value for key, value in media_stats(page).items() if key.startswith(f"{name} ")}
    assert len(found) == 1, (name, found)
    return next(iter(found.values()))


def wait_for_flowing_media(page, peers, *, timeout=15_000, audio=True):
    """Wait until `peers` remote videos decode frames that keep growing (and audio samples, too)."""
    return wait_for_flowing_media_everywhere([page], peers, timeout=timeout, audio=audio)[0]


def wait_for_flowing_media_everywhere(pages, peers, *, timeout=15_000, audio=True):
    """On every page, `peers` remote videos show frames; then every remote peer's decoded frames (and
    audio samples) grow past a first sample, within a generous bound. The samples that grew, per page."""
    for page in pages:
        page.wait_for_function(
            """(peers) => {
                const tiles = [...document.querySelectorAll('#tiles .tile:not(.tile-self):not(.tile-screen) video')];
                return tiles.length === peers && tiles.every(v => v.videoWidth > 0);
            }""",
            arg=peers,
            timeout=timeout,
        )
    first = [media_stats(page) for page in pages]
    for sample in first:
        assert len(sample) == peers, sample
    fields = ["framesDecoded", "audioSamples"] if audio else ["framesDecoded"]
    return [
        wait_for_growth(page, since, fields, timeout=max(timeout, GROWTH_TIMEOUT))
        for page, since in zip(pages, first, strict=True)
    ]


GROWN = """async ([since, fields]) => {
    const now = await window.huddle.stats();
    return Object.entries(since).every(([key, before]) =>
        now[key] && fields.every((field) => now[key][field] > before[field]));
}"""


def wait_for_growth(page, since, fields, *, timeout=GROWTH_TIMEOUT):
    """Wait until each of `fields` of every peer in `since` (a media_stats sample) is above its value
    there: media flows. Polls, so a busy machine that stalls a second is not a failure."""
    try:
        page.wait_for_function(GROWN, arg=[since, list(fields)], timeout=timeout, polling=100)
    except PlaywrightTimeoutError:
        now = media_stats(page)
        raise AssertionError(f"{fields} did not grow within {timeout} ms: {since} then {now}") from None
    return media_stats(page)


def wait_for_camera_budgets(page, copies, budget, *, timeout=15_000):
    """Wait until the page sends `copies` camera copies, each with `budget` ([scale, fps])."""
    page.wait_for_function(
        """([copies, [scale, fps]]) => {
            const links = [...window.huddle.transport.links.values()];
            return links.length === copies && links.every((link) => {
                const [encoding] = link.pc.getTransceivers()[1]?.sender.getParameters().encodings || [];
                return encoding?.scaleResolutionDownBy === scale && encoding?.maxFramerate === fps;
            });
        }""",
        arg=[copies, budget],
        timeout=timeout,
        polling=250,
    )


def wait_for_growth_of(page, name, field, *, timeout=GROWTH_TIMEOUT):
    """One peer's counter (framesDecoded, audioSamples, screenFrames) grows past its value now."""
    found = {key: value for key, value in media_stats(page).items() if key.startswith(f"{name} ")}
    assert len(found) == 1, (name, found)
    wait_for_growth(page, found, [field], timeout=timeout)


def wait_for_screen_frames(page, name, *, timeout=15_000):
    """Wait until frames of `name`'s shared screen are decoded on `page`, then check they keep coming."""
    page.wait_for_function(
        """async (name) => {
            const stats = await window.huddle.stats();
            return Object.entries(stats).some(([key, s]) => key.startsWith(name + " ") && s.screenFrames > 0);
        }""",
        arg=name,
        timeout=timeout,
    )
    wait_for_growth_of(page, name, "screenFrames")


def open_participants(page):
    panel = page.locator("#people-panel")
    if panel.is_hidden():
        page.get_by_role("button", name=re.compile(r"^Participants")).click()
    expect(panel).to_be_visible()
    return panel


def send_chat(page, text):
    if page.locator("#chat-panel").is_hidden():
        page.get_by_role("button", name=re.compile(r"^Chat")).click()
    page.get_by_label("Message", exact=True).fill(text)
    page.locator("#chat-form").get_by_role("button", name="Send").click()


def chat_log(page):
    return page.locator("#chat-log")


def screenshot(page, name, size):
    """Save the page at `size` under test-artifacts/screenshots/<name>.png (kept for people to look at)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(size)
    page.evaluate(
        "() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))"
    )
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
