"""Field apps on WatermelonDB against a live server (tests.helpers.watermelon)."""

from tests.helpers.watermelon import make_watermelon_app

__all__ = ["make_watermelon_app"]
