// Reminders on any page of the site: a signed-in member with the site open hears of a meeting that
// is about to start (the same moment the reminder mail goes out), with a link to join.

const region = document.getElementById("reminder-notices");
const POLL_MS = Number(region?.dataset.pollMs) || 60000;
const DISMISSED_KEY = "huddle.dismissedReminders";

/** @returns {Set<string>} */
function dismissed() {
  try {
    return new Set(JSON.parse(sessionStorage.getItem(DISMISSED_KEY) || "[]"));
  } catch {
    return new Set();
  }
}

/** @param {string} id */
function dismiss(id) {
  const ids = dismissed();
  ids.add(id);
  sessionStorage.setItem(DISMISSED_KEY, JSON.stringify([...ids].slice(-50)));
}

/** @param {{id: string, title: string, time: string, starts_in_seconds: number, join_url: string}} reminder */
function render(reminder) {
  const notice = document.createElement("div");
  notice.className = "reminder-notice";
  notice.dataset.reminderId = reminder.id;
  const text = document.createElement("p");
  const minutes = Math.round(reminder.starts_in_seconds / 60);
  const when = minutes >= 1 ? `starts in ${minutes} minute${minutes === 1 ? "" : "s"}` : "is starting now";
  text.textContent = `${reminder.title} ${when}, at ${reminder.time}.`;
  const join = document.createElement("a");
  join.className = "button button-small";
  join.href = reminder.join_url;
  join.textContent = `Join ${reminder.title}`;
  const close = document.createElement("button");
  close.type = "button";
  close.className = "link-button";
  close.textContent = "Dismiss reminder";
  close.addEventListener("click", () => {
    dismiss(reminder.id);
    notice.remove();
  });
  notice.append(text, join, close);
  return notice;
}

async function poll() {
  try {
    const response = await fetch(region.dataset.url, { headers: { Accept: "application/json" } });
    if (response.ok) {
      const { reminders } = await response.json();
      const hidden = dismissed();
      const current = new Set();
      for (const reminder of reminders) {
        // Nobody needs to be reminded of the meeting whose page they are on.
        if (hidden.has(reminder.id) || reminder.join_url === window.location.pathname) continue;
        current.add(reminder.id);
        const shown = region.querySelector(`[data-reminder-id="${CSS.escape(reminder.id)}"]`);
        if (shown) shown.replaceWith(render(reminder));
        else region.append(render(reminder));
      }
      for (const notice of region.querySelectorAll("[data-reminder-id]")) {
        if (!current.has(notice.dataset.reminderId)) notice.remove();
      }
    }
  } catch {
    // Offline for a moment: the next poll tries again.
  }
  setTimeout(poll, POLL_MS);
}

if (region) poll();
