"""What a closed round shows to the people who run it: each rating question as a chart of
how many gave each mark, the open answers as a list (already in random order), and the
average marks of the circle's released rounds over time. Dates by the day at most."""

import json
from statistics import mean

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from circlekeep import vault
from circlekeep.audit.reasons import code
from circlekeep.feedback.models import RATING_SCALE, Round
from circlekeep.lib.charts import Chart, Series

MARKS = list(range(RATING_SCALE[0], RATING_SCALE[1] + 1))


def _day(moment):
    """The day in the viewer's time zone (the one the request activated)."""
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


def read_answers(round_, *, actor, api=False):
    """The released entries' answers (decrypted, recorded as read), or [] when none."""
    if not round_.released:
        return []
    entries = list(round_.entries.filter(released=True))
    reason = code("feedback.results.api" if api else "feedback.results")
    return [json.loads(text) for text in vault.reveal_many(entries, "answers", actor=actor,
                                                           reason=reason)
            if text and not text.erased]


def summarize(round_, answers):
    """[{question, kind, counts | texts, average}] in the round's order."""
    result = []
    for question in round_.questions:
        given = [a[question["key"]] for a in answers if question["key"] in a]
        if question["kind"] == "rating":
            counts = [sum(1 for g in given if g == mark) for mark in MARKS]
            result.append({"key": question["key"], "kind": "rating",
                           "prompt": question["prompt"], "counts": counts,
                           "answered": len(given),
                           "average": round(mean(given), 1) if given else None})
        else:
            result.append({"key": question["key"], "kind": "text",
                           "prompt": question["prompt"], "texts": given,
                           "answered": len(given)})
    return result


def with_charts(round_, summary):
    """Each rating question's counts as a bar chart, on its item (``chart``)."""
    for item in summary:
        if item["kind"] == "rating":
            item["chart"] = Chart(key=f"{round_.public_id}-{item['key']}",
                                  title=item["prompt"], labels=[str(m) for m in MARKS],
                                  series=[Series(_("Members who gave this mark"),
                                                 item["counts"])],
                                  label_heading=_("Mark"))
    return summary


def trend_chart(rounds, averages, *, key):
    """The average mark of each released round, oldest first."""
    labels = [f"{r.title} ({_day(r.closed_at)})" for r in rounds]
    return Chart(key=f"trend-{key}", title=_("Average mark, round by round"),
                 labels=labels, series=[Series(_("Average mark (1 to 5)"), averages)],
                 kind="line", label_heading=_("Round"))


def circle_trend(rounds, *, actor, key):
    """Over the released rounds given (one query set, decrypting each round's entries)."""
    released = [r for r in rounds if r.released and r.closed_at is not None]
    released.sort(key=lambda r: r.closed_at)
    averages = []
    for round_ in released:
        marks = [value for answers in read_answers(round_, actor=actor)
                 for q in round_.questions if q["kind"] == "rating"
                 for value in [answers.get(q["key"])] if value is not None]
        averages.append(round(mean(marks), 2) if marks else 0)
    return trend_chart(released, averages, key=key) if released else None


__all__ = ["Round", "circle_trend", "read_answers", "summarize", "with_charts"]
