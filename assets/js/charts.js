// Charts drawn on <canvas> under the strict CSP: each chart's data comes from a
// <script type="application/json"> element named by the canvas's data-chart attribute, never
// from inline script, and each chart has a table beside it for people who cannot see it.
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController,
  LineElement, PointElement, Tooltip,
} from "chart.js";

Chart.register(BarController, BarElement, CategoryScale, Legend, LinearScale, LineController,
  LineElement, PointElement, Tooltip);

const palette = ["#1f5f5b", "#b3541e", "#4b4270", "#2f6f9f", "#7a5b00"];

function options(spec) {
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: { legend: { display: spec.datasets.length > 1 } },
    scales: {
      x: { stacked: Boolean(spec.stacked) },
      y: { beginAtZero: true, stacked: Boolean(spec.stacked),
           ticks: { precision: 0 }, max: spec.max === undefined ? undefined : spec.max },
    },
  };
}

function draw(canvas) {
  const source = document.getElementById(canvas.dataset.chart);
  if (!source) return;
  const spec = JSON.parse(source.textContent);
  const datasets = spec.datasets.map((set, index) => ({
    label: set.label, data: set.data,
    backgroundColor: palette[index % palette.length],
    borderColor: palette[index % palette.length],
  }));
  canvas.setAttribute("role", "img");
  new Chart(canvas, { type: spec.type || "bar", data: { labels: spec.labels, datasets },
                      options: options(spec) });
}

document.querySelectorAll("canvas[data-chart]").forEach(draw);
