// Single-key shortcuts: a key pressed outside a text field acts on the element whose data-key it
// is: opens the dialog named by data-opens, focuses the field named by data-focus, or clicks it
// (buttons submit their form, links open). Clicking such a button with the mouse does the same.
// Clearsight's own code; no library needed for this.
function act(element) {
  if (element.dataset.opens) {
    document.getElementById(element.dataset.opens).showModal();
  } else if (element.dataset.focus) {
    const field = document.getElementById(element.dataset.focus);
    field.scrollIntoView({block: "center"});
    field.focus();
  } else {
    // A form htmx swapped in a moment ago may not be wired up yet: wire it now, so the click is
    // htmx's request (no page reload) rather than the browser's own submission.
    const form = element.closest("form[hx-post]");
    if (form && window.htmx) window.htmx.process(form);
    element.click();
  }
}

document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey || event.repeat) return;
  if (event.target.closest("input, textarea, select, [contenteditable], dialog[open]")) return;
  const element = document.querySelector(`[data-key="${CSS.escape(event.key.toLowerCase())}"]`);
  if (element) {
    event.preventDefault();
    act(element);
  }
});

document.addEventListener("click", (event) => {
  const element = event.target.closest("[data-opens], [data-focus]");
  if (element) {
    event.preventDefault();
    act(element);
  }
});
