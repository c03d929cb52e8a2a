"""Steps of a call as a person takes them, and what proves media flows, for the browser tests."""

from playwright.sync_api import expect


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
    expect(join).to_be_enabled()
    join.click()
    return page


def media_stats(page):
    """Per remote peer: decoded video frames, received audio samples, screen frames."""
    return page.evaluate("() => window.huddle.stats()")


def wait_for_flowing_media(page, peers, *, timeout=15_000, audio=True):
    """Wait until `peers` remote videos decode frames that keep growing (and audio samples, too)."""
    page.wait_for_function(
        """([peers, audio]) => {
            const tiles = [...document.querySelectorAll('#tiles .tile:not(.tile-self):not(.tile-screen) video')];
            return tiles.length === peers && tiles.every(v => v.videoWidth > 0);
        }""",
        arg=[peers, audio],
        timeout=timeout,
    )
    first = media_stats(page)
    page.wait_for_timeout(1000)
    second = media_stats(page)
    assert len(second) == peers, second
    for key, after in second.items():
        before = first.get(key, {"framesDecoded": 0, "audioSamples": 0})
        assert after["framesDecoded"] > before["framesDecoded"], (key, before, after)
        if audio:
            assert after["audioSamples"] > before["audioSamples"], (key, before, after)
    return second
