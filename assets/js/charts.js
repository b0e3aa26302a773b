// Charts drawn on <canvas> under the strict CSP: each chart's figures come as JSON in the
// canvas's data-chart attribute, never from inline script, and each chart has a table
// beside it for people who cannot see it (templates/_partials/chart.html).
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController,
  LineElement, PointElement, Tooltip,
} from "chart.js";

Chart.register(BarController, BarElement, CategoryScale, Legend, LinearScale, LineController,
  LineElement, PointElement, Tooltip);

const palette = ["#1f5f5b", "#b3541e", "#4b4270", "#2f6f9f", "#7a5b00"];

function options(spec) {
  return {
    indexAxis: spec.horizontal ? "y" : "x",
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: { legend: { display: spec.datasets.length > 1 } },
    scales: {
      x: { beginAtZero: true, stacked: Boolean(spec.stacked), ticks: { precision: 0 } },
      y: { beginAtZero: true, stacked: Boolean(spec.stacked), ticks: { precision: 0 } },
    },
  };
}

function draw(canvas) {
  const spec = JSON.parse(canvas.dataset.chart);
  const datasets = spec.datasets.map((set, index) => ({
    label: set.label, data: set.data,
    backgroundColor: palette[index % palette.length],
    borderColor: palette[index % palette.length],
  }));
  new Chart(canvas, { type: spec.type || "bar", data: { labels: spec.labels, datasets },
                      options: options(spec) });
}

document.querySelectorAll("canvas[data-chart]").forEach(draw);
