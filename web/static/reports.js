// The dashboard: the page is a shell; every [data-part] is fetched by its own request at once
// (the page waits for its slowest tile, not the sum of ten) and its chart, if any, is drawn from
// the <script type="application/json" data-chart="..."> the fragment brings. Chart.js and
// chartjs-chart-funnel come from npm. No inline scripts, CSP-friendly.
(function () {
  "use strict";

  var slots = document.querySelectorAll("[data-part][data-src]");
  if (!slots.length) { return; }
  var rub = new Intl.NumberFormat("ru-RU", {style: "currency", currency: "RUB", maximumFractionDigits: 0});
  if (typeof Chart !== "undefined") {
    Chart.defaults.locale = "ru-RU";
    Chart.defaults.animation = false;
  }

  function money(context) { return context.dataset.label + ": " + rub.format(context.parsed.y); }

  var draw = {
    funnel: function (canvas, data) {
      if (!data.labels.length) { return; }
      new Chart(canvas, {
        type: "funnel",
        data: {labels: data.labels,
               datasets: [{label: data.period, data: data.current,
                           backgroundColor: ["#0d6efd", "#3d8bfd", "#6ea8fe", "#9ec5fe", "#b6d4fe", "#cfe2ff", "#198754"]}]},
        options: {indexAxis: "y", plugins: {legend: {display: false},
          subtitle: {display: true, text: "Пред. период (" + data.previousPeriod + "): " + data.previous.join(" → ")}}}
      });
    },
    forecast: function (canvas, data) {
      new Chart(canvas, {
        type: "bar",
        data: {labels: data.labels, datasets: [
          {label: "Вся воронка", data: data.pipeline, backgroundColor: "#ced4da"},
          {label: "Лучший случай", data: data.best, backgroundColor: "#9ec5fe"},
          {label: "Надёжные", data: data.commit, backgroundColor: "#0d6efd"},
          {label: "Взвешенный", data: data.weighted, backgroundColor: "#198754"}]},
        options: {plugins: {tooltip: {callbacks: {label: money}}}}
      });
    },
    plan: function (canvas, data) {
      new Chart(canvas, {
        type: "bar",
        data: {labels: data.labels, datasets: [
          {label: "План, премия", data: data.plan, backgroundColor: "#ced4da"},
          {label: "Факт, премия", data: data.fact, backgroundColor: "#198754"}]},
        options: {plugins: {tooltip: {callbacks: {label: money}}}}
      });
    }
  };

  function show(slot, html) {
    slot.innerHTML = html;
    slot.removeAttribute("aria-busy");
    var source = slot.querySelector("script[data-chart]");
    var canvas = slot.querySelector("canvas");
    var name = source && source.getAttribute("data-chart");
    if (source && canvas && draw[name] && typeof Chart !== "undefined") {
      draw[name](canvas, JSON.parse(source.textContent));
    }
  }

  Array.prototype.forEach.call(slots, function (slot) {
    fetch(slot.getAttribute("data-src"), {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (answer) {
        if (!answer.ok) { throw new Error(String(answer.status)); }
        return answer.text();
      })
      .then(function (html) { show(slot, html); })
      .catch(function () {
        slot.removeAttribute("aria-busy");
        slot.textContent = "Не удалось загрузить — обновите страницу";
      });
  });
}());

// A custom report's chart: {type, labels, datasets} in <script type="application/json" id="report-data">.
(function () {
  "use strict";

  var source = document.getElementById("report-data");
  var canvas = document.getElementById("chart-report");
  if (!source || !canvas || typeof Chart === "undefined") { return; }
  var chart = JSON.parse(source.textContent);
  if (chart.type === "table") { return; }
  new Chart(canvas, {type: chart.type, data: {labels: chart.labels, datasets: chart.datasets},
                     options: {animation: false}});
}());
