import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_GET, require_POST

from . import emails, entry, reminders, services
from .calendar import feed_calendar, meeting_calendar
from .codes import normalize_meeting_code
from .forms import GuestNameForm, InviteForm, JoinCodeForm, MeetingForm, OccurrenceMoveForm, PasscodeForm
from .links import BadLink, rsvp_read
from .models import CalendarFeed, Meeting, Rsvp, parse_occurrence_key
from .throttle import PASSCODE_FAILURES_PER_CLIENT, PASSCODE_FAILURES_PER_MEETING, client_ip
from .tickets import client_key_for_session, ticket_issue

UPCOMING_DAYS = 30
UPCOMING_LIMIT = 20
PAST_LIMIT = 20
EVENTS_SHOWN = 200
SESSION_GUEST_NAME = "meetings.guest_name"


def _get_meeting(code):
    try:
        return Meeting.objects.select_related("host").get(code=normalize_meeting_code(code))
    except Meeting.DoesNotExist:
        raise Http404("No meeting with that ID.") from None


def _get_meeting_for_host(request, code):
    """The meeting, if the signed-in user hosts it or is staff; 404 or 403 otherwise."""
    meeting = _get_meeting(code)
    if meeting.host_id != request.user.id and not request.user.is_staff:
        raise PermissionDenied("Only the host can manage this meeting.")
    return meeting


def _require_hosting(request):
    """403 unless the signed-in person may host (accounts.policy.may_host)."""
    if not request.user.may_host:
        raise PermissionDenied("Your account may join meetings but not host them. Ask the site's staff.")


def _join_url(request, meeting, *, with_passcode=False):
    url = request.build_absolute_uri(meeting.get_join_url())
    if with_passcode and meeting.passcode:
        url += f"?pwd={meeting.passcode}"
    return url


# --- Home and dashboard ---------------------------------------------------------------------------


def home(request):
    if not request.user.is_authenticated:
        return render(request, "meetings/landing.html", {"join_form": JoinCodeForm()})
    return render(request, "meetings/dashboard.html", _dashboard_context(request.user))


def _dashboard_context(user):
    now = timezone.now()
    horizon = now + timezone.timedelta(days=UPCOMING_DAYS)
    open_meetings = list(
        Meeting.objects.open()
        .filter(host=user, is_personal_room=False)
        .filter(Q(starts_at__lt=horizon) | Q(state=Meeting.State.LIVE))
        .prefetch_related("occurrence_changes")
    )
    upcoming = []
    for meeting in open_meetings:
        starts = meeting.occurrences(after=now, before=horizon, limit=UPCOMING_LIMIT)
        if meeting.state == Meeting.State.LIVE and not starts:
            starts = [meeting.started_at or now]
        upcoming.extend((start, meeting) for start in starts)
    upcoming.sort(key=lambda item: item[0])
    past = (
        Meeting.objects.filter(host=user, participants__joined_at__isnull=False)
        .annotate(attendance_count=Count("participants"), last_attended=Max("participants__joined_at"))
        .order_by("-last_attended")[:PAST_LIMIT]
    )
    return {
        "upcoming": [
            {"starts_at": start, "meeting": meeting} for start, meeting in upcoming[:UPCOMING_LIMIT]
        ],
        "past": past,
        # Made on first use, and only for someone who may host it.
        "personal_room": services.personal_room_get_or_create(user=user) if user.may_host else None,
        "join_form": JoinCodeForm(),
    }


@login_required
@require_POST
def meeting_new(request):
    _require_hosting(request)
    meeting = services.meeting_create_instant(host=request.user)
    return redirect("meetings:join", code=meeting.code)


@require_GET
def join_by_code(request):
    form = JoinCodeForm(request.GET)
    if form.is_valid():
        return redirect("meetings:join", code=form.cleaned_data["code"])
    return render(request, "meetings/not_found.html", {"join_form": form}, status=400)


# --- Scheduling and managing ----------------------------------------------------------------------


@login_required
def meeting_schedule(request):
    _require_hosting(request)
    form = MeetingForm(request.POST or None, host=request.user)
    if request.method == "POST" and form.is_valid():
        meeting = services.meeting_create(host=request.user, **form.meeting_fields())
        messages.success(request, "Your meeting is scheduled. Share the link below.")
        return redirect(meeting)
    return render(request, "meetings/schedule.html", {"form": form})


NEXT_OCCURRENCES_SHOWN = 6


@login_required
def meeting_detail(request, code):
    meeting = _get_meeting_for_host(request, code)
    now = timezone.now()
    upcoming = meeting.occurrence_list(after=now, limit=NEXT_OCCURRENCES_SHOWN, include_cancelled=True)
    answers = services.rsvp_answers(meeting, upcoming)
    invitees = list(meeting.invitations.all())
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "join_url": _join_url(request, meeting),
            "join_url_with_passcode": _join_url(request, meeting, with_passcode=True),
            "upcoming": [
                {"occurrence": o, "answers": _answer_counts(answers[o.recurrence_id], invitees)}
                for o in upcoming
            ],
            "past_occurrences": services.attendance_by_occurrence(meeting) if meeting.starts_at else [],
            "attendance": services.attendance(meeting),
            "invitations": meeting.invitations.all(),
            "events": meeting.events.all()[:EVENTS_SHOWN],
            "invite_form": InviteForm(),
        },
    )


def _answer_counts(answers, invitees):
    """{"yes": [...emails], "maybe": [...], "no": [...], "none": [...]} for one occurrence."""
    counts = {"yes": [], "maybe": [], "no": [], "none": []}
    for invitation in invitees:
        counts[answers.get(invitation.email, "none")].append(invitation.email)
    return counts


def _get_occurrence(meeting, key):
    try:
        occurrence = meeting.occurrence(parse_occurrence_key(key))
    except ValueError:
        occurrence = None
    if occurrence is None:
        raise Http404("This meeting has no occurrence at that time.")
    return occurrence


@login_required
def occurrence_detail(request, code, key):
    """One occurrence of a series: who answered what, who came, and the host's changes."""
    meeting = _get_meeting_for_host(request, code)
    if request.method == "POST":
        _require_hosting(request)
    occurrence = _get_occurrence(meeting, key)
    invitees = list(meeting.invitations.all())
    answers = services.rsvp_answers(meeting, [occurrence])[occurrence.recurrence_id]
    form = OccurrenceMoveForm(request.POST or None, meeting=meeting, occurrence=occurrence)
    if request.method == "POST" and form.is_valid():
        try:
            services.occurrence_move(
                meeting=meeting,
                recurrence_id=occurrence.recurrence_id,
                starts_at=form.cleaned_data["starts_at"],
                duration=form.cleaned_data["duration"],
                join_url=_join_url(request, meeting),
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, "The occurrence was moved; invitees were told of this one change.")
        return redirect(meeting)
    return render(
        request,
        "meetings/occurrence.html",
        {
            "meeting": meeting,
            "occurrence": occurrence,
            "is_over": occurrence.ends_at <= timezone.now(),
            "answers": [(i.email, answers.get(i.email)) for i in invitees],
            "came": meeting.participants.filter(occurrence=occurrence.recurrence_id, joined_at__isnull=False),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def occurrence_cancel(request, code, key):
    meeting = _get_meeting_for_host(request, code)
    _require_hosting(request)
    occurrence = _get_occurrence(meeting, key)
    try:
        services.occurrence_cancel(
            meeting=meeting, recurrence_id=occurrence.recurrence_id, join_url=_join_url(request, meeting)
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "That occurrence was cancelled; invitees were told of this one date.")
    return redirect(meeting)


def _remaining_count(meeting, recurrence_id):
    """For a series with COUNT: how many occurrences are left from this one on."""
    parts = dict(p.split("=", 1) for p in meeting.rrule.split(";") if "=" in p)
    if "COUNT" not in parts:
        return None
    before = meeting._local_rule().between(
        meeting.starts_at.astimezone(meeting.zone), recurrence_id.astimezone(meeting.zone), inc=False
    )
    return int(parts["COUNT"]) - len(before) - 1


@login_required
def meeting_edit_following(request, code, key):
    """Edit "this and following": the form of the series, starting at the chosen occurrence."""
    meeting = _get_meeting_for_host(request, code)
    _require_hosting(request)
    occurrence = _get_occurrence(meeting, key)
    local = occurrence.recurrence_id.astimezone(meeting.zone)
    initial = {"date": local.date(), "time": local.time().replace(second=0, microsecond=0)}
    remaining = _remaining_count(meeting, occurrence.recurrence_id)
    if remaining is not None:
        initial["recurrence_count"] = max(remaining, 2)
    form = MeetingForm(request.POST or None, instance=meeting, host=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        meeting = Meeting.objects.get(pk=meeting.pk)  # the form wrote to the instance already
        try:
            new = services.series_split(
                meeting=meeting,
                recurrence_id=occurrence.recurrence_id,
                join_url_for=lambda m: _join_url(request, m),
                **form.meeting_fields(),
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect(meeting)
        messages.success(request, "The series was changed from that date on; invitees were told.")
        return redirect(new)
    return render(
        request, "meetings/schedule.html", {"form": form, "meeting": meeting, "following_from": occurrence}
    )


@login_required
def meeting_edit(request, code):
    meeting = _get_meeting_for_host(request, code)
    _require_hosting(request)
    if not meeting.is_open:
        messages.error(
            request, f"This meeting is {meeting.get_state_display().lower()}; it cannot be edited."
        )
        return redirect(meeting)
    form = MeetingForm(request.POST or None, instance=meeting, host=request.user)
    if request.method == "POST" and form.is_valid():
        meeting = Meeting.objects.get(pk=meeting.pk)  # the form wrote to the instance already
        fields = form.meeting_fields()
        join_url = request.build_absolute_uri(
            reverse("meetings:join", args=[fields.get("code", meeting.code)])
        )
        services.meeting_update(meeting=meeting, join_url=join_url, **fields)
        messages.success(request, "Your changes were saved.")
        return redirect(meeting)
    return render(request, "meetings/schedule.html", {"form": form, "meeting": meeting})


@login_required
@require_POST
def meeting_cancel(request, code):
    meeting = _get_meeting_for_host(request, code)
    if meeting.is_personal_room:
        messages.error(request, "Your personal room cannot be cancelled.")
        return redirect(meeting)
    services.meeting_cancel(meeting=meeting, join_url=_join_url(request, meeting), by=request.user)
    messages.success(request, "The meeting was cancelled; invitees were told.")
    return redirect("home")


@login_required
@require_POST
def meeting_end(request, code):
    meeting = _get_meeting_for_host(request, code)
    services.meeting_end(meeting=meeting, by=request.user)
    messages.success(request, "The meeting has ended for everyone.")
    return redirect(meeting)


@login_required
@require_POST
def meeting_invite(request, code):
    meeting = _get_meeting_for_host(request, code)
    form = InviteForm(request.POST)
    if not meeting.is_open:
        messages.error(request, "Nobody can be invited to a meeting that is over.")
    elif form.is_valid():
        invited = services.meeting_invite(
            meeting=meeting,
            emails_to_invite=form.cleaned_data["emails"],
            join_url=_join_url(request, meeting),
        )
        messages.success(
            request, f"Invitation sent to {len(invited)} {'person' if len(invited) == 1 else 'people'}."
        )
    else:
        for error in form.errors["emails"]:
            messages.error(request, error)
    return redirect(meeting)


@login_required
def meeting_calendar_file(request, code):
    meeting = _get_meeting_for_host(request, code)
    ics = meeting_calendar(meeting, join_url=_join_url(request, meeting))
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{meeting.code}.ics"'
    return response


@login_required
def meeting_attendance_csv(request, code):
    meeting = _get_meeting_for_host(request, code)
    header = ["name", "email", "role", "status", "joined_at", "left_at", "minutes"]
    rows = (
        [
            person.display_name,
            person.user.email if person.user else "",
            person.role,
            person.status,
            person.joined_at.isoformat(),
            person.left_at.isoformat() if person.left_at else "",
            round(person.duration.total_seconds() / 60, 1) if person.duration else "",
        ]
        for person in services.attendance(meeting)
    )
    return _csv_response(f"{meeting.code}-attendance.csv", header, rows)


@login_required
def meeting_events_csv(request, code):
    """The audit trail as CSV: every event with its time, kind, actor and subject."""
    meeting = _get_meeting_for_host(request, code)
    header = ["time", "event", "by", "about", "description"]
    rows = (
        [event.created_at.isoformat(), event.kind, event.actor_name, event.subject_name, event.describe()]
        for event in meeting.events.all()
    )
    return _csv_response(f"{meeting.code}-events.csv", header, rows)


def _csv_response(filename, header, rows):
    """A CSV download; every text cell is made safe for spreadsheets."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_safe(cell) if isinstance(cell, str) else cell for cell in row])
    return response


def _csv_safe(text):
    """Keep a spreadsheet from running a name as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# --- Joining --------------------------------------------------------------------------------------


def join(request, code):
    """/m/<code>/: every gate between a join link and the call, in the order a person meets them."""
    try:
        meeting = _get_meeting(code)
    except Http404:
        form = JoinCodeForm(initial={"code": code})
        return render(request, "meetings/not_found.html", {"join_form": form, "code": code}, status=404)
    gate, display_name = _join_gates(request, meeting)
    if gate is not None:
        return gate
    is_host = request.user.is_authenticated and request.user.id == meeting.host_id
    context = {
        "meeting": meeting,
        "display_name": display_name,
        "is_host": is_host,
        # A hint for the page (the server decides on joining): draw the call at Join unless this
        # person knocks first.
        "may_wait": entry.knocks_first(meeting, request.user, moderator=_is_moderator(request, meeting)),
        "invite_url": request.build_absolute_uri(meeting.get_join_url()),
    }
    return render(request, "meetings/prejoin.html", context)


def _is_moderator(request, meeting):
    """Whether this person would enter as a host or co-host (entry.role_for decides)."""
    user_id = request.user.id if request.user.is_authenticated else None
    return entry.is_moderator(entry.role_for(meeting, user_id))


def _join_gates(request, meeting, *, forms=True):
    """(a page to show instead of the call, None) or (None, the name the person joins as).

    Each gate is an entry rule (meetings.entry) that the websocket admission applies too; here a
    refusal becomes the page that explains it. With forms=False (the ticket endpoint) nothing posted
    is taken as a passcode or a name: a gate not passed yet is simply a page to show.
    """
    if entry.meeting_closed(meeting):
        return render(request, "meetings/over.html", {"meeting": meeting}, status=410), None
    # The host of a meeting whose account may not host is turned away (403) before any gate.
    is_host = request.user.is_authenticated and request.user.id == meeting.host_id
    if is_host:
        _require_hosting(request)

    user_id = request.user.id if request.user.is_authenticated else None
    if entry.passcode_unproven(meeting, user_id=user_id, session=request.session):
        if not forms:
            return HttpResponse(status=409), None
        response = _passcode_gate(request, meeting)
        if response is not None:
            return response, None

    if request.user.is_authenticated:
        display_name = request.user.public_name
    elif not meeting.allow_guests:
        messages.info(request, "This meeting is for signed-in members: please log in to join.")
        return redirect_to_login(meeting.get_join_url()), None
    else:
        display_name = request.session.get(SESSION_GUEST_NAME)
        posted = request.POST if forms and "display_name" in request.POST else None
        name_form = GuestNameForm(posted, initial={"display_name": display_name})
        if request.method == "POST" and name_form.is_valid():
            request.session[SESSION_GUEST_NAME] = name_form.cleaned_data["display_name"]
            return redirect("meetings:join", code=meeting.code), None
        if not display_name or request.GET.get("change_name"):
            return render(request, "meetings/guest_name.html", {"meeting": meeting, "form": name_form}), None

    moderator = _is_moderator(request, meeting)
    if entry.not_open_yet(meeting, moderator=moderator):
        opens_at = meeting.opens_at()
        context = {
            "meeting": meeting,
            "display_name": display_name,
            "opens_at": opens_at,
            "starts_at": meeting.occurrence_for_entry().starts_at,
            "opens_in_ms": max(0, int((opens_at - timezone.now()).total_seconds() * 1000)),
            "viewer_zone": _viewer_zone(request, meeting),
        }
        return render(request, "meetings/countdown.html", context), None

    if entry.host_not_arrived(meeting, moderator=moderator):
        context = {
            "meeting": meeting,
            "display_name": display_name,
            "viewer_zone": _viewer_zone(request, meeting),
        }
        page = render(request, "meetings/waiting_for_host.html", context)
        return page, None
    return None, display_name


@require_POST
def join_ticket(request, code):
    """The pre-join page's "Join": a signed, one-use ticket for the signaling websocket."""
    meeting = _get_meeting(code)
    gate, display_name = _join_gates(request, meeting, forms=False)
    if gate is not None:
        # The person must go through a page first (passcode, name, waiting for the host...).
        return JsonResponse({"error": "gate", "location": meeting.get_join_url()}, status=409)
    if "display_name" in request.POST:
        # The name typed on the pre-join page; a guest's is remembered for next time.
        name_form = GuestNameForm({"display_name": request.POST["display_name"]})
        if not name_form.is_valid():
            return JsonResponse({"error": name_form.errors["display_name"][0]}, status=400)
        display_name = name_form.cleaned_data["display_name"]
        if not request.user.is_authenticated:
            request.session[SESSION_GUEST_NAME] = display_name
    ticket = ticket_issue(
        meeting_code=meeting.code,
        display_name=display_name,
        user_id=request.user.id if request.user.is_authenticated else None,
        client_key=client_key_for_session(request.session),
    )
    return JsonResponse({"ticket": ticket, "websocket": f"/ws/meetings/{meeting.code}/"})


def _viewer_zone(request, meeting):
    """A member reads times in their own zone; a guest, whose zone we do not know, in the meeting's."""
    return request.user.time_zone if request.user.is_authenticated else meeting.time_zone


def _passcode_gate(request, meeting):
    """Check a typed (or linked ?pwd=) passcode; None lets the visitor through."""
    client_key = f"{meeting.code}:{client_ip(request)}"
    throttled = PASSCODE_FAILURES_PER_CLIENT.is_exceeded(
        client_key
    ) or PASSCODE_FAILURES_PER_MEETING.is_exceeded(meeting.code)
    submitted = request.POST.get("passcode") if request.method == "POST" else request.GET.get("pwd")
    # Bound to the link's ?pwd= too, so that an error can be added to it.
    form = PasscodeForm({"passcode": submitted} if submitted is not None else None)
    if submitted is not None and not throttled:
        if services.passcode_matches(meeting=meeting, passcode=submitted):
            entry.passcode_remember(request.session, meeting)
            return redirect("meetings:join", code=meeting.code)
        PASSCODE_FAILURES_PER_CLIENT.record(client_key)
        PASSCODE_FAILURES_PER_MEETING.record(meeting.code)
        form.add_error(None, "That passcode is not right. Check the invitation and try again.")
    if throttled and submitted is not None:
        form.add_error(None, "Too many wrong passcodes. Please wait a few minutes, then try again.")
        return render(request, "meetings/passcode.html", {"meeting": meeting, "form": form}, status=429)
    status = 400 if form.errors else 200
    return render(request, "meetings/passcode.html", {"meeting": meeting, "form": form}, status=status)


@require_GET
def join_status(request, code):
    """Polled by the "waiting for the host" page so it moves on when the host starts."""
    meeting = _get_meeting(code)
    now = timezone.now()
    before_window = meeting.is_before_window(now)
    opens_at = meeting.opens_at(now) if before_window else None
    # Asked as a guest would be: the page that polls is shown only to those who wait.
    refusal = (
        entry.meeting_closed(meeting)
        or entry.not_open_yet(meeting, moderator=False)
        or entry.host_not_arrived(meeting, moderator=False)
    )
    return JsonResponse(
        {
            "state": meeting.state,
            "can_enter": refusal is None,
            "opens_in_ms": int((opens_at - now).total_seconds() * 1000) if opens_at else 0,
        }
    )


# --- Answers, feeds and reminders: links that work without logging in ------------------------------


def _bad_link(request, what, status=400):
    return render(request, "meetings/bad_link.html", {"what": what}, status=status)


def rsvp(request, token, answer):
    """One click from the invitation mail records the answer; the page confirms it and offers the
    other answers. The signed token names the meeting, the address and the occurrence."""
    if answer not in Rsvp.Answer.values:
        return _bad_link(request, "answer")
    try:
        target = rsvp_read(token)
    except BadLink:
        return _bad_link(request, "answer")
    occurrence = None
    if target.recurrence_id is not None:
        occurrence = target.meeting.occurrence(target.recurrence_id)
        if occurrence is None:
            return _bad_link(request, "answer")
    prefetch = "prefetch" in request.headers.get("Sec-Purpose", request.headers.get("Purpose", ""))
    if request.method in ("GET", "POST") and not prefetch:  # a browser guessing ahead is not a click
        services.rsvp_answer(
            meeting=target.meeting, email=target.email, recurrence_id=target.recurrence_id, answer=answer
        )
    context = {
        "meeting": target.meeting,
        "email": target.email,
        "occurrence": occurrence,
        "answer": Rsvp.Answer(answer),
        "viewer_zone": emails.recipient_zone(target.email, target.meeting),
        "others": [(a, reverse("meetings:rsvp", args=[token, a])) for a in Rsvp.Answer.values if a != answer],
    }
    return render(request, "meetings/rsvp.html", context)


@require_GET
def calendar_feed(request, token):
    """A person's calendar subscription. The signed key is the secret; a reset one is gone at once
    (404). Calendar apps poll: an unchanged feed is answered 304 from two narrow queries."""
    try:
        key = CalendarFeed.key_from_token(token)
    except signing.BadSignature:
        return _bad_link(request, "calendar", status=404)
    feed = CalendarFeed.objects.select_related("user").filter(key=key, user__is_active=True).first()
    if feed is None:
        return _bad_link(request, "calendar", status=404)
    meetings = services.feed_meetings(feed.user)
    etag, last_modified = services.feed_version(feed, meetings, site=request.get_host())
    last_modified = int(last_modified.timestamp())  # HTTP dates have whole seconds
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        return not_modified
    ics = feed_calendar(
        meetings.select_related("host").prefetch_related("occurrence_changes"),
        name=f"{settings.SITE_NAME}: {feed.user.public_name}",
        join_url_for=lambda m: _join_url(request, m),
    )
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = 'inline; filename="meetings.ics"'
    return response


@login_required
@require_POST
def calendar_feed_reset(request):
    services.calendar_feed_reset(user=request.user)
    messages.success(request, "Your calendar link was reset; the old one no longer works.")
    return redirect("accounts:profile")


@login_required
@require_GET
def reminders_upcoming(request):
    """For the in-page notice: this person's occurrences whose reminder time has come."""
    return JsonResponse({"reminders": reminders.notices_for(request.user)})
