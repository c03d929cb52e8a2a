/**
 * Fill every `input[data-detect-time-zone]` with the browser's IANA time zone (e.g. "Europe/Paris"),
 * so that the sign-up form can store it and meeting times are shown in the user's own zone.
 * A value already present (a re-rendered form) is kept.
 */
const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

if (timeZone) {
  for (const input of document.querySelectorAll("input[data-detect-time-zone]")) {
    if (!input.value) {
      input.value = timeZone;
    }
  }
}
