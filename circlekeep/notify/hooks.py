"""What notifications ask of the apps above them (see circlekeep/lib/hooks.py)."""

from circlekeep.lib.hooks import Hook

# Notifications that may only go out once a day is over: each handler takes ``today`` (a
# date, UTC) and notifies about what it held back from the days before. The concerns app
# answers with anonymous concerns, whose notification must not tell the moment of the
# report (``manage.py notify daily``, run after ``manage.py audit release``).
DAILY = Hook("notify.daily")
