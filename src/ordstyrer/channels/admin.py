"""Read-only admin for IT operations: every change goes through the services."""

from __future__ import annotations

from django.contrib import admin

from ordstyrer.channels.models import Channel, ChannelEvent, ChannelReview, Closure


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Channel)
class ChannelAdmin(ReadOnlyAdmin):
    list_display = ("name", "municipality", "kind", "unit", "status", "last_activity_at")
    list_filter = ("status", "kind", "municipality")
    search_fields = ("name",)


@admin.register(ChannelEvent)
class ChannelEventAdmin(ReadOnlyAdmin):
    list_display = ("channel", "action", "from_status", "to_status", "actor", "at")
    list_filter = ("action",)


@admin.register(Closure)
class ClosureAdmin(ReadOnlyAdmin):
    list_display = ("channel", "state", "starts_at", "ends_at", "comment_mode")
    list_filter = ("state", "comment_mode")


@admin.register(ChannelReview)
class ChannelReviewAdmin(ReadOnlyAdmin):
    list_display = ("channel", "due_on", "completed_at", "reminder_count")
