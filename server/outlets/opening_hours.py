"""Read OpenStreetMap ``opening_hours`` values: validate them, and ask when an outlet is open.

A thin layer over ``opening-hours-py`` (import name ``opening_hours``, a Rust parser). Pure: no
Flask, no database. Times are the outlet's local wall-clock time, as naive datetimes, which is
how ``opening_hours`` is written.

What the library does, and what this module adds (checked against opening-hours-py 2.1.4):

- Public holidays (``PH``) are only known when a country is given. ``country=None`` means no day
  is a holiday, so ``PH off`` has no effect. With a country the library knows its **national**
  holidays only, for the years 2000 to 2076 (none outside that range):
  DE: New Year, Good Friday, Easter Monday, 1 May, Ascension, Whit Monday, 3 October, 25 and
  26 December. Regional ones (Epiphany, Corpus Christi, Assumption, Reformation Day,
  All Saints, Repentance Day, Women's Day) are missing.
  FR: the 11 national holidays. The Alsace-Moselle extras (Good Friday, 26 December) are missing.
  Subdivision codes ("DE-BY") are unknown to the library; we reduce them to the country.
- School holidays (``SH``) are never known: ``SH off`` has no effect.
- "Open" means the library's OPEN state; UNKNOWN (written ``unknown``) counts as not open.
  Beware: a rule with a comment and no state (``Su "on request"``, ``|| "see website"``) is
  OPEN all day for the library, so such days show 00:00-24:00.
- ``", "`` between two day selectors, as in the common ``Su, PH off``, is read as ``Su,PH off``.
  The grammar makes ``", "`` the additional-rule separator, so the library alone would read
  ``Su`` as a rule of its own that opens all Sunday. Such values get a warning.
"""

from __future__ import annotations

import datetime as dt
import re

import opening_hours as _oh

__all__ = ["OpeningHoursError", "Schedule", "parse", "validate", "WEEKDAYS", "MAX_LENGTH"]

WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
MAX_LENGTH = 255  # OpenStreetMap's limit for any tag value
_HORIZON = dt.timedelta(days=366)  # next_change looks no further than this

# ", " (optionally " , ") between two day tokens; see the module docstring.
_DAY = r"(?:Mo|Tu|We|Th|Fr|Sa|Su|PH|SH)"
_SPACED_DAY_LIST = re.compile(rf"(?<=\b{_DAY}) ?, +(?={_DAY}\b)")
_COMMENT = re.compile(r'("[^"]*")')

# Names of the parser's grammar rules, as a person would say them.
_RULE_NAMES = {
    "EOI": "the end of the value",
    "any_rule_separator": '";" before another rule',
    "rules_modifier": "a state (open, closed, off, unknown)",
    "rules_modifier_enum": "a state (open, closed, off, unknown)",
    "always_open": "24/7",
    "small_range_selectors": "a weekday or a time range",
    "weekday_selector": "a weekday",
    "wday": "a weekday (Mo, Tu, We, Th, Fr, Sa, Su)",
    "holiday": "a holiday (PH, SH)",
    "week_selector": "week followed by a week number",
    "week": "a week number (01-53)",
    "weeknum": "a week number (01-53)",
    "monthday_range": "a month or a date",
    "monthday_selector": "a month or a date",
    "month": "a month (Jan-Dec)",
    "daynum": "a day of the month (1-31)",
    "year": "a year",
    "comment": "a comment in double quotes",
    "timespan": "a time range such as 08:00-18:00",
    "time_selector": "a time range such as 08:00-18:00",
    "timespan_plus": '"-" and a closing time, as in 08:00-18:00',
    "time": "a time such as 08:00",
    "extended_time": "a time such as 20:00 (up to 48:00)",
    "hour_minutes": "a time such as 08:00",
    "extended_hour_minutes": "a time such as 20:00 (up to 48:00)",
    "hour": "an hour (00-24)",
    "minute": "minutes (00-59)",
    "nth_entry": "a week of the month (1 to 5, or -1 to -5)",
    "day_offset": 'a day offset such as "+1 day"',
    "positive_number": "a number",
    "variable_time": "sunrise, sunset, dawn or dusk",
    "event": "sunrise, sunset, dawn or dusk",
}


class OpeningHoursError(ValueError):
    """An ``opening_hours`` value that cannot be read.

    ``value`` is the value as given, ``message`` a sentence for people, ``position`` the 0-based
    index in ``value`` where reading failed (``None`` when it is not about one place). The
    message counts characters from 1.
    """

    def __init__(self, value: object, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.value = value
        self.message = message
        self.position = position


def parse(value: str) -> Schedule:
    """Read an ``opening_hours`` value, ignoring surrounding whitespace.

    :raise OpeningHoursError: not a string, empty, longer than 255 characters, or not valid syntax.
    """
    if not isinstance(value, str):
        raise OpeningHoursError(value, f"opening_hours must be a string, not {type(value).__name__}")
    text = value.strip()
    if not text:
        raise OpeningHoursError(value, "opening_hours is empty")
    if len(text) > MAX_LENGTH:
        raise OpeningHoursError(
            value,
            f"opening_hours is {len(text)} characters long; OpenStreetMap allows {MAX_LENGTH}",
        )
    lead = len(value) - len(value.lstrip())
    try:
        parsed = _oh.OpeningHours(text)
    except _oh.ParserError as exc:
        raise _syntax_error(value, text, lead, str(exc)) from None

    warnings = list(parsed.warnings)
    fixed = _join_spaced_day_lists(text)
    if fixed != text:
        try:
            parsed = _oh.OpeningHours(fixed)
        except _oh.ParserError:  # not expected: only commas between day tokens changed
            fixed = text
    if fixed != text:
        warnings.append(
            f'read "{text}" as "{fixed}": ", " between days would start a separate rule that opens those days all day'
        )
    return Schedule(fixed, str(parsed.normalize()), tuple(warnings))


def validate(value: str) -> str:
    """Return the library's normalized form of ``value`` (same meaning, canonical spelling).

    :raise OpeningHoursError: see :func:`parse`.
    """
    return parse(value).canonical


class Schedule:
    """A parsed ``opening_hours`` value. Build it with :func:`parse`.

    ``canonical`` is the normalized expression, ``warnings`` what was lenient in the input.
    ``country`` arguments take an ISO 3166-1 code such as "DE" or "FR" (case-insensitive;
    "DE-BY" counts as "DE"); ``None`` means public holidays are not known.
    """

    def __init__(self, expression: str, canonical: str, warnings: tuple[str, ...] = ()) -> None:
        self.canonical = canonical
        self.warnings = warnings
        self._expression = expression
        self._by_country: dict[str | None, _oh.OpeningHours] = {}

    def __repr__(self) -> str:
        return f"Schedule({self.canonical!r})"

    def windows_on(self, day: dt.date, country: str | None = None) -> list[tuple[int, int]]:
        """Open windows on ``day`` in minutes from midnight, e.g. ``[(480, 750), (900, 1170)]``.

        Windows are cut at midnight: "Fr 18:00-02:00" gives (1080, 1440) on Friday and (0, 120)
        on Saturday. Touching windows are merged.

        :raise ValueError: unknown country.
        """
        start = dt.datetime(day.year, day.month, day.day)
        end = start + dt.timedelta(days=1)
        windows: list[tuple[int, int]] = []
        for begin, finish, state, _comment in self._hours(country).intervals(start, end):
            if state != _oh.State.OPEN:
                continue
            lo, hi = _minutes(max(begin, start) - start), _minutes(min(finish, end) - start)
            if windows and windows[-1][1] == lo:
                windows[-1] = (windows[-1][0], hi)
            elif hi > lo:
                windows.append((lo, hi))
        return windows

    def weekly(self, week_of: dt.date | None = None, country: str | None = None) -> dict[str, list[tuple[str, str]]]:
        """Open intervals for each day Mo..Su of the week holding ``week_of`` (default: today).

        E.g. ``{"Mo": [("08:00", "20:00")], ..., "Su": []}``; the end of a day is "24:00".

        :raise ValueError: unknown country.
        """
        week_of = week_of or dt.date.today()
        monday = week_of - dt.timedelta(days=week_of.weekday())
        return {
            name: [(_hhmm(a), _hhmm(b)) for a, b in self.windows_on(monday + dt.timedelta(i), country)]
            for i, name in enumerate(WEEKDAYS)
        }

    def is_open(self, at: dt.datetime, country: str | None = None) -> bool:
        """Whether the outlet is open at the local time ``at``.

        :raise ValueError: ``at`` has a time zone, or unknown country.
        """
        return self._hours(country).is_open(_naive(at))

    def next_change(self, at: dt.datetime, country: str | None = None) -> dt.datetime | None:
        """When the outlet next opens (if closed at ``at``) or closes (if open).

        ``None`` when that does not happen within a year (24/7, closed for good).

        :raise ValueError: ``at`` has a time zone, or unknown country.
        """
        at = _naive(at)
        hours = self._hours(country)
        now_open = hours.is_open(at)
        horizon = at + _HORIZON if at < dt.datetime.max - _HORIZON else dt.datetime.max
        for begin, _finish, state, _comment in hours.intervals(at, horizon):
            if (state == _oh.State.OPEN) != now_open:
                return begin
        return None

    def _hours(self, country: str | None) -> _oh.OpeningHours:
        code = country.strip().upper().split("-")[0] if country is not None else None
        if code not in self._by_country:
            try:
                # The bound keeps next-change searches short for rare dates ("easter Fr").
                self._by_country[code] = _oh.OpeningHours(
                    self._expression, country=code, max_interval_days=_HORIZON.days
                )
            except _oh.UnknownCountryError:
                raise ValueError(f"unknown country code {country!r}") from None
        return self._by_country[code]


def _join_spaced_day_lists(text: str) -> str:
    parts = _COMMENT.split(text)  # odd indexes are quoted comments: leave them alone
    return "".join(p if i % 2 else _SPACED_DAY_LIST.sub(",", p) for i, p in enumerate(parts))


def _syntax_error(value: str, text: str, lead: int, report: str) -> OpeningHoursError:
    """Turn the parser's report (" --> line:col ... = expected x, y, or z") into a sentence."""
    where = re.search(r"-->\s*(\d+):(\d+)", report)
    position = None
    if where:
        line, col = int(where[1]), int(where[2])
        position = sum(len(ln) + 1 for ln in text.split("\n")[: line - 1]) + col - 1
    detail = report.strip().splitlines()[-1].lstrip(" =").strip()
    match = re.fullmatch(r"(un)?expected (.+)", detail)
    if match:
        names = [n.strip() for n in re.split(r",\s*(?:or\s+)?|\s+or\s+", match[2]) if n.strip()]
        if match[1]:  # "unexpected ...": pest only says this about the end of the value
            detail = "the value ends too early" if names == ["EOI"] else detail
        elif "small_range_selectors" in names:  # a rule should start here: show one
            detail = 'expected a rule such as "Mo-Fr 08:00-18:00", "Su,PH off" or "24/7"'
        else:
            said = list(dict.fromkeys(_RULE_NAMES.get(n, n.replace("_", " ")) for n in names))
            detail = "expected " + (said[0] if len(said) == 1 else ", ".join(said[:-1]) + " or " + said[-1])
    if position is None:
        return OpeningHoursError(value, f"opening_hours is not valid: {detail}")
    found = text[position : position + 12]
    found = f'"{found}"' if found else "the end"
    return OpeningHoursError(
        value,
        f"opening_hours is not valid at character {lead + position + 1} (at {found}): {detail}",
        lead + position,
    )


def _naive(at: dt.datetime) -> dt.datetime:
    if at.tzinfo is not None:
        raise ValueError("expected the outlet's local time as a naive datetime")
    return at


def _minutes(delta: dt.timedelta) -> int:
    return int(delta.total_seconds() // 60)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
