"""Charts as data: what a page draws on a canvas (static/dist/charts.js, Chart.js) and shows
again as a table for people who cannot see the drawing.

The figures travel in a ``data-chart`` attribute as JSON, never in inline script, so the
strict Content-Security-Policy holds; ``templates/_partials/chart.html`` renders both.
"""

import json
from dataclasses import dataclass, field


@dataclass
class Series:
    label: str
    data: list


@dataclass
class Chart:
    """One chart. ``labels`` name the bars (or points) along the axis; each series gives a
    number per label. ``stacked`` stacks the series; ``horizontal`` lays the bars sideways
    (a funnel reads top to bottom)."""

    key: str
    title: str
    labels: list
    series: list = field(default_factory=list)
    kind: str = "bar"
    stacked: bool = False
    horizontal: bool = False
    label_heading: str = ""

    @property
    def spec_json(self):
        return json.dumps({
            "type": self.kind, "labels": [str(label) for label in self.labels],
            "datasets": [{"label": str(s.label), "data": s.data} for s in self.series],
            "stacked": self.stacked, "horizontal": self.horizontal,
        }, ensure_ascii=False)

    @property
    def rows(self):
        """[(label, [value per series])] for the table beside the drawing."""
        return [(label, [s.data[i] for s in self.series]) for i, label in enumerate(self.labels)]

    @property
    def is_empty(self):
        return not any(value for s in self.series for value in s.data)
