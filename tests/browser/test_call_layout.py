"""The call screen's geometry at a desktop and a phone's two orientations, for 1, 2 and 3 people:
one row of controls inside the screen, no horizontal scroll, tiles as large as the stage allows."""

import math
import re

import pytest
from playwright.sync_api import expect

from .call_helpers import DESKTOP, PHONE, join_as_guest, join_from_prejoin, screenshot

pytestmark = pytest.mark.browser

PHONE_LANDSCAPE = {"width": 844, "height": 390}
SIZES = {"desktop": DESKTOP, "phone": PHONE, "phone-landscape": PHONE_LANDSCAPE}

GEOMETRY = """() => {
  const rect = (el) => { const r = el.getBoundingClientRect(); return {x: r.left, y: r.top, w: r.width, h: r.height}; };
  const tiles = document.getElementById('tiles');
  const style = getComputedStyle(tiles);
  const remote = [...tiles.querySelectorAll('.tile:not(.tile-self) video')].find(v => v.videoWidth);
  const controls = [...document.querySelectorAll('.controls button')].filter(b => b.offsetParent !== null && !b.closest('[role=menu]'));
  return {
    viewport: {w: innerWidth, h: innerHeight},
    scrollWidth: document.documentElement.scrollWidth,
    stage: {w: tiles.clientWidth, h: tiles.clientHeight, gap: parseFloat(style.columnGap) || 0},
    aspect: remote ? remote.videoWidth / remote.videoHeight : 4 / 3,
    controls: controls.map(b => ({name: b.getAttribute('aria-label') || b.textContent.trim(), ...rect(b)})),
    grid: [...tiles.children].filter(t => !t.classList.contains('pip')).map(rect),
    pip: [...tiles.children].filter(t => t.classList.contains('pip')).map(t => ({...rect(t), self: t.classList.contains('tile-self')})),
    stageRect: rect(tiles),
  };
}"""


def largest_tile_area(count, stage, aspect):
    """The largest area a tile can have when `count` tiles of `aspect` share the stage in a grid."""
    best = 0
    for columns in range(1, count + 1):
        rows = math.ceil(count / columns)
        width = min(
            (stage["w"] - stage["gap"] * (columns - 1)) / columns,
            (stage["h"] - stage["gap"] * (rows - 1)) / rows * aspect,
        )
        best = max(best, width * width / aspect)
    return best


def overlaps(a, b):
    return (
        a["x"] + 1 < b["x"] + b["w"]
        and b["x"] + 1 < a["x"] + a["w"]
        and a["y"] + 1 < b["y"] + b["h"]
        and b["y"] + 1 < a["y"] + a["h"]
    )


def fitted(page, size, tiles):
    """The page at `size`, once the stage has been fitted to it (page.js marks what it fitted)."""
    page.set_viewport_size(size)
    page.wait_for_function(
        """(count) => { const t = document.getElementById('tiles');
            return t.children.length === count && t.dataset.fittedFor === `${t.clientWidth}x${t.clientHeight}x${count}`; }""",
        arg=tiles,
        timeout=15_000,
    )
    return page.evaluate(GEOMETRY)


def assert_call_screen_fits(geometry, people, size_name):
    viewport = geometry["viewport"]
    where = f"{people} people at {size_name}"
    assert geometry["scrollWidth"] <= viewport["w"], f"horizontal scroll with {where}"
    controls = geometry["controls"]
    assert {"Mute", "Stop video", "Leave"} <= {c["name"] for c in controls}, controls
    for control in controls:
        assert control["x"] >= 0 and control["x"] + control["w"] <= viewport["w"] + 0.5, (where, control)
        assert control["y"] >= 0 and control["y"] + control["h"] <= viewport["h"] + 0.5, (where, control)
        assert control["w"] >= 44 and control["h"] >= 44, (where, "touch target", control)
    tops = {round(c["y"] + c["h"] / 2) for c in controls}
    assert max(tops) - min(tops) <= 2, (where, "controls on more than one row", controls)

    grid = geometry["grid"]
    best = largest_tile_area(len(grid), geometry["stage"], geometry["aspect"])
    for tile in grid:
        assert tile["w"] * tile["h"] >= 0.9 * best, (where, tile, best)
    for index, tile in enumerate(grid):
        for other in grid[index + 1 :]:
            assert not overlaps(tile, other), (where, tile, other)
    if people == 2:
        [pip] = geometry["pip"]
        stage = geometry["stageRect"]
        assert pip["self"], "the picture-in-picture is the self view"
        assert pip["w"] * pip["h"] <= 0.25 * stage["w"] * stage["h"], (where, pip)
        assert stage["x"] <= pip["x"] and pip["x"] + pip["w"] <= stage["x"] + stage["w"] + 0.5, (where, pip)
        assert stage["y"] <= pip["y"] and pip["y"] + pip["h"] <= stage["y"] + stage["h"] + 0.5, (where, pip)
    else:
        assert geometry["pip"] == [], where


@pytest.mark.parametrize("people", [1, 2, 3])
def test_call_screen_fits_desktop_and_phone(people, signed_in_page, new_page, alice, meeting):
    host = signed_in_page(alice, viewport=DESKTOP, permissions=["clipboard-read", "clipboard-write"])
    host.goto(f"/m/{meeting.code}/")
    # The navigation avatar is its usual small self on the pre-join page, not the tiles' 72 px.
    avatar = host.locator(".site-header .avatar").bounding_box()
    assert avatar["width"] <= 32 and avatar["height"] <= 32, avatar
    join_from_prejoin(host)
    for index in range(people - 1):
        join_as_guest(new_page(viewport=DESKTOP), meeting, f"Guest {index + 1}")
    host.wait_for_function(
        """(peers) => { const v = [...document.querySelectorAll('#tiles .tile:not(.tile-self) video')];
            return v.length === peers && v.every(video => video.videoWidth > 0); }""",
        arg=people - 1,
        timeout=30_000,
    )
    expect(host.locator("#call-timer")).to_have_text(re.compile(r"^\d+:\d\d$"))
    expect(host.locator(".call-title")).to_have_text(meeting.title)

    for size_name, size in SIZES.items():
        geometry = fitted(host, size, people)
        screenshot(host, f"call-{people}-{'person' if people == 1 else 'people'}-{size_name}", size)
        assert_call_screen_fits(geometry, people, size_name)

    if people == 2:
        # With the chat open, the other person still gets the whole rest of the stage.
        host.set_viewport_size(DESKTOP)
        host.get_by_role("button", name="Chat", exact=True).click()
        geometry = fitted(host, DESKTOP, people)
        screenshot(host, "call-2-people-desktop-chat", DESKTOP)
        assert_call_screen_fits(geometry, people, "desktop with the chat open")
        assert geometry["grid"][0]["h"] >= 0.9 * geometry["stage"]["h"], geometry

    if people == 1:
        host.set_viewport_size(DESKTOP)
        more = host.get_by_role("button", name="More")
        more.click()
        expect(more).to_have_attribute("aria-expanded", "true")
        host.get_by_role("menuitem", name="Copy invite link").click()
        expect(host.get_by_role("status").filter(has_text="Invite link copied")).to_be_visible()
        expect(more).to_have_attribute("aria-expanded", "false")
        assert host.evaluate("() => navigator.clipboard.readText()").endswith(f"/m/{meeting.code}/")

        # On a phone "End for all" moves into the menu, which the keyboard can leave with Escape.
        host.set_viewport_size(PHONE)
        expect(host.locator("#end-button")).to_be_hidden()
        more.click()
        expect(host.get_by_role("menuitem", name="Copy invite link")).to_be_focused()
        expect(host.get_by_role("menuitem", name="End for all")).to_be_visible()
        host.keyboard.press("Escape")
        expect(host.get_by_role("menu")).to_be_hidden()
        expect(more).to_be_focused()
