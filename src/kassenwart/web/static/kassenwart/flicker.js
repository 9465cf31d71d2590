// The flicker code of a chipTAN challenge (connections/_flicker.html): the frames come from
// the JSON script beside the bars; each frame is five bits, a clock bar and four data bars
// (1 = white).
(function () {
  "use strict";

  function start() {
    const source = document.getElementById("flicker-frames");
    if (!source) return;
    const frames = JSON.parse(source.textContent);
    const bars = document.querySelectorAll("#flicker-bars span");
    let delay = 60;
    let index = 0;
    function show() {
      const bits = frames[index];
      bars.forEach(function (bar, i) { bar.style.background = bits[i] === "1" ? "#fff" : "#000"; });
      index = (index + 1) % frames.length;
      setTimeout(show, delay);
    }
    document.querySelectorAll("[data-flicker-speed]").forEach(function (button) {
      button.addEventListener("click", function () {
        delay = Math.min(200, Math.max(20, delay - 10 * Number(button.dataset.flickerSpeed)));
      });
    });
    show();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
