"""The usual shifts of a room's moderator rota (a pair for the first week, others
for the rest of the consultation), and a rota line's dates in words. No database."""

from datetime import date, timedelta

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

FIRST_WEEK_DAYS = 7


class Shift(models.TextChoices):
    FIRST_WEEK = "first_week", _("First week")
    REST = "rest", _("Rest of the consultation")


def room_dates(room) -> tuple[date | None, date | None]:
    """When the room opens and closes: its own dates, or else its consultation's."""
    consultation = room.consultation if room.consultation_id else None
    opens_on = room.opens_on or (consultation and consultation.opens_on)
    closes_on = room.closes_on or (consultation and consultation.closes_on)
    return opens_on or None, closes_on or None


def shift_dates(shift: str, *, opens_on: date, closes_on: date | None) -> tuple[date, date | None]:
    """The first and last day of the shift: the first week is the opening day and
    the six after it; the rest runs from the next day to the closing day (open-ended without one)."""
    first_week_ends = opens_on + timedelta(days=FIRST_WEEK_DAYS - 1)
    if shift == Shift.FIRST_WEEK:
        return opens_on, first_week_ends
    return first_week_ends + timedelta(days=1), closes_on


def rota_line_dates(starts_on: date | None, ends_on: date | None) -> str:
    """A rota line's dates in words ("From 2 November 2026 until 8 November 2026"); empty when open-ended at both sides."""
    days = {"starts": starts_on and date_format(starts_on), "ends": ends_on and date_format(ends_on)}
    if starts_on and ends_on:
        return gettext("From %(starts)s until %(ends)s") % days
    if starts_on:
        return gettext("From %(starts)s") % days
    if ends_on:
        return gettext("Until %(ends)s") % days
    return ""
