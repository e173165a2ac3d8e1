"""Admin of the odk app: ODK submissions (`submissions`), an account's Collect devices with the
QR code that configures Collect (`collect`), and the received batches' link to their submission.

The account and batch admins are fieldsync's, registered again here as subclasses (fieldsync
knows nothing of ODK); the admin's autodiscovery imports fieldsync's admin before this one.
"""

from __future__ import annotations

from django.contrib import admin

from odk.admin.collect import CollectAccountAdmin, collect_account_admin_register
from odk.admin.submissions import OdkSyncBatchAdmin, SubmissionAdmin, sync_batch_admin_register

collect_account_admin_register(admin.site)
sync_batch_admin_register(admin.site)

__all__ = ["CollectAccountAdmin", "OdkSyncBatchAdmin", "SubmissionAdmin"]
