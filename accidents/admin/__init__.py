"""Admin of the accidents app, one module per task: geography and ordnance reference data
(`reference`), accident reports with NRA review (`accidents`). Possible duplicates are reviewed
in the victims app's admin (a merge pairs the reports' victims).

Records change only through services; these classes read the request and call one of them.
"""

from accidents.admin import accidents, reference

__all__ = ["accidents", "reference"]
