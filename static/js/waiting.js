// "Waiting for the host": poll the meeting's status and reload into the pre-join page once it opens.

const box = document.getElementById("waiting-for-host");
const status = document.getElementById("waiting-status");
const POLL_MS = 3000;

async function poll() {
  try {
    const response = await fetch(box.dataset.joinStatusUrl, { headers: { Accept: "application/json" } });
    if (response.ok) {
      const { can_enter: canEnter, state } = await response.json();
      if (canEnter || state === "ended" || state === "cancelled") {
        window.location.reload();
        return;
      }
      status.textContent = "The host has not started the meeting yet.";
    }
  } catch {
    status.textContent = "Connection problem; trying again…";
  }
  setTimeout(poll, POLL_MS);
}

setTimeout(poll, POLL_MS);
