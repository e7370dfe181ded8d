// Single-key shortcuts: a key pressed outside a text field clicks the button whose data-key it is
// (the report page's lifecycle buttons). Clearsight's own code; no library needed for this.
document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey || event.repeat) return;
  const field = event.target.closest("input, textarea, select, [contenteditable]");
  if (field) return;
  const button = document.querySelector(`button[data-key="${CSS.escape(event.key.toLowerCase())}"]`);
  if (button) {
    event.preventDefault();
    button.click();
  }
});
