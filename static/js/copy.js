// Copy buttons: <button data-copy-target="input-id">. The label confirms the copy for two seconds.

for (const button of document.querySelectorAll("button[data-copy-target]")) {
  button.addEventListener("click", async () => {
    const input = /** @type {HTMLInputElement} */ (document.getElementById(button.dataset.copyTarget));
    const label = button.textContent;
    try {
      await navigator.clipboard.writeText(input.value);
      button.textContent = "Copied";
    } catch {
      input.select(); // Clipboard refused (e.g. plain http): leave the text selected for Ctrl+C.
      button.textContent = "Press Ctrl+C";
    }
    setTimeout(() => { button.textContent = label; }, 2000);
  });
}
