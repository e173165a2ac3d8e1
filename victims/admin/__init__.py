"""Admin of the victims app, one module per task: service types, victims and assistance
(`records`, with the merge of two victims), and possible duplicate reports (`duplicates`)."""

from victims.admin import duplicates, records
from victims.admin.records import AssistanceAdmin, ServiceTypeAdmin, VictimAdmin

__all__ = ["AssistanceAdmin", "ServiceTypeAdmin", "VictimAdmin", "duplicates", "records"]
