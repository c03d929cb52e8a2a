// The meeting page: pre-join, tiles, controls, chat and participants, the only module that touches
// the DOM. It draws what the Call reports and turns clicks into Call actions; it talks to nothing
// else (the socket, the connections and the wire vocabulary are the Call's business).

import { Call } from "./call.js";
import { bestGrid } from "./layout.js";
import { LevelMeter, LocalMedia } from "./media.js";
import { SLOT_AUDIO, SLOT_CAMERA, SLOT_SCREEN } from "./peer.js";
import { ClientMessage, Close, ErrorCode, ServerMessage } from "./protocol.js";

const root = document.getElementById("room");
const $ = (id) => document.getElementById(id);

const media = new LocalMedia();
const call = new Call({ ticketUrl: root.dataset.ticketUrl, csrfToken: root.dataset.csrfToken, media });
window.huddle = call; // a handle for diagnostics in the console (and for the browser tests)

/** peerId -> {tile, video, camera: MediaStream, screenTile?, screen?: MediaStream, meter?} */
const views = new Map();
const SELF = "self";
let selfMeter = null;
let pinned = null;
let locked = false;
let finished = false;
let callStartedAt = 0;
let wakeLock = null;

// --- Pre-join -----------------------------------------------------------------------------------

async function setupPrejoin() {
  await media.start();
  showPreview();
  await fillDeviceSelects();
  describeMediaProblems();
  if (media.audioTrack) selfMeter = new LevelMeter(media.audioTrack);
  animateLevel();
  $("join-button").disabled = false;
  holdSocket();
}

// The signaling socket is opened (with a ticket for the name shown) while the person looks at the
// pre-join page and held until Join, which then sends one message; a new name holds a new socket.
function holdSocket() {
  const name = $("display-name").value.trim();
  if ($("prejoin").hidden || !name) return;
  call.prepare(name);
}
$("display-name").addEventListener("change", holdSocket);

function showPreview() {
  const video = $("preview-video");
  video.srcObject = media.cameraTrack ? new MediaStream([media.cameraTrack]) : null;
  $("preview-off").hidden = Boolean(media.cameraTrack);
  setToggle($("prejoin-video"), !media.cameraTrack, "Stop video", "Start video");
  setToggle($("prejoin-mute"), media.muted, "Mute", "Unmute");
  $("prejoin-mute").disabled = !media.audioTrack;
}

async function fillDeviceSelects() {
  if (!navigator.mediaDevices?.enumerateDevices) return;
  const { cameras, microphones } = await media.devices();
  fillSelect($("camera-select"), cameras, media.videoDeviceId, "No camera found");
  fillSelect($("microphone-select"), microphones, media.audioDeviceId, "No microphone found");
}

function fillSelect(select, devices, current, emptyLabel) {
  select.replaceChildren();
  devices.forEach((device, index) => {
    const option = new Option(device.label || `Device ${index + 1}`, device.deviceId);
    option.selected = device.deviceId === current;
    select.append(option);
  });
  if (!devices.length) select.append(new Option(emptyLabel, ""));
  select.disabled = !devices.length;
}

function describeError(error) {
  const reasons = {
    NotAllowedError: "permission was refused",
    NotFoundError: "none was found",
    NotReadableError: "it is in use by another application",
    OverconstrainedError: "it does not support the requested quality",
    SecurityError: "the page is not secure",
  };
  return reasons[error?.name] || error?.message || "it is not available";
}

function describeMediaProblems() {
  const problem = $("media-problem");
  const lines = [];
  if (media.videoError && media.audioError) {
    lines.push(`We could not use your camera or microphone: ${describeError(media.videoError)}.`);
    lines.push("You can still join to watch and listen.");
    $("join-button").hidden = true;
    $("join-watch-only").hidden = false;
  } else if (media.videoError) {
    lines.push(`We could not use your camera: ${describeError(media.videoError)}.`);
    lines.push("You can join with audio only, or just watch.");
    $("join-button").hidden = true;
    $("join-audio-only").hidden = false;
    $("join-watch-only").hidden = false;
  } else if (media.audioError) {
    lines.push(`We could not use your microphone: ${describeError(media.audioError)}. Others will not hear you.`);
  }
  problem.textContent = lines.join(" ");
  problem.hidden = lines.length === 0;
}

function animateLevel() {
  const bar = $("mic-level");
  const fill = bar.querySelector("span");
  const tick = () => {
    if (!$("prejoin").hidden) {
      const level = selfMeter && !media.muted ? selfMeter.level() : 0;
      fill.style.setProperty("--level", String(level));
      bar.setAttribute("aria-valuenow", String(Math.round(level * 100)));
      requestAnimationFrame(tick);
    }
  };
  requestAnimationFrame(tick);
}

$("prejoin-mute").addEventListener("click", () => {
  media.setMuted(!media.muted);
  showPreview();
});

$("prejoin-video").addEventListener("click", async () => {
  if (media.cameraTrack) media.cameraOff();
  else await turnCameraOn();
  showPreview();
});

$("camera-select").addEventListener("change", async (event) => {
  await turnCameraOn(event.target.value);
  showPreview();
  if (!$("call").hidden) {
    call.sendMedia({ video: Boolean(media.cameraTrack) });
    updateControls();
  }
});

$("microphone-select").addEventListener("change", async (event) => {
  try {
    const track = await media.useMicrophone(event.target.value);
    selfMeter?.stop();
    selfMeter = new LevelMeter(track);
    await call.replaceTrack(SLOT_AUDIO, track);
  } catch (error) {
    notice(`Could not switch microphone: ${describeError(error)}.`);
  }
});

async function turnCameraOn(deviceId) {
  try {
    const track = await media.cameraOn(deviceId);
    await call.replaceTrack(SLOT_CAMERA, track);
    return track;
  } catch (error) {
    media.videoError = error;
    notice(`We could not use your camera: ${describeError(error)}.`);
    return null;
  }
}

$("prejoin-form").addEventListener("submit", (event) => {
  event.preventDefault();
  join();
});
$("join-audio-only").addEventListener("click", () => join());
$("join-watch-only").addEventListener("click", () => {
  media.setMuted(true);
  join();
});

async function join() {
  const name = $("display-name").value.trim();
  if (!name) {
    showJoinProblem("Please enter your name.");
    $("display-name").focus();
    return;
  }
  for (const id of ["join-button", "join-audio-only", "join-watch-only"]) $(id).disabled = true;
  const joining = call.join(name);
  // Draw the call while the server admits us: the page is idle until the welcome, and drawing
  // after it would hold up the answer to our first offer. Not when we are likely to wait in the
  // waiting room (the page says so), where the call would only flash by.
  if (root.dataset.mayWait !== "true") showCallScreen(name);
  try {
    await joining;
  } catch (error) {
    if (error.location) {
      window.location.assign(error.location);
      return;
    }
    showPrejoinAgain();
    showJoinProblem(error.message || "Could not join. Please try again.");
    for (const id of ["join-button", "join-audio-only", "join-watch-only"]) $(id).disabled = false;
  }
}

function showCallScreen(name) {
  $("prejoin").hidden = true;
  $("waiting-screen").hidden = true;
  $("call").hidden = false;
  document.body.classList.add("in-call");
  placeDeviceFields($("devices-fields"));
  if (!callStartedAt) {
    callStartedAt = Date.now();
    setInterval(showTimer, 1000);
  }
  ensureSelfTile(name);
  updateControls();
  keepAwake();
}

/** The time since this person joined, as m:ss (h:mm:ss after an hour). */
function showTimer() {
  const seconds = Math.floor((Date.now() - callStartedAt) / 1000);
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const pad = (value) => String(value).padStart(2, "0");
  $("call-timer").textContent = hours ? `${hours}:${pad(minutes)}:${pad(seconds % 60)}` : `${minutes}:${pad(seconds % 60)}`;
}

/** Keep the screen on during a call (a phone would dim it while the person only listens). */
async function keepAwake() {
  if (!navigator.wakeLock || finished || $("call").hidden || document.visibilityState !== "visible" || wakeLock) return;
  try {
    wakeLock = await navigator.wakeLock.request("screen");
    wakeLock.addEventListener("release", () => { wakeLock = null; });
  } catch {
    // Refused (battery saver, no user gesture yet): the call works, the screen may dim.
  }
}
document.addEventListener("visibilitychange", keepAwake);

/** The camera and microphone pickers: on the pre-join form, then in the call's settings panel. */
function placeDeviceFields(container) {
  container.append($("camera-field"), $("microphone-field"));
}

function showPrejoinAgain() {
  $("call").hidden = true;
  $("prejoin-mute").closest(".row").before($("camera-field"), $("microphone-field"));
  document.body.classList.remove("in-call");
  $("prejoin").hidden = false;
}

function showJoinProblem(text) {
  $("join-problem").textContent = text;
  $("join-problem").hidden = false;
}

// --- Entering and leaving the call --------------------------------------------------------------

call.on("waiting", () => {
  $("prejoin").hidden = true;
  $("waiting-screen").hidden = false;
});

call.on("welcome", (welcome) => {
  showCallScreen(welcome.name);
  renderChatHistory(welcome.chat);
  setLocked(welcome.meeting.locked);
  showRole(welcome.role);
  refreshPeople();
  $("connection-banner").hidden = true;
  announcingArrivals = true;
  if (welcome.media && welcome.media.audio === false && media.audioTrack && !media.muted) {
    setMuted(true); // the host asked everyone to enter muted
  }
});

call.on("reconnecting", () => {
  $("connection-banner").hidden = false;
  announcingArrivals = false; // the roster is reconciled on return, not read out person by person
});

call.on("reconnected", (welcome) => {
  $("connection-banner").hidden = true;
  announcingArrivals = true;
  renderChatHistory(welcome.chat);
  setLocked(welcome.meeting.locked);
  refreshPeople();
});

const ENDINGS = {
  [ServerMessage.ENDED]: ["The meeting has ended", "The host ended the meeting for everyone."],
  [ServerMessage.REMOVED]: ["You were removed from the meeting", "The host removed you from this meeting."],
  [ServerMessage.DENIED]: ["The host did not let you in", "You can try again later or contact the host."],
  [ServerMessage.REPLACED]: ["You joined from another window", "This window left the meeting."],
  [ServerMessage.SIGNED_OUT]: ["You signed out", "Signing out ended your meetings in this browser."],
  left: ["You left the meeting", "Thanks for joining."],
};
const REFUSALS = {
  [Close.MEETING_LOCKED]: ["This meeting is locked", "The host locked the meeting; nobody new can join."],
  [Close.ROOM_FULL]: ["The room is full", "The meeting has reached its maximum number of participants."],
  [Close.MEETING_ENDED]: ENDINGS.ended,
  [Close.MEETING_CANCELLED]: ["This meeting was cancelled", "The host cancelled this meeting."],
  [Close.HOST_NOT_ARRIVED]: ["Waiting for the host", "The host has not started this meeting yet."],
  [Close.REMOVED]: ENDINGS.removed,
  [Close.TOO_MANY_CONNECTIONS]: ["You are in this meeting elsewhere", "Leave it in another window or device first."],
  [Close.LOGGED_OUT]: ["You signed out", "Signing out ended your meetings in this browser."],
};

call.on("finished", (kind, message) => {
  if (finished) return;
  let [title, text] = ENDINGS[kind] || [];
  if (!title) {
    [title, text] = REFUSALS[message.code] || ["You are no longer connected", message.reason || ""];
  }
  showEndScreen(title, text, kind === "left" || kind === ServerMessage.REPLACED);
});

function showEndScreen(title, text, canRejoin) {
  finished = true;
  $("end-title").textContent = title;
  $("end-text").textContent = text;
  $("end-rejoin").hidden = !canRejoin;
  for (const id of ["prejoin", "call", "waiting-screen"]) $(id).hidden = true;
  $("end-screen").hidden = false;
  document.body.classList.remove("in-call");
  for (const peerId of [...views.keys()]) removeView(peerId);
  wakeLock?.release().catch(() => {});
}

function leave() {
  call.leave();
  showEndScreen(...ENDINGS.left, true);
}

$("leave-button").addEventListener("click", leave);
$("waiting-leave").addEventListener("click", leave);
window.addEventListener("pagehide", () => {
  if (!finished) call.leave();
});

// --- Tiles --------------------------------------------------------------------------------------

function makeTile(name, { isSelf = false, isScreen = false } = {}) {
  const tile = /** @type {HTMLElement} */ ($("tile-template").content.firstElementChild.cloneNode(true));
  const video = tile.querySelector("video");
  video.addEventListener("resize", fitTiles); // the first frame tells the camera's aspect ratio
  if (isSelf) {
    video.muted = true;
    tile.classList.add("tile-self");
  }
  if (isSelf && !isScreen) video.classList.add("mirrored");
  if (isScreen) tile.classList.add("tile-screen");
  tile.querySelector(".tile-name").textContent = name;
  tile.querySelector(".avatar").textContent = initials(name);
  tile.querySelector(".tile-pin").addEventListener("click", () => togglePin(tile));
  tile.addEventListener("dblclick", () => togglePin(tile));
  if (isSelf && !isScreen) $("tiles").prepend(tile);
  else $("tiles").append(tile);
  layout();
  return tile;
}

function initials(name) {
  return name.split(/\s+/).filter(Boolean).slice(0, 2).map((word) => word[0].toUpperCase()).join("") || "?";
}

function ensureSelfTile(name) {
  let view = views.get(SELF);
  if (!view) {
    const tile = makeTile(`${name} (you)`, { isSelf: true });
    view = { tile, video: tile.querySelector("video") };
    views.set(SELF, view);
  }
  view.tile.querySelector(".tile-name").textContent = `${name} (you)`; // as the server has it
  if (call.self) view.tile.dataset.peerId = call.self.peer_id;
  updateSelfTile();
}

function updateSelfTile() {
  const view = views.get(SELF);
  if (!view) return;
  view.video.srcObject = media.cameraTrack ? new MediaStream([media.cameraTrack]) : null;
  const state = call.localMedia;
  setIndicators(view.tile, { audio: state.audio, video: Boolean(media.cameraTrack), hand: state.hand });
  updateScreenTile(SELF, media.screenTrack, `${call.self?.name || "You"} (your screen)`);
}

function viewFor(peer) {
  let view = views.get(peer.peer_id);
  if (!view) {
    const tile = makeTile(peer.name);
    tile.dataset.peerId = peer.peer_id;
    view = { tile, video: tile.querySelector("video"), camera: new MediaStream(), screen: new MediaStream() };
    view.video.srcObject = view.camera;
    views.set(peer.peer_id, view);
  }
  return view;
}

function removeView(peerId) {
  const view = views.get(peerId);
  if (!view) return;
  view.meter?.stop();
  view.tile.remove();
  view.screenTile?.remove();
  if (pinned && (pinned === view.tile || pinned === view.screenTile)) pinned = null;
  views.delete(peerId);
  layout();
}

function setIndicators(tile, { audio, video, hand }, stateText = "") {
  tile.querySelector(".indicator-muted").hidden = audio !== false;
  tile.querySelector(".indicator-camera-off").hidden = video !== false;
  tile.querySelector(".indicator-hand").hidden = !hand;
  tile.classList.toggle("camera-off", video === false);
  tile.classList.toggle("hand-raised", Boolean(hand));
  const state = tile.querySelector(".indicator-state");
  state.textContent = stateText;
  state.hidden = !stateText;
}

/** Why we cannot reach someone, in words (the call works out the reason: peer.js reachProblem). */
function reachText(peer) {
  const reasons = {
    "no-relay": "their network blocks direct calls and no relay is configured",
    "relay-refused": "the relay server refused this browser's credentials",
    "relay-unreachable": "the relay server does not answer",
    "no-route": "no connection could be made, even through the relay",
  };
  return `Can't reach ${peer.name}: ${reasons[peer.reach]}`;
}

function linkStateText(peer) {
  if (peer.interrupted) return "Reconnecting…";
  if (peer.reach) return reachText(peer);
  switch (peer.linkState) {
    case "connected": return "";
    case "failed": return "Connection failed, retrying…";
    case "disconnected": return "Reconnecting…";
    default: return "Connecting…";
  }
}

function drawPeer(peer) {
  const view = viewFor(peer);
  view.tile.querySelector(".tile-name").textContent = peer.name + (peer.role === "host" ? " (host)" : "");
  view.tile.querySelector(".avatar").textContent = initials(peer.name);
  view.tile.dataset.state = peer.interrupted ? "interrupted" : peer.reach ? "unreachable" : peer.linkState || "new";
  setIndicators(view.tile, peer.media || {}, linkStateText(peer));
  const screenTrack = peer.media?.screen ? view.screen.getVideoTracks()[0] : null;
  updateScreenTile(peer.peer_id, screenTrack, `${peer.name} (screen)`);
}

function updateScreenTile(peerId, track, label) {
  const view = views.get(peerId);
  if (!view) return;
  if (track && !view.screenTile) {
    view.screenTile = makeTile(label, { isScreen: true, isSelf: peerId === SELF });
    view.screenTile.dataset.peerId = peerId === SELF ? call.self.peer_id : peerId;
    view.screenTile.querySelector("video").srcObject = new MediaStream([track]);
    if (!pinned && peerId !== SELF) togglePin(view.screenTile); // a shared screen takes the stage
  } else if (!track && view.screenTile) {
    if (pinned === view.screenTile) pinned = null;
    view.screenTile.remove();
    view.screenTile = null;
    layout();
  }
}

call.on("peer-added", (peer) => {
  drawPeer(peer);
  refreshPeople();
  if (announcingArrivals) announce(`${peer.name} joined.`);
  announcedPeers.set(peer.peer_id, { name: peer.name, hand: Boolean(peer.media?.hand) });
});
call.on("peer-updated", (peer) => {
  drawPeer(peer);
  refreshPeople();
  const known = announcedPeers.get(peer.peer_id);
  const hand = Boolean(peer.media?.hand);
  if (known && hand && !known.hand) announce(`${peer.name} raised a hand.`);
  announcedPeers.set(peer.peer_id, { name: peer.name, hand });
});
call.on("peer-removed", (peerId) => {
  removeView(peerId);
  refreshPeople();
  const known = announcedPeers.get(peerId);
  announcedPeers.delete(peerId);
  if (known && announcingArrivals) announce(`${known.name} left.`);
});

// --- What a screen reader hears ------------------------------------------------------------------
// Who joins, leaves or raises a hand, and chat while the chat panel is closed, go to one polite live
// region; the people already in the call when we join are not read out one by one.
const announcedPeers = new Map();
let announcingArrivals = false;

function announce(text) {
  const region = $("announcer");
  const line = document.createElement("p");
  line.textContent = text;
  region.append(line);
  while (region.childElementCount > 5) region.firstElementChild.remove();
}

call.on("track", (peerId, slot, track) => {
  const peer = call.peers.get(peerId);
  if (!peer) return;
  const view = viewFor(peer);
  if (slot === SLOT_SCREEN) {
    view.screen.getTracks().forEach((old) => view.screen.removeTrack(old));
    view.screen.addTrack(track);
    track.addEventListener("unmute", () => drawPeer(call.peers.get(peerId) || peer));
  } else {
    view.camera.getTracks().filter((old) => old.kind === track.kind).forEach((old) => view.camera.removeTrack(old));
    view.camera.addTrack(track);
    if (track.kind === "audio") {
      view.meter?.stop();
      view.meter = new LevelMeter(track);
    }
    view.video.play().catch(() => {});
  }
  drawPeer(peer);
});

function togglePin(tile) {
  pinned = pinned === tile ? null : tile;
  layout();
}

function layout() {
  const tiles = $("tiles");
  const count = tiles.children.length;
  tiles.dataset.count = String(count);
  tiles.classList.toggle("has-pinned", Boolean(pinned) && count > 1);
  for (const tile of tiles.children) {
    const isPinned = tile === pinned;
    tile.classList.toggle("pinned", isPinned);
    const button = tile.querySelector(".tile-pin");
    const name = tile.querySelector(".tile-name").textContent;
    button.textContent = isPinned ? "Unpin" : "Pin";
    button.setAttribute("aria-label", `${isPinned ? "Unpin" : "Pin"} ${name}`);
  }
  $("participant-count").textContent = `${call.peers.size + 1} ${call.peers.size ? "people" : "person"}`;
  fitTiles();
}

const CAMERA_ASPECT = 4 / 3;

/** The aspect ratio of the cameras on the stage: the first remote one that has shown a frame. */
function cameraAspect() {
  const videos = [...$("tiles").querySelectorAll(".tile:not(.tile-screen):not(.pip) video")];
  const shown = videos.find((video) => video.videoWidth && video.videoHeight);
  return shown ? shown.videoWidth / shown.videoHeight : CAMERA_ASPECT;
}

/** Size the tiles to the largest the stage allows (layout.js); at two people, the self view is a
 * picture-in-picture over the other person's tile. */
function fitTiles() {
  const tiles = $("tiles");
  const all = [...tiles.children];
  const selfTile = views.get(SELF)?.tile;
  const pip = all.length === 2 && !tiles.classList.contains("has-pinned") && all.includes(selfTile) && !all.some((tile) => tile.classList.contains("tile-screen")) ? selfTile : null;
  tiles.classList.toggle("has-pip", Boolean(pip));
  for (const tile of all) tile.classList.toggle("pip", tile === pip);
  const gap = parseFloat(getComputedStyle(tiles).columnGap) || 0;
  const count = all.length - (pip ? 1 : 0);
  const grid = bestGrid(count, { width: tiles.clientWidth, height: tiles.clientHeight, aspect: cameraAspect(), gap });
  tiles.style.setProperty("--tile-width", `${Math.floor(grid.tileWidth)}px`);
  tiles.style.setProperty("--tile-height", `${Math.floor(grid.tileHeight)}px`);
  tiles.dataset.columns = String(grid.columns);
  tiles.dataset.fittedFor = `${tiles.clientWidth}x${tiles.clientHeight}x${all.length}`; // for the browser tests
}
new ResizeObserver(fitTiles).observe($("tiles"));

// The active speaker: the loudest voice above a threshold, checked four times a second.
setInterval(() => {
  let loudest = null;
  let loudestLevel = 0.08;
  for (const [peerId, view] of views) {
    const level = peerId === SELF ? (selfMeter && !media.muted ? selfMeter.level() : 0) : view.meter?.level() || 0;
    if (level > loudestLevel) {
      loudest = peerId;
      loudestLevel = level;
    }
  }
  for (const [peerId, view] of views) view.tile.classList.toggle("speaking", peerId === loudest);
}, 250);

// --- Controls -----------------------------------------------------------------------------------

/** A two-state button: its name says what a press does now; a call control keeps its icon and
 * shows its keyboard shortcut in the tooltip. */
function setToggle(button, on, offLabel, onLabel) {
  const label = on ? onLabel : offLabel;
  const text = button.querySelector(".control-label");
  if (text) text.textContent = label;
  else button.textContent = label;
  if (button.dataset.shortcut) button.title = `${label} (${button.dataset.shortcut})`;
  button.setAttribute("aria-pressed", String(on));
}

function updateControls() {
  setToggle($("mute-button"), media.muted || !media.audioTrack, "Mute", "Unmute");
  $("mute-button").disabled = !media.audioTrack && !media.audioError;
  setToggle($("video-button"), !media.cameraTrack, "Stop video", "Start video");
  setToggle($("screen-button"), Boolean(media.screenTrack), "Share screen", "Stop sharing");
  setToggle($("hand-button"), call.localMedia.hand, "Raise hand", "Lower hand");
  $("screen-button").hidden = !navigator.mediaDevices?.getDisplayMedia;
  updateSelfTile();
}

function setMuted(muted) {
  media.setMuted(muted);
  call.sendMedia({ audio: !muted && Boolean(media.audioTrack) });
  updateControls();
}

$("mute-button").addEventListener("click", async () => {
  if (!media.audioTrack) {
    try {
      const track = await media.useMicrophone($("microphone-select").value || undefined);
      selfMeter = new LevelMeter(track);
      await call.replaceTrack(SLOT_AUDIO, track);
    } catch (error) {
      notice(`We could not use your microphone: ${describeError(error)}.`);
      return;
    }
  }
  setMuted(!media.muted);
});

$("video-button").addEventListener("click", async () => {
  if (media.cameraTrack) {
    media.cameraOff();
    await call.replaceTrack(SLOT_CAMERA, null);
  } else if (!(await turnCameraOn())) {
    return;
  }
  call.sendMedia({ video: Boolean(media.cameraTrack) });
  updateControls();
});

$("screen-button").addEventListener("click", async () => {
  if (media.screenTrack) {
    stopSharing();
    return;
  }
  try {
    const track = await media.startScreen(() => stopSharing());
    await call.replaceTrack(SLOT_SCREEN, track);
    call.sendMedia({ screen: true });
  } catch (error) {
    if (error?.name !== "NotAllowedError") notice(`Could not share your screen: ${describeError(error)}.`);
  }
  updateControls();
});

function stopSharing() {
  media.stopScreen();
  call.replaceTrack(SLOT_SCREEN, null);
  call.sendMedia({ screen: false });
  updateControls();
}

$("hand-button").addEventListener("click", () => {
  call.sendMedia({ hand: !call.localMedia.hand });
  updateControls();
});

$("invite-button").addEventListener("click", async () => {
  closeMenu();
  try {
    await navigator.clipboard.writeText(root.dataset.inviteUrl);
    toast("Invite link copied");
  } catch {
    notice(`Invite link: ${root.dataset.inviteUrl}`);
  }
});

let toastTimer = null;
/** A short confirmation, shown at the bottom and read by a screen reader (a polite live region). */
function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.classList.add("toast-shown");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    box.classList.remove("toast-shown");
    box.textContent = "";
  }, 4000);
}

// --- The "More" menu: rare actions, so the bar stays one row ----------------------------------------

function menuItems() {
  return [...$("more-menu").querySelectorAll("[role=menuitem]")].filter((item) => item.offsetParent !== null);
}

function openMenu() {
  $("more-menu").hidden = false;
  $("more-button").setAttribute("aria-expanded", "true");
  menuItems()[0]?.focus();
}

function closeMenu({ focusButton = false } = {}) {
  if ($("more-menu").hidden) return;
  $("more-menu").hidden = true;
  $("more-button").setAttribute("aria-expanded", "false");
  if (focusButton) $("more-button").focus();
}

$("more-button").addEventListener("click", () => ($("more-menu").hidden ? openMenu() : closeMenu()));
$("more-menu").addEventListener("keydown", (event) => {
  const items = menuItems();
  const index = items.indexOf(/** @type {HTMLElement} */ (document.activeElement));
  const moves = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: items.length - 1 };
  if (event.key in moves) {
    event.preventDefault();
    items[(moves[event.key] + items.length) % items.length]?.focus();
  } else if (event.key === "Escape" || event.key === "Tab") {
    closeMenu({ focusButton: event.key === "Escape" });
  }
});
document.addEventListener("click", (event) => {
  if (!(event.target instanceof Node) || !$("more-menu").parentElement.contains(event.target)) closeMenu();
});

$("settings-button").addEventListener("click", () => {
  closeMenu();
  fillDeviceSelects();
  togglePanel("devices-panel", "more-button", true);
  $("camera-select").focus();
});

$("lock-button").addEventListener("click", () => {
  closeMenu();
  call.setLocked(!locked);
});

$("end-button").addEventListener("click", confirmEnd);
$("end-menu-button").addEventListener("click", () => {
  closeMenu();
  confirmEnd();
});

function confirmEnd() {
  const confirmation = document.createElement("div");
  confirmation.className = "confirm-bar";
  confirmation.setAttribute("role", "alertdialog");
  confirmation.setAttribute("aria-label", "End the meeting for everyone?");
  const text = document.createElement("span");
  text.textContent = "End the meeting for everyone?";
  const yes = Object.assign(document.createElement("button"), { type: "button", className: "button button-danger button-small", textContent: "End meeting for everyone" });
  const no = Object.assign(document.createElement("button"), { type: "button", className: "button button-secondary button-small", textContent: "Keep meeting" });
  yes.addEventListener("click", () => { call.endForAll(); confirmation.remove(); });
  no.addEventListener("click", () => confirmation.remove());
  confirmation.append(text, yes, no);
  $("call").append(confirmation);
  yes.focus();
}

function setLocked(value) {
  locked = value;
  $("lock-state").hidden = !locked;
  $("lock-button").textContent = locked ? "Unlock" : "Lock";
}

call.on("locked", (value) => {
  setLocked(value);
  notice(value ? "The meeting is locked: nobody new can join." : "The meeting is unlocked.");
});

function showRole(role) {
  const moderator = role === "host" || role === "cohost";
  for (const element of document.querySelectorAll(".host-only")) element.hidden = !moderator;
  $("end-button").hidden = !moderator;
  $("end-menu-button").hidden = !moderator;
}

call.on("role", (role) => {
  showRole(role);
  if (role === "cohost") notice("You are now a co-host.");
  refreshPeople();
});

call.on("mute-request", (by) => {
  if (!media.muted && media.audioTrack) setMuted(true);
  notice(`${by} muted you. Unmute when you want to speak.`);
});

call.on("server-error", (error) => {
  if (error.code !== ErrorCode.UNKNOWN_PEER) notice(error.message);
});

let noticeTimer = null;
function notice(text) {
  const box = $("notice");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { box.hidden = true; }, 6000);
}

// Keyboard shortcuts, unless the person is typing.
document.addEventListener("keydown", (event) => {
  if ($("call").hidden || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.target instanceof HTMLElement && event.target.closest("input, textarea, select, [contenteditable]")) return;
  const button = { m: "mute-button", v: "video-button", s: "screen-button", h: "hand-button", c: "chat-button", p: "people-button" }[event.key.toLowerCase()];
  if (button && !$(button).hidden) {
    event.preventDefault();
    $(button).click();
  }
});

// --- Panels: chat and participants ----------------------------------------------------------------

const NARROW = window.matchMedia("(max-width: 900px)");

function togglePanel(panelId, buttonId, open) {
  const panel = $(panelId);
  const show = open ?? panel.hidden;
  panel.hidden = !show;
  if (buttonId !== "more-button") $(buttonId).setAttribute("aria-expanded", String(show));
  if (show && NARROW.matches) {
    // One panel at a time on a narrow screen, where each is a bottom sheet over the stage.
    for (const [otherPanel, otherButton] of [["chat-panel", "chat-button"], ["people-panel", "people-button"], ["devices-panel", null]]) {
      if (otherPanel === panelId || $(otherPanel).hidden) continue;
      $(otherPanel).hidden = true;
      if (otherButton) $(otherButton).setAttribute("aria-expanded", "false");
    }
  }
  fitTiles();
  if (panelId === "chat-panel" && show) {
    unread = 0;
    showUnread();
    $("chat-input").focus();
  }
}

$("chat-button").addEventListener("click", () => togglePanel("chat-panel", "chat-button"));
$("people-button").addEventListener("click", () => togglePanel("people-panel", "people-button"));
for (const button of document.querySelectorAll("[data-close-panel]")) {
  button.addEventListener("click", () => {
    const panelId = button.dataset.closePanel;
    const opener = { "chat-panel": "chat-button", "people-panel": "people-button" }[panelId] || "more-button";
    togglePanel(panelId, opener, false);
  });
}

let unread = 0;
const shownMessages = new Set();

function showUnread() {
  $("unread").textContent = unread ? `${unread} unread` : "";
  $("unread").hidden = !unread;
}

function renderChatHistory(messages) {
  for (const message of messages || []) addChatMessage(message, false);
}

function addChatMessage(message, countUnread = true) {
  if (shownMessages.has(message.id)) return;
  shownMessages.add(message.id);
  const item = document.createElement("li");
  item.className = "chat-message";
  if (message.from === call.self?.peer_id) item.classList.add("chat-mine");
  const name = document.createElement("span");
  name.className = "chat-name";
  name.textContent = message.name;
  const time = document.createElement("time");
  time.dateTime = message.sent_at;
  time.textContent = new Date(message.sent_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const text = document.createElement("p");
  text.className = "chat-text";
  text.dir = "auto"; // with unicode-bidi: isolate, a bidi override cannot leak out of its message
  text.textContent = message.text;
  item.append(name, " ", time, text);
  $("chat-log").append(item);
  item.scrollIntoView({ block: "nearest" });
  if (countUnread && $("chat-panel").hidden) {
    unread += 1;
    showUnread();
    if (message.from !== call.self?.peer_id) announce(`${message.name}: ${message.text}`);
  }
}

call.on("chat", (message) => addChatMessage(message));

$("chat-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("chat-input");
  const text = input.value;
  if (!text.trim()) return;
  if (call.sendChat(text)) {
    input.value = "";
  } else {
    notice("Not sent: the connection is back in a moment. Your message is still in the box.");
  }
});

function personRow(person, isSelf) {
  const item = document.createElement("li");
  item.className = "person";
  item.dataset.peerId = person.peer_id;
  const name = document.createElement("span");
  name.className = "person-name";
  name.textContent = person.name + (isSelf ? " (you)" : "") + (person.role === "host" ? " · host" : person.role === "cohost" ? " · co-host" : "");
  const state = document.createElement("span");
  state.className = "person-state muted";
  const media = person.media || {};
  state.textContent = [media.audio === false && "muted", media.video === false && "camera off", media.hand && "hand raised", media.screen && "sharing screen"].filter(Boolean).join(", ");
  item.append(name, state);
  return item;
}

function actionButton(label, name, onClick, danger = false) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = `button button-small ${danger ? "button-danger" : "button-secondary"}`;
  button.textContent = label;
  button.setAttribute("aria-label", `${label} ${name}`);
  button.addEventListener("click", onClick);
  return button;
}

function refreshPeople() {
  if (!call.self) return;
  layout();
  const myRole = call.self.role;
  const moderator = myRole === "host" || myRole === "cohost";
  const list = $("people-list");
  list.replaceChildren(personRow({ ...call.self, media: call.localMedia }, true));
  for (const peer of call.peers.values()) {
    const row = personRow(peer, false);
    if (moderator && peer.role !== "host" && !(peer.role === "cohost" && myRole !== "host")) {
      const actions = document.createElement("span");
      actions.className = "person-actions";
      actions.append(actionButton("Ask to mute", peer.name, () => call.hostAction(ClientMessage.MUTE_REQUEST, peer.peer_id)));
      if (myRole === "host" && peer.role === "guest") {
        actions.append(actionButton("Make co-host", peer.name, () => call.hostAction(ClientMessage.MAKE_COHOST, peer.peer_id)));
      }
      actions.append(actionButton("Remove", peer.name, () => call.hostAction(ClientMessage.REMOVE, peer.peer_id), true));
      row.append(actions);
    }
    list.append(row);
  }
  drawWaiting(moderator ? [...call.waiting.values()] : []);
}

function drawWaiting(waiting) {
  $("waiting-section").hidden = !waiting.length;
  $("waiting-badge").textContent = waiting.length ? `${waiting.length} waiting` : "";
  $("waiting-badge").hidden = !waiting.length;
  const list = $("waiting-list");
  list.replaceChildren();
  for (const person of waiting) {
    const row = personRow(person, false);
    const actions = document.createElement("span");
    actions.className = "person-actions";
    actions.append(
      actionButton("Admit", person.name, () => call.hostAction(ClientMessage.ADMIT, person.peer_id)),
      actionButton("Deny", person.name, () => call.hostAction(ClientMessage.DENY, person.peer_id), true),
    );
    row.append(actions);
    list.append(row);
  }
}

$("admit-all").addEventListener("click", () => {
  for (const person of call.waiting.values()) call.hostAction(ClientMessage.ADMIT, person.peer_id);
});

call.on("waiting-changed", () => refreshPeople());

call.on("knock", (person) => {
  notice(`${person.name} is waiting to join.`);
  chime();
});

/** A short two-note chime for a knock, made with Web Audio (no sound file to fetch). */
function chime() {
  try {
    const context = new AudioContext();
    [660, 880].forEach((frequency, index) => {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, context.currentTime + index * 0.18);
      gain.gain.exponentialRampToValueAtTime(0.2, context.currentTime + index * 0.18 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, context.currentTime + index * 0.18 + 0.3);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(context.currentTime + index * 0.18);
      oscillator.stop(context.currentTime + index * 0.18 + 0.32);
    });
    setTimeout(() => context.close(), 1000);
  } catch {
    // No audio output: the badge and the notice still tell the host.
  }
}

setupPrejoin();
