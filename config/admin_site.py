"""The admin as an NRA data officer works in it: tasks, not Django apps.

The home page and the sidebar list the same sections in the same order in every language
(Review, Figures, Records, Reference data, Accounts), each with its tables and pages; the
engine's internal tables are listed to superusers only. Models are named by label, so this
layout imports no app; a model missing from it lands in "Other" (a test keeps that list empty).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Page:
    """A page of the admin that is not a model's list (the dashboard, the export)."""

    key: str
    name: Promise
    url_name: str
    #: Who may open it: those with this permission ("app.codename")...
    permission: str = ""
    #: ...or those whom this model's admin lets view it ("app.model"): the page is of its table.
    model: str = ""


@dataclass(frozen=True)
class Task:
    key: str
    name: Promise
    models: tuple[str, ...]
    pages: tuple[Page, ...] = field(default=())
    superuser_only: bool = False


TASKS: tuple[Task, ...] = (
    Task(
        "review",
        _("Review"),
        (
            "accidents.duplicategroup",
            "fieldsync.conflict",
            "fieldsync.inboxrecord",
            "odk.submission",
        ),
    ),
    Task(
        "figures",
        _("Figures"),
        ("victims.casualtyfigure", "accidents.accidentfigure", "victims.assistancefigure"),
        pages=(
            Page("dashboard", _("Dashboard"), "figures-dashboard", "accidents.view_accident"),
            Page(
                "reports",
                _("Statistics reports"),
                "admin:figures_statistics_reports",
                model="victims.casualtyfigure",
            ),
        ),
    ),
    Task(
        "records",
        _("Records"),
        ("accidents.accident", "victims.victim", "victims.assistance", "exchange.importfile"),
        pages=(
            Page(
                "export",
                _("Export records"),
                "admin:exchange_importfile_export",
                "accidents.view_accident",
            ),
        ),
    ),
    Task(
        "reference",
        _("Reference data"),
        (
            "accidents.province",
            "accidents.district",
            "accidents.ordnancetype",
            "victims.servicetype",
            "fieldsync.organisation",
        ),
    ),
    Task("accounts", _("Accounts"), ("fieldsync.user", "auth.group", "fieldsync.device")),
    Task(
        "internal",
        _("Internal tables"),
        (
            "fieldsync.syncbatch",
            "fieldsync.change",
            "fieldsync.recordversion",
            "fieldsync.loginfailure",
            "figures.statisticsslice",
            "figures.dirtyslice",
        ),
        superuser_only=True,
    ),
)
OTHER = Task("other", _("Other"), ())


def task_of(label: str) -> Task:
    return next((task for task in TASKS if label in task.models), OTHER)


def _position(model_dict: dict[str, Any]) -> tuple[int, int]:
    """Where a table comes in the layout: its task's place, then its own within the task."""
    label = model_dict["model"]._meta.label_lower
    task = task_of(label)
    if task is OTHER:
        return len(TASKS), 0
    return TASKS.index(task), task.models.index(label)


class TaskAdminSite(admin.AdminSite):
    """Django's admin site, its home page and sidebar grouped by task."""

    # No public site behind the admin: Django's "View site" link would lead to a 404.
    site_url = None

    def get_app_list(
        self, request: HttpRequest, app_label: str | None = None
    ) -> list[dict[str, Any]]:
        if app_label is not None:  # an app's own page: its models, in the layout's order
            app_list = super().get_app_list(request, app_label)
            for app in app_list:
                app["models"].sort(key=_position)
            return app_list
        sections: dict[str, dict[str, Any]] = {}
        index_url = reverse("admin:index", current_app=self.name)
        for task in (*TASKS, OTHER):
            if task.superuser_only and not request.user.is_superuser:
                continue
            sections[task.key] = {
                "name": task.name,
                "app_label": task.key,
                "app_url": f"{index_url}#task-{task.key}",
                "has_module_perms": True,
                "models": [],
                "pages": self._pages(request, task),
            }
        for app in self._build_app_dict(request).values():
            for model_dict in app["models"]:
                section = sections.get(task_of(model_dict["model"]._meta.label_lower).key)
                if section is not None:
                    section["models"].append(model_dict)
        for section in sections.values():
            section["models"].sort(key=_position)
            section["models"][:0] = section.pop("pages")
        _mark_current(sections.values(), request.path)
        return [section for section in sections.values() if section["models"]]

    def _pages(self, request: HttpRequest, task: Task) -> list[dict[str, Any]]:
        """The task's pages this user may open, shaped like the admin's model entries."""
        pages = []
        for page in task.pages:
            if not self._may_open(request, page):
                continue
            try:
                url = reverse(page.url_name)
            except NoReverseMatch:  # a page whose app is not installed
                continue
            pages.append(
                {
                    "name": capfirst(str(page.name)),
                    "object_name": f"page-{page.key}",
                    "perms": {"view": True},
                    "admin_url": url,
                    "add_url": None,
                    "view_only": True,
                }
            )
        return pages

    def _may_open(self, request: HttpRequest, page: Page) -> bool:
        if not page.model:
            return request.user.has_perm(page.permission)
        for model, model_admin in self._registry.items():
            if model._meta.label_lower == page.model:
                return bool(model_admin.has_view_permission(request))
        return False


def _mark_current(sections: Any, path: str) -> None:
    """The entry whose address is the longest start of this page's (app_list.html reads it)."""
    entries = [model for section in sections for model in section["models"]]
    matching = [e for e in entries if e.get("admin_url") and path.startswith(e["admin_url"])]
    best = max(matching, key=lambda e: len(e["admin_url"]), default=None)
    for entry in entries:
        entry["current"] = entry is best


class TaskAdminConfig(AdminConfig):
    """`django.contrib.admin`, with the site grouped by task (in INSTALLED_APPS)."""

    default_site = "config.admin_site.TaskAdminSite"
