"""`make run` and local development: the embedded defaults (SQLite, tasks in-process).

Debug pages (which show the settings) only with `DEBUG=true` in the environment: `make run` may
be reached from the network. The key is the environment's or one generated into var/.
"""

from config.env import secret_key_or_generated
from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = secret_key_or_generated()
