"""Admin of the accidents app, one module per task: geography and ordnance reference data
(`reference`), accident reports with NRA review (`accidents`), possible duplicates (`duplicates`).

Records change only through services; these classes read the request and call one of them.
"""

from accidents.admin import accidents, duplicates, reference

__all__ = ["accidents", "duplicates", "reference"]
