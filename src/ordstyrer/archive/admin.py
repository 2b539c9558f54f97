"""Read-only admin for IT operations: the archive is written by `archive_append` only."""

from __future__ import annotations

from django.contrib import admin

from ordstyrer.archive.models import ArchiveExport, ArchiveRecord, PoliceReportStatus


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ArchiveRecord)
class ArchiveRecordAdmin(ReadOnlyAdmin):
    list_display = ("municipality", "sequence", "kind", "archived_at", "ground", "journal")
    list_filter = ("kind", "ground", "journal", "municipality")
    search_fields = ("title", "author_name")
    exclude = ("canonical",)


@admin.register(PoliceReportStatus)
class PoliceReportStatusAdmin(ReadOnlyAdmin):
    list_display = ("record", "status", "penal_provision", "police_reference", "at")


@admin.register(ArchiveExport)
class ArchiveExportAdmin(ReadOnlyAdmin):
    list_display = ("municipality", "format", "since", "until", "status", "requested_at")
    list_filter = ("status", "format")
