"""The test run's entry point: flips the environment, then loads the one settings file."""

import os

os.environ.setdefault("CIRCLEKEEP_TESTING", "true")

from config.settings import *  # noqa: F403
