"""The service's settings, with the benchmarks' peer checkout mounted beside it."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
