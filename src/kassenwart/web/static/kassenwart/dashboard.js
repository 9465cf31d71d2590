// The home page's charts: Chart.js (from npm, served from static/vendor) draws what the page
// put in a JSON script next to each canvas; the same numbers are in the table below it.
(function () {
  "use strict";
  const lang = document.documentElement.lang || "en";

  // As the pages write money (the `money` filter): "1.234,56 EUR", "1,234.56 EUR".
  function money(currency) {
    const format = new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    return (value) => (value === null || value === undefined ? "" : `${format.format(value)}\u00a0${currency}`);
  }

  function datasets(data) {
    const css = getComputedStyle(document.documentElement);
    const ok = css.getPropertyValue("--ok").trim() || "#17703a";
    const neg = css.getPropertyValue("--neg").trim() || "#b42318";
    const accent = css.getPropertyValue("--accent").trim() || "#0a4f94";
    if (data.kind === "in_out") {
      return {
        type: "bar",
        sets: [
          { label: data.names[0], data: data.incoming, backgroundColor: ok },
          { label: data.names[1], data: data.outgoing, backgroundColor: neg },
        ],
      };
    }
    return {
      type: "line",
      sets: [
        { label: data.names[0], data: data.booked, borderColor: accent, backgroundColor: accent, pointRadius: 0, spanGaps: false },
        { label: data.names[1], data: data.expected, borderColor: accent, backgroundColor: accent, borderDash: [6, 4], pointRadius: 0, spanGaps: false },
      ],
    };
  }

  function draw(canvas) {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof Chart === "undefined") return;
    const data = JSON.parse(source.textContent);
    const shown = datasets(data);
    const format = money(data.currency);
    new Chart(canvas, {
      type: shown.type,
      data: { labels: data.labels, datasets: shown.sets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { ticks: { callback: (value) => format(value) } } },
        plugins: {
          tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${format(item.parsed.y)}` } },
        },
      },
    });
    canvas.dataset.drawn = "true";
  }

  function start() {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
    document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
      select.addEventListener("change", () => select.form.requestSubmit());
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
