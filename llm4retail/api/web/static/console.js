// The console's charts (Chart.js, served by the package): each reads its data from a JSON block of the page.
(function () {
  "use strict";

  function demandChart() {
    const canvas = document.getElementById("demand-chart");
    const block = document.getElementById("demand-data");
    if (!canvas || !block || typeof Chart === "undefined") return;
    const data = JSON.parse(block.textContent);
    const labels = data.history.map((row) => row.date).concat(data.forecast.map((row) => row.date));
    const pad = (values, before) => new Array(before).fill(null).concat(values);
    const n = data.history.length;
    const history = data.history.map((row) => row.quantity).concat(new Array(data.forecast.length).fill(null));
    const names = canvas.dataset;
    const chart = new Chart(canvas, {
      type: "line",
      data: {
        labels: labels,
        datasets: [
          { label: names.history, data: history, borderColor: "#1f5fbf", pointRadius: 0, spanGaps: false },
          { label: names.band, data: pad(data.forecast.map((row) => row.lower_90), n), borderColor: "rgba(214,96,28,.3)",
            backgroundColor: "rgba(214,96,28,.15)", pointRadius: 0, fill: false },
          { label: names.band, data: pad(data.forecast.map((row) => row.upper_90), n), borderColor: "rgba(214,96,28,.3)",
            backgroundColor: "rgba(214,96,28,.15)", pointRadius: 0, fill: "-1" },
          { label: names.forecast, data: pad(data.forecast.map((row) => row.mean), n), borderColor: "#d6601c", pointRadius: 0 },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { labels: { filter: (item, all) => all.datasets.findIndex((d) => d.label === item.text) === item.datasetIndex } } },
        scales: { x: { ticks: { maxTicksLimit: 10 } }, y: { beginAtZero: true } },
      },
    });
    canvas.dataset.rendered = String(chart.data.datasets.length);
  }

  function profitChart() {
    const canvas = document.getElementById("profit-chart");
    const block = document.getElementById("profit-data");
    if (!canvas || !block || typeof Chart === "undefined") return;
    const curve = JSON.parse(block.textContent);
    const names = canvas.dataset;
    const current = Number(names.currentPrice), recommended = Number(names.recommendedPrice);
    const nearest = (price) => curve.reduce((best, point, i) =>
      Math.abs(point.price - price) < Math.abs(curve[best].price - price) ? i : best, 0);
    const marker = (index) => curve.map((point, i) => (i === index ? point.profit_change : null));
    const chart = new Chart(canvas, {
      type: "line",
      data: {
        labels: curve.map((point) => point.price.toFixed(2)),
        datasets: [
          { label: names.band, data: curve.map((p) => p.lower_90), borderColor: "rgba(31,95,191,.3)", pointRadius: 0, fill: false },
          { label: names.band, data: curve.map((p) => p.upper_90), borderColor: "rgba(31,95,191,.3)",
            backgroundColor: "rgba(31,95,191,.12)", pointRadius: 0, fill: "-1" },
          { label: names.profit, data: curve.map((p) => p.profit_change), borderColor: "#1f5fbf", pointRadius: 0 },
          { label: names.current, data: marker(nearest(current)), borderColor: "#555", backgroundColor: "#555",
            pointRadius: 6, showLine: false },
          { label: names.recommended, data: marker(nearest(recommended)), borderColor: "#d6601c",
            backgroundColor: "#d6601c", pointRadius: 7, pointStyle: "triangle", showLine: false },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { labels: { filter: (item, all) => all.datasets.findIndex((d) => d.label === item.text) === item.datasetIndex } } },
        scales: { x: { ticks: { maxTicksLimit: 10 } } },
      },
    });
    canvas.dataset.rendered = String(chart.data.datasets.length);
  }

  function reviewsChart() {
    const canvas = document.getElementById("reviews-chart");
    const block = document.getElementById("reviews-data");
    if (!canvas || !block || typeof Chart === "undefined") return;
    const months = JSON.parse(block.textContent);
    const names = canvas.dataset;
    const chart = new Chart(canvas, {
      type: "bar",
      data: {
        labels: months.map((row) => row.month),
        datasets: [
          { label: names.reviews, data: months.map((row) => row.reviews), backgroundColor: "rgba(31,95,191,.35)", yAxisID: "y" },
          { label: names.positive, type: "line", data: months.map((row) => Math.round(row.positive_share * 1000) / 10),
            borderColor: "#d6601c", pointRadius: 2, yAxisID: "share" },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        interaction: { mode: "index", intersect: false },
        scales: {
          y: { beginAtZero: true, position: "left" },
          share: { min: 0, max: 100, position: "right", grid: { drawOnChartArea: false }, ticks: { callback: (v) => v + "%" } },
        },
      },
    });
    canvas.dataset.rendered = String(chart.data.datasets.length);
  }

  // The data page's import: the file is the request body (streamed to the server's disk, no form
  // encoding), with the upload's progress; then the page of the import job, which follows the import.
  function importForm() {
    const form = document.getElementById("import-form");
    if (!form) return;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const file = document.getElementById("import-file").files[0];
      if (!file) return;
      const table = document.getElementById("import-table").value;
      const bar = document.getElementById("upload-progress");
      const error = document.getElementById("upload-error");
      const request = new XMLHttpRequest();
      const query = "?filename=" + encodeURIComponent(file.name) + (table ? "&table=" + encodeURIComponent(table) : "");
      request.open("POST", form.getAttribute("action") + query);
      request.setRequestHeader("Content-Type", "application/octet-stream");
      request.upload.addEventListener("progress", (progress) => {
        if (progress.lengthComputable) bar.value = (100 * progress.loaded) / progress.total;
      });
      request.addEventListener("load", () => {
        if (request.status === 202) {
          window.location.assign(JSON.parse(request.responseText).url);
          return;
        }
        let message = request.statusText;
        try { message = JSON.parse(request.responseText).error || message; } catch (ignored) { /* not JSON */ }
        error.textContent = message;
        error.hidden = false;
        bar.hidden = true;
      });
      bar.hidden = false;
      error.hidden = true;
      request.send(file);
    });
  }

  function evaluationCharts() {
    if (typeof Chart === "undefined") return;
    document.querySelectorAll(".evaluation").forEach((section) => {
      const canvas = section.querySelector(".eval-chart");
      const block = section.querySelector(".eval-data");
      if (!canvas || !block) return;
      const data = JSON.parse(block.textContent);
      const chart = new Chart(canvas, {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: [{
            label: data.metric,
            data: data.values,
            backgroundColor: data.labels.map((name) => (name === data.best ? "#d6601c" : "rgba(31,95,191,.45)")),
          }],
        },
        options: { animation: false, responsive: true, indexAxis: "y", plugins: { legend: { display: true } } },
      });
      canvas.dataset.rendered = String(chart.data.labels.length);
    });
  }

  function start() { demandChart(); profitChart(); reviewsChart(); importForm(); evaluationCharts(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
