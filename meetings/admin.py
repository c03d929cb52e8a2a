from django.contrib import admin, messages

from . import services
from .models import (
    CalendarFeed,
    ChatMessage,
    Invitation,
    Meeting,
    MeetingEvent,
    OccurrenceChange,
    Participant,
    ReminderSent,
    Rsvp,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ParticipantInline(ReadOnlyInline):
    model = Participant
    fields = ["display_name", "user", "role", "status", "joined_at", "left_at"]
    readonly_fields = fields


class ChatMessageInline(ReadOnlyInline):
    model = ChatMessage
    fields = ["sent_at", "sender_name", "text"]
    readonly_fields = fields


class MeetingEventInline(ReadOnlyInline):
    model = MeetingEvent
    fields = ["created_at", "kind", "actor_name", "subject_name"]
    readonly_fields = fields


class InvitationInline(ReadOnlyInline):
    model = Invitation
    fields = ["email", "invited_at"]
    readonly_fields = fields


class OccurrenceChangeInline(ReadOnlyInline):
    model = OccurrenceChange
    fields = ["recurrence_id", "cancelled", "starts_at", "duration", "sequence"]
    readonly_fields = fields


class RsvpInline(ReadOnlyInline):
    model = Rsvp
    fields = ["email", "recurrence_id", "answer", "answered_at"]
    readonly_fields = fields


@admin.register(ReminderSent)
class ReminderSentAdmin(admin.ModelAdmin):
    list_display = ["meeting", "recurrence_id", "email", "sent_at"]
    search_fields = ["meeting__code", "meeting__title", "email"]
    raw_id_fields = ["meeting"]
    date_hierarchy = "sent_at"


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """Staff can see who subscribes and revoke a feed (delete it); the key itself is never shown."""

    list_display = ["user", "created_at"]
    search_fields = ["user__email"]
    exclude = ["key"]
    readonly_fields = ["user", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "host", "starts_at", "state", "locked", "live_participants"]
    list_filter = [
        "state",
        "starts_at",
        "locked",
        "is_personal_room",
        ("host", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["title", "code", "host__email"]
    date_hierarchy = "created_at"
    list_select_related = ["host"]
    raw_id_fields = ["host"]
    readonly_fields = [
        "state",
        "state_changed_at",
        "started_at",
        "ended_at",
        "cancelled_at",
        "ical_uid",
        "ical_sequence",
        "created_at",
        "updated_at",
    ]
    inlines = [
        ParticipantInline,
        ChatMessageInline,
        InvitationInline,
        OccurrenceChangeInline,
        RsvpInline,
        MeetingEventInline,
    ]
    actions = ["end_now", "lock", "unlock", "cancel"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_live_count()

    @admin.display(description="live participants", ordering="live_count")
    def live_participants(self, meeting):
        return meeting.live_count

    @admin.action(description="End now (disconnects everyone)")
    def end_now(self, request, queryset):
        for meeting in queryset:
            services.meeting_end(meeting=meeting, by=request.user)
        self.message_user(request, f"Ended {queryset.count()} meeting(s).", messages.SUCCESS)

    @admin.action(description="Lock (admit nobody new)")
    def lock(self, request, queryset):
        for meeting in queryset:
            services.meeting_set_locked(meeting=meeting, locked=True, by=request.user)
        self.message_user(request, "Locked.", messages.SUCCESS)

    @admin.action(description="Unlock")
    def unlock(self, request, queryset):
        for meeting in queryset:
            services.meeting_set_locked(meeting=meeting, locked=False, by=request.user)
        self.message_user(request, "Unlocked.", messages.SUCCESS)

    @admin.action(description="Cancel (tells invitees)")
    def cancel(self, request, queryset):
        for meeting in queryset.exclude(is_personal_room=True):
            join_url = request.build_absolute_uri(meeting.get_join_url())
            services.meeting_cancel(meeting=meeting, join_url=join_url, by=request.user)
        self.message_user(request, "Cancelled (personal rooms are never cancelled).", messages.SUCCESS)


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["display_name", "meeting", "user", "role", "status", "joined_at", "left_at", "attended"]
    list_filter = ["status", "role", "joined_at"]
    search_fields = ["display_name", "user__email", "meeting__code", "meeting__title"]
    list_select_related = ["meeting", "user"]
    date_hierarchy = "joined_at"
    raw_id_fields = ["meeting", "user"]
    readonly_fields = ["peer_id", "created_at"]

    @admin.display(description="duration")
    def attended(self, participant):
        duration = participant.duration
        if duration is None:
            return "—"
        minutes = int(duration.total_seconds() // 60)
        return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


@admin.register(ChatMessage)
class ChatMessageAdmin(admin.ModelAdmin):
    list_display = ["sent_at", "meeting", "sender_name", "text"]
    search_fields = ["text", "sender_name", "meeting__code"]
    list_select_related = ["meeting"]
    raw_id_fields = ["meeting", "participant"]
    date_hierarchy = "sent_at"


@admin.register(MeetingEvent)
class MeetingEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "meeting", "kind", "actor_name", "subject_name"]
    list_filter = ["kind", "created_at"]
    search_fields = ["meeting__code", "meeting__title", "actor_name", "subject_name"]
    list_select_related = ["meeting"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # an audit trail is not edited
