// Small behaviours of every page, bound here because the Content-Security-Policy allows no
// inline handlers: a checkbox with data-select-all="NAME" ticks or clears every checkbox
// named NAME in its form.
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.dataset.selectAll || !box.form) return;
    box.form.querySelectorAll(`input[name="${box.dataset.selectAll}"]`).forEach(function (other) {
      other.checked = box.checked;
    });
  });
})();
