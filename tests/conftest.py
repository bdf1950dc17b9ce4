"""Test configuration shared by all test folders."""

import os

from hypothesis import settings

# CI runs the same examples every time (reproducible); local runs keep exploring new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
