// Dashboard charts (Chart.js + chartjs-chart-funnel from npm). Data comes from the page's
// <script type="application/json" id="dashboard-data">: no inline scripts, CSP-friendly.
(function () {
  "use strict";

  var source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var rub = new Intl.NumberFormat("ru-RU", {style: "currency", currency: "RUB", maximumFractionDigits: 0});
  Chart.defaults.locale = "ru-RU";
  Chart.defaults.animation = false;

  function money(context) { return context.dataset.label + ": " + rub.format(context.parsed.y); }

  var funnel = document.getElementById("chart-funnel");
  if (funnel && data.funnel.labels.length) {
    new Chart(funnel, {
      type: "funnel",
      data: {labels: data.funnel.labels,
             datasets: [{label: data.funnel.period, data: data.funnel.current,
                         backgroundColor: ["#0d6efd", "#3d8bfd", "#6ea8fe", "#9ec5fe", "#b6d4fe", "#cfe2ff", "#198754"]}]},
      options: {indexAxis: "y", plugins: {legend: {display: false},
        subtitle: {display: true, text: "Пред. период (" + data.funnel.previousPeriod + "): " +
                   data.funnel.previous.join(" → ")}}}
    });
  }

  var forecast = document.getElementById("chart-forecast");
  if (forecast) {
    new Chart(forecast, {
      type: "bar",
      data: {labels: data.forecast.labels, datasets: [
        {label: "Вся воронка", data: data.forecast.pipeline, backgroundColor: "#ced4da"},
        {label: "Лучший случай", data: data.forecast.best, backgroundColor: "#9ec5fe"},
        {label: "Надёжные", data: data.forecast.commit, backgroundColor: "#0d6efd"},
        {label: "Взвешенный", data: data.forecast.weighted, backgroundColor: "#198754"}]},
      options: {plugins: {tooltip: {callbacks: {label: money}}}}
    });
  }

  var plan = document.getElementById("chart-plan");
  if (plan) {
    new Chart(plan, {
      type: "bar",
      data: {labels: data.plan.labels, datasets: [
        {label: "План, премия", data: data.plan.plan, backgroundColor: "#ced4da"},
        {label: "Факт, премия", data: data.plan.fact, backgroundColor: "#198754"}]},
      options: {plugins: {tooltip: {callbacks: {label: money}}}}
    });
  }
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
