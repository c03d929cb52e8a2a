// A scheduled meeting's room before it opens: count down, then load the join page again, which now
// lets the visitor in. The server says how long until it opens (not when), so a visitor's wrong clock
// does not matter. A slow poll also moves on if the host opens the meeting early or moves it.

const box = document.getElementById("countdown");
const clock = document.getElementById("countdown-clock");
const status = document.getElementById("countdown-status");
const POLL_MS = 15000;
let opensAt = performance.now() + Number(box.dataset.opensInMs);
let leaving = false;

/** @param {number} ms */
function format(ms) {
  const total = Math.ceil(ms / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, "0")} min`;
  return `${minutes}:${seconds}`;
}

function enter() {
  if (leaving) return;
  leaving = true;
  clock.textContent = "Opening…";
  window.location.reload();
}

function tick() {
  const left = opensAt - performance.now();
  if (left <= 0) {
    enter();
    return;
  }
  clock.textContent = `Opens in ${format(left)}`;
  setTimeout(tick, Math.min(1000, left));
}

async function poll() {
  try {
    const response = await fetch(box.dataset.joinStatusUrl, { headers: { Accept: "application/json" } });
    if (response.ok) {
      const { can_enter: canEnter, state, opens_in_ms: opensInMs } = await response.json();
      if (canEnter || state === "ended" || state === "cancelled" || opensInMs <= 0) {
        enter();
        return;
      }
      opensAt = performance.now() + opensInMs; // the host may have moved the meeting
      status.textContent = "This page moves on by itself when the room opens; keep it open.";
    }
  } catch {
    status.textContent = "Connection problem; trying again…";
  }
  setTimeout(poll, POLL_MS);
}

tick();
setTimeout(poll, POLL_MS);
