"""The pre-join page: camera preview, microphone meter, device pickers, and joining without a camera."""

import pytest
from playwright.sync_api import expect

from .call_helpers import (
    join_from_prejoin,
    join_signed_in,
    stats_of,
    tile_of,
    wait_for_flowing_media,
    wait_for_growth_of,
)

pytestmark = pytest.mark.browser

# What a browser does when the person refused the camera (or the microphone too): getUserMedia rejects.
REFUSE_CAMERA = """
const realGetUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
navigator.mediaDevices.getUserMedia = (constraints) => (constraints && constraints.video)
  ? Promise.reject(new DOMException("Permission denied", "NotAllowedError"))
  : realGetUserMedia(constraints);
"""
REFUSE_CAMERA_AND_MICROPHONE = """
navigator.mediaDevices.getUserMedia = () =>
  Promise.reject(new DOMException("Permission denied", "NotAllowedError"));
"""


def open_prejoin(page, meeting, name=None):
    page.goto(f"/m/{meeting.code}/")
    if name:
        page.get_by_label("Your name").fill(name)
        page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name=meeting.title)).to_be_visible()
    return page


def wait_for_preview_video(page):
    page.wait_for_function("() => document.querySelector('#preview-video').videoWidth > 0")


def wait_for_microphone_level(page):
    page.wait_for_function(
        "() => Number(document.querySelector('#mic-level').getAttribute('aria-valuenow')) > 0"
    )


def test_prejoin_shows_the_camera_the_microphone_level_and_the_devices(signed_in_page, alice, meeting):
    page = open_prejoin(signed_in_page(alice), meeting)

    wait_for_preview_video(page)
    expect(page.get_by_text("Your camera is off")).to_be_hidden()
    expect(page.get_by_role("meter", name="Microphone level")).to_be_visible()
    wait_for_microphone_level(page)
    for picker in ("Camera", "Microphone"):
        select = page.get_by_label(picker, exact=True)
        expect(select).to_be_enabled()
        assert select.locator("option").count() >= 1
        assert select.input_value() != ""
    expect(page.get_by_label("Your name")).to_have_value("Alice Host")
    expect(page.get_by_role("alert")).to_have_count(0)

    page.get_by_role("button", name="Mute", exact=True).click()
    unmute = page.get_by_role("button", name="Unmute")
    expect(unmute).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("meter", name="Microphone level")).to_have_attribute("aria-valuenow", "0")
    unmute.click()
    expect(page.get_by_role("button", name="Mute", exact=True)).to_have_attribute("aria-pressed", "false")
    wait_for_microphone_level(page)

    page.get_by_role("button", name="Stop video").click()
    expect(page.get_by_role("button", name="Start video")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_text("Your camera is off")).to_be_visible()
    page.get_by_role("button", name="Start video").click()
    expect(page.get_by_role("button", name="Stop video")).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_text("Your camera is off")).to_be_hidden()
    wait_for_preview_video(page)


def test_muting_and_stopping_video_before_joining_is_what_the_others_see(
    signed_in_page, new_page, alice, meeting
):
    host = join_signed_in(signed_in_page(alice), meeting)
    guest = open_prejoin(new_page(), meeting, "Quiet Quentin")
    wait_for_preview_video(guest)
    guest.get_by_role("button", name="Mute", exact=True).click()
    guest.get_by_role("button", name="Stop video").click()
    expect(guest.get_by_text("Your camera is off")).to_be_visible()
    join_from_prejoin(guest)

    expect(guest.get_by_role("button", name="Unmute")).to_be_visible()
    expect(guest.get_by_role("button", name="Start video")).to_be_visible()
    quentin = tile_of(host, "Quiet Quentin")
    expect(quentin.locator(".indicator-muted")).to_be_visible()
    expect(quentin.locator(".indicator-camera-off")).to_be_visible()
    wait_for_flowing_media(guest, 1)

    guest.get_by_role("button", name="Start video").click()
    expect(quentin.locator(".indicator-camera-off")).to_be_hidden()
    host.wait_for_function(
        """async () => Object.entries(await window.huddle.stats())
            .some(([key, s]) => key.startsWith("Quiet Quentin ") && s.framesDecoded > 0)"""
    )
    wait_for_growth_of(host, "Quiet Quentin", "framesDecoded")


def test_without_camera_permission_people_join_with_audio_only_or_to_watch(
    signed_in_page, new_page, alice, meeting
):
    host = join_signed_in(signed_in_page(alice), meeting)
    audio_only = new_page()
    audio_only.add_init_script(REFUSE_CAMERA)
    open_prejoin(audio_only, meeting, "Audrey Audio")

    problem = audio_only.locator("#media-problem")
    expect(problem).to_have_text(
        "We could not use your camera: permission was refused. You can join with audio only, or just watch."
    )
    expect(problem).to_have_attribute("role", "alert")
    expect(audio_only.get_by_text("Your camera is off")).to_be_visible()
    expect(audio_only.get_by_role("button", name="Join", exact=True)).to_be_hidden()
    expect(audio_only.get_by_label("Microphone", exact=True)).to_be_enabled()
    wait_for_microphone_level(audio_only)
    audio_only.get_by_role("button", name="Join with audio only").click()

    expect(audio_only.locator("#call")).to_be_visible()
    wait_for_flowing_media(audio_only, 1)
    audrey = tile_of(host, "Audrey Audio")
    expect(audrey.locator(".indicator-camera-off")).to_be_visible()
    expect(audrey.locator(".indicator-muted")).to_be_hidden()
    host.wait_for_function(
        """async () => Object.entries(await window.huddle.stats())
            .some(([key, s]) => key.startsWith("Audrey Audio ") && s.audioSamples > 0)"""
    )
    wait_for_growth_of(host, "Audrey Audio", "audioSamples")

    watcher = new_page()
    watcher.add_init_script(REFUSE_CAMERA)
    open_prejoin(watcher, meeting, "Walter Watcher")
    expect(watcher.locator("#media-problem")).to_be_visible()
    watcher.get_by_role("button", name="Join to watch only").click()
    expect(watcher.locator("#call")).to_be_visible()
    expect(watcher.get_by_role("button", name="Unmute")).to_be_visible()
    walter = tile_of(host, "Walter Watcher")
    expect(walter.locator(".indicator-camera-off")).to_be_visible()
    expect(walter.locator(".indicator-muted")).to_be_visible()
    watcher.wait_for_function(
        """async () => Object.entries(await window.huddle.stats())
            .some(([key, s]) => key.startsWith("Alice Host ") && s.framesDecoded > 0)"""
    )
    wait_for_growth_of(watcher, "Alice Host", "framesDecoded")
    wait_for_growth_of(watcher, "Alice Host", "audioSamples")
    wait_for_growth_of(watcher, "Audrey Audio", "audioSamples")
    assert stats_of(watcher, "Audrey Audio")["framesDecoded"] == 0


def test_without_camera_or_microphone_a_person_can_still_watch(signed_in_page, new_page, alice, meeting):
    host = join_signed_in(signed_in_page(alice), meeting)
    watcher = new_page()
    watcher.add_init_script(REFUSE_CAMERA_AND_MICROPHONE)
    open_prejoin(watcher, meeting, "Walter Watcher")

    expect(watcher.locator("#media-problem")).to_have_text(
        "We could not use your camera or microphone: permission was refused. "
        "You can still join to watch and listen."
    )
    expect(watcher.get_by_role("button", name="Join", exact=True)).to_be_hidden()
    expect(watcher.get_by_role("button", name="Join with audio only")).to_be_hidden()
    expect(watcher.get_by_role("button", name="Mute", exact=True)).to_be_disabled()
    watcher.get_by_role("button", name="Join to watch only").click()

    expect(watcher.locator("#call")).to_be_visible()
    wait_for_flowing_media(watcher, 1)
    walter = tile_of(host, "Walter Watcher")
    expect(walter.locator(".indicator-camera-off")).to_be_visible()
    expect(walter.locator(".indicator-muted")).to_be_visible()
