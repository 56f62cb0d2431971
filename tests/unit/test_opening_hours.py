"""Tests for server.outlets.opening_hours, on hand-made cases and on 287 real OSM values."""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path

import pytest

from server.outlets.opening_hours import OpeningHoursError, Schedule, parse, validate

REPO_ROOT = Path(__file__).resolve().parents[2]
REAL_VALUES = REPO_ROOT.parent / "shared/data/real/opening_hours/opening_hours_real_values.tsv"

TUESDAY = dt.date(2026, 3, 10)
FRIDAY = dt.date(2026, 3, 13)
SATURDAY = dt.date(2026, 3, 14)
SUNDAY = dt.date(2026, 3, 15)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.fixture(scope="module")
def real_values() -> list[str]:
    """The `value` column of the shared TSV (count, sources, value), in file order."""
    if not REAL_VALUES.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared test data missing in CI: {REAL_VALUES}")
        pytest.skip(f"shared test data not found: {REAL_VALUES}")
    with REAL_VALUES.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows[0] == ["count", "sources", "value"]
    return [value for _count, _sources, value in rows[1:]]


# --- real values ---------------------------------------------------------------------------


def test_every_real_value_parses_or_raises_a_readable_error(real_values):
    """Each of the 287 real values gives a Schedule or an OpeningHoursError with a message."""
    assert len(real_values) == 287
    parsed, rejected = [], []
    for value in real_values:
        try:
            parsed.append(parse(value))
        except OpeningHoursError as exc:
            assert exc.message and exc.value == value
            assert exc.position is not None and 0 <= exc.position <= len(value), value
            rejected.append(value)
    assert all(isinstance(s, Schedule) for s in parsed)
    # 279 of 287 parse with opening-hours-py 2.1.4. The 8 rejected: "dauerhaft geschlossen",
    # "Occasional", German day names ("Di", "Mo-Do"), "Mo-Fr: 08:00-16:30", "Ph off",
    # "Mo-Sa 21:00" (no closing time) and a trailing "; ".
    assert len(parsed) >= 279, rejected


@pytest.mark.parametrize(
    "value",
    [
        "Mo-Sa 07:00-21:00; Su,PH off",
        "Mo-Sa 07:00-21:00; Su, PH off",
        "Mo-Sa 07:00-21:00; PH,Su off",
        "Mo-Fr 07:00-21:00; Sa 07:00-20:00",
        "Mo-Fr 08:00-18:30;Sa 08:30-13:00",
        "Mo-Sa 8:00-21:00; Su,PH off",
        "24/7",
    ],
)
def test_common_real_forms_parse(real_values, value):
    """The usual shapes found in the real data are accepted."""
    assert value in real_values
    assert parse(value).canonical


def test_weekday_rule_then_saturday_rule_parses():
    """The "Mo-Fr …; Sa …" shape from the brief is accepted and keeps both rules."""
    assert validate("Mo-Fr 08:00-18:00; Sa 08:00-13:00") == "Mo-Fr 08:00-18:00; Sa 08:00-13:00"


@pytest.mark.parametrize("value", ["dauerhaft geschlossen", "Occasional", "Di 07:00-13:30; Sa 07:00-13:30"])
def test_free_text_real_values_are_rejected_at_their_first_character(real_values, value):
    """Free text is rejected, pointing at character 1 and showing what a rule looks like."""
    assert value in real_values
    with pytest.raises(OpeningHoursError) as caught:
        parse(value)
    assert caught.value.position == 0
    assert "character 1" in caught.value.message and "24/7" in caught.value.message


def test_normalizing_a_real_value_keeps_its_meaning_for_a_whole_year(real_values):
    """The canonical string has the same open windows as the original on every day of 2026."""
    days = [dt.date(2026, 1, 1) + dt.timedelta(n) for n in range(365)]
    for value in real_values:
        try:
            original = parse(value)
        except OpeningHoursError:
            continue
        canonical = parse(original.canonical)
        for day in days:
            assert canonical.windows_on(day, "DE") == original.windows_on(day, "DE"), (value, day)


def test_validating_a_canonical_value_returns_it_unchanged(real_values):
    """validate() is idempotent, so storing its result and validating again is harmless."""
    for value in real_values:
        try:
            canonical = validate(value)
        except OpeningHoursError:
            continue
        assert validate(canonical) == canonical, value


# --- validation and error messages -------------------------------------------------------


def test_validate_returns_the_library_normal_form():
    """validate() strips whitespace, pads hours and spells "off" as "closed"."""
    assert validate("  Mo-Sa 8:00-21:00;Su,PH off \n") == "Mo-Sa 08:00-21:00; Su,PH closed"


def test_validate_merges_rules_that_mean_the_same():
    """Normalization folds real values such as "Mo-Fr …; Sa …" with equal hours into one rule."""
    assert validate("Mo-Fr 07:00-21:00; Sa 07:00-21:00; Su off") == "Mo-Sa 07:00-21:00"


@pytest.mark.parametrize("value", ["", "   ", "\t\n"])
def test_empty_or_blank_values_are_rejected(value):
    """Nothing but whitespace is an error, not an always-closed outlet."""
    with pytest.raises(OpeningHoursError, match="empty") as caught:
        parse(value)
    assert caught.value.position is None


@pytest.mark.parametrize("value", [None, 42, b"24/7"])
def test_non_strings_are_rejected_with_opening_hours_error(value):
    """A JSON number or null gives the same error type as bad syntax."""
    with pytest.raises(OpeningHoursError, match="must be a string"):
        parse(value)


def test_values_longer_than_osm_allows_are_rejected():
    """OpenStreetMap caps tag values at 255 characters; so do we."""
    with pytest.raises(OpeningHoursError, match="255"):
        parse("Mo-Sa 08:00-20:00; " * 20)


def test_error_names_the_position_in_the_value_as_given():
    """The position counts the leading whitespace the caller sent; the message counts from 1."""
    with pytest.raises(OpeningHoursError) as caught:
        parse("  Mo-Sa 08:00-2O:00")
    error = caught.value
    assert error.position == 14 and error.value[error.position] == "2"
    assert "character 15" in error.message and "a time" in error.message


def test_error_explains_an_impossible_minute():
    """ "25:99" is rejected at the minutes, with their range."""
    with pytest.raises(OpeningHoursError, match=r"minutes \(00-59\)") as caught:
        parse("Mo-Sa 08:00-25:99")
    assert caught.value.position == 15


def test_error_says_when_the_value_stops_after_a_separator():
    """A trailing ";" (a real value) is reported at the end of the value."""
    with pytest.raises(OpeningHoursError, match="ends too early") as caught:
        parse("Mo-Sa 07:00-22:00; ")
    assert caught.value.position == 18


@pytest.mark.parametrize(
    "value",
    [
        "Mo-Sa\n08:00-20:00",
        "Mo\x00",
        "Mo-Sä 08:00",
        "((((",
        '"unterminated',
        "Su[0]",
        "24/24",
        "🙂",
    ],
)
def test_odd_input_raises_only_opening_hours_error(value):
    """Control characters, non-ASCII and broken syntax never escape as another exception."""
    with pytest.raises(OpeningHoursError) as caught:
        parse(value)
    assert caught.value.message


def test_error_is_a_value_error():
    """Callers that catch ValueError also catch bad opening hours."""
    assert issubclass(OpeningHoursError, ValueError)


# --- ", " between days ---------------------------------------------------------------------


def test_space_after_comma_between_days_keeps_sunday_closed():
    """ "Su, PH off" means Su,PH off, not "open all Sunday, then PH off" as the grammar says."""
    schedule = parse("Mo-Sa 07:00-21:00; Su, PH off")
    assert schedule.windows_on(SUNDAY) == []
    assert schedule.canonical == "Mo-Sa 07:00-21:00; Su,PH closed"
    assert any('", "' in warning for warning in schedule.warnings)


def test_real_additional_rules_after_a_time_are_left_alone():
    """ ", " after a time still starts an additional rule: Saturday keeps its own hours."""
    schedule = parse("Mo-Fr 07:00-21:00, Sa 07:00-20:00")
    assert schedule.windows_on(SATURDAY) == [(420, 1200)]
    assert schedule.warnings == ()


def test_commas_inside_comments_are_left_alone():
    """Quoted comments are never rewritten."""
    value = 'Mo-Fr 08:00-18:00 "Sa, Su nach Vereinbarung"'
    assert validate(value) == value


def test_library_warnings_are_passed_on():
    """Lenient input the library accepts (upper-case OFF) comes with a warning."""
    assert parse("Mo-Sa 07:00-20:00; Su OFF").warnings


# --- windows on a date -------------------------------------------------------------------


def test_calendar_used_by_these_tests():
    """The fixed dates fall on the weekdays their names say."""
    assert [d.strftime("%a") for d in (TUESDAY, FRIDAY, SATURDAY, SUNDAY)] == [
        "Tue",
        "Fri",
        "Sat",
        "Sun",
    ]


def test_a_tuesday_has_one_window_from_eight_to_eight():
    """ "Mo-Sa 08:00-20:00; Su off" on a Tuesday is 480..1200 minutes."""
    assert parse("Mo-Sa 08:00-20:00; Su off").windows_on(TUESDAY) == [(480, 1200)]


def test_a_sunday_marked_off_has_no_window():
    """ "Su off" leaves Sunday without windows."""
    assert parse("Mo-Sa 08:00-20:00; Su off").windows_on(SUNDAY) == []


def test_a_lunch_break_splits_the_day_into_two_windows():
    """ "08:00-12:30,15:00-19:30" gives two windows."""
    schedule = parse("Mo-Fr 08:00-12:30,15:00-19:30")
    assert schedule.windows_on(TUESDAY) == [(480, 750), (900, 1170)]
    assert schedule.windows_on(SATURDAY) == []


def test_always_open_is_one_window_over_the_whole_day():
    """ "24/7" is (0, 1440) on any day."""
    assert parse("24/7").windows_on(SUNDAY) == [(0, 1440)]


def test_a_night_rule_is_cut_at_midnight_and_spills_into_the_next_day():
    """ "Fr-Sa 18:00-02:00" opens Friday evening, Saturday night-and-evening, Sunday night."""
    schedule = parse("Fr-Sa 18:00-02:00")
    assert schedule.windows_on(FRIDAY - dt.timedelta(1)) == []
    assert schedule.windows_on(FRIDAY) == [(1080, 1440)]
    assert schedule.windows_on(SATURDAY) == [(0, 120), (1080, 1440)]
    assert schedule.windows_on(SUNDAY) == [(0, 120)]


def test_touching_windows_are_merged():
    """Two rules that meet at noon give one window."""
    assert parse('Mo 08:00-12:00 "a", Mo 12:00-18:00 "b"').windows_on(dt.date(2026, 3, 9)) == [(480, 1080)]


def test_an_explicit_unknown_state_is_not_open():
    """ "unknown" (maybe open) gives no window and is_open() is False."""
    schedule = parse('Mo-Sa 08:00-21:00; Su unknown "nach Vereinbarung"')
    assert schedule.windows_on(SUNDAY) == []
    assert not schedule.is_open(at("2026-03-15 13:00"))


def test_a_rule_with_only_a_comment_counts_as_open_all_day(real_values):
    """The library reads a comment with no state as open 24 h; documented here, not fixed."""
    value = 'Mo-Sa 08:00-21:00 || "Sonntags während der Bäderregelungszeit 12:00-18:00 Uhr"'
    assert value in real_values
    assert parse(value).windows_on(SUNDAY) == [(0, 1440)]
    assert parse('08:00-18:00; Sa,Su "On request"').windows_on(SUNDAY) == [(0, 1440)]


# --- public holidays -----------------------------------------------------------------------

PH_OFF = "Mo-Sa 08:00-20:00; PH off"


def test_christmas_day_closes_a_german_outlet_with_ph_off():
    """The library knows 25 December 2026 (a Friday) as a German public holiday."""
    assert parse(PH_OFF).windows_on(dt.date(2026, 12, 25), "DE") == []


def test_without_a_country_public_holidays_are_unknown():
    """With no country, "PH off" has no effect: Christmas Day looks like any Friday."""
    assert parse(PH_OFF).windows_on(dt.date(2026, 12, 25)) == [(480, 1200)]


def test_boxing_day_is_a_holiday_in_germany_but_not_in_france():
    """26 December is national in DE; in FR only in Alsace-Moselle, which the library ignores."""
    schedule = parse(PH_OFF)
    assert schedule.windows_on(dt.date(2026, 12, 26), "DE") == []
    assert schedule.windows_on(dt.date(2026, 12, 26), "FR") == [(480, 1200)]


def test_bastille_day_closes_a_french_outlet_with_ph_off():
    """14 July 2026 (a Tuesday) is a French public holiday."""
    assert parse(PH_OFF).windows_on(dt.date(2026, 7, 14), "FR") == []
    assert parse(PH_OFF).windows_on(dt.date(2026, 7, 14), "DE") == [(480, 1200)]


def test_regional_german_holidays_are_not_known():
    """Epiphany (6 Jan, BW/BY/ST) and Corpus Christi are not in the library's calendar."""
    schedule = parse(PH_OFF)
    assert schedule.windows_on(dt.date(2026, 1, 6), "DE") == [(480, 1200)]
    assert schedule.windows_on(dt.date(2026, 6, 4), "DE-BY") == [(480, 1200)]


def test_holidays_after_2076_are_not_known():
    """The library's holiday calendar stops in 2076: Christmas 2077 is an ordinary Saturday."""
    schedule = parse(PH_OFF)
    assert schedule.windows_on(dt.date(2076, 12, 25), "DE") == []
    assert schedule.windows_on(dt.date(2077, 12, 25), "DE") == [(480, 1200)]


def test_country_codes_are_case_insensitive_and_subdivisions_fall_back_to_the_country():
    """ "de" and "DE-BY" give the German national calendar."""
    schedule = parse(PH_OFF)
    assert schedule.windows_on(dt.date(2026, 12, 25), "de") == []
    assert schedule.windows_on(dt.date(2026, 12, 25), "DE-BY") == []


@pytest.mark.parametrize("country", ["XX", "", "DEU"])
def test_unknown_country_is_a_caller_error_not_a_bad_value(country):
    """An unknown country raises plain ValueError, not OpeningHoursError."""
    with pytest.raises(ValueError, match="country") as caught:
        parse(PH_OFF).windows_on(TUESDAY, country)
    assert not isinstance(caught.value, OpeningHoursError)


def test_school_holidays_are_never_known():
    """ "SH off" has no effect: the library has no school-holiday calendar."""
    schedule = parse("Mo-Fr 08:00-18:00; SH off")
    assert schedule.windows_on(dt.date(2026, 8, 4), "DE") == [(480, 1080)]


# --- weekly summary, open now, next change -----------------------------------------------


def test_weekly_lists_every_weekday_in_order_with_clock_times():
    """The summary has Mo..Su keys and "HH:MM" pairs; a closed day is an empty list."""
    weekly = parse("Mo-Fr 08:00-12:30,15:00-19:30; Sa 08:00-13:00").weekly(TUESDAY)
    assert list(weekly) == ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
    assert weekly["Mo"] == [("08:00", "12:30"), ("15:00", "19:30")]
    assert weekly["Sa"] == [("08:00", "13:00")]
    assert weekly["Su"] == []


def test_weekly_writes_the_end_of_day_as_24_00():
    """A window up to midnight ends at "24:00", and "24/7" is 00:00-24:00 every day."""
    assert parse("24/7").weekly(TUESDAY)["Su"] == [("00:00", "24:00")]
    assert parse("Fr-Sa 18:00-02:00").weekly(TUESDAY)["Sa"] == [
        ("00:00", "02:00"),
        ("18:00", "24:00"),
    ]


def test_weekly_uses_the_week_of_the_given_date_and_its_holidays():
    """The week of 24 Dec 2026 in DE closes Friday 25 and Saturday 26."""
    weekly = parse(PH_OFF).weekly(dt.date(2026, 12, 24), "DE")
    assert weekly["Th"] == [("08:00", "20:00")]
    assert weekly["Fr"] == [] and weekly["Sa"] == []


def test_weekly_defaults_to_the_current_week():
    """Without a date the summary is for this week and still has seven days."""
    assert len(parse("24/7").weekly()) == 7


def test_open_at_noon_on_a_tuesday_and_closes_at_eight():
    """Open at 12:00; the next change is the closing at 20:00 the same day."""
    schedule = parse("Mo-Sa 08:00-20:00; Su off")
    assert schedule.is_open(at("2026-03-10 12:00"))
    assert schedule.next_change(at("2026-03-10 12:00")) == at("2026-03-10 20:00")


def test_closed_on_saturday_night_opens_again_on_monday():
    """After Saturday closing the next change skips Sunday."""
    schedule = parse("Mo-Sa 08:00-20:00; Su off")
    assert not schedule.is_open(at("2026-03-14 21:00"))
    assert schedule.next_change(at("2026-03-14 21:00")) == at("2026-03-16 08:00")


def test_next_change_skips_german_christmas_holidays():
    """From Christmas Eve evening the next opening in DE is Monday 28 Dec, not 25 Dec."""
    schedule = parse(PH_OFF)
    assert schedule.next_change(at("2026-12-24 20:00"), "DE") == at("2026-12-28 08:00")
    assert schedule.next_change(at("2026-12-24 20:00")) == at("2026-12-25 08:00")


def test_open_after_midnight_on_a_night_rule():
    """At 01:00 on Saturday the Friday rule is still open, until 02:00."""
    schedule = parse("Fr-Sa 18:00-02:00")
    assert schedule.is_open(at("2026-03-14 01:00"))
    assert schedule.next_change(at("2026-03-14 01:00")) == at("2026-03-14 02:00")


@pytest.mark.parametrize("value", ["24/7", "off", "Mo-Su off"])
def test_next_change_is_none_when_the_state_never_changes(value):
    """Always open or always closed has no next change."""
    assert parse(value).next_change(at("2026-03-10 12:00")) is None


def test_next_change_ignores_a_change_of_comment_only():
    """Two open rules back to back are one opening: the change is the final closing."""
    schedule = parse('Mo 08:00-12:00 "a", Mo 12:00-18:00 "b"')
    assert schedule.next_change(at("2026-03-09 09:00")) == at("2026-03-09 18:00")


def test_time_zone_aware_datetimes_are_refused():
    """Opening hours are local wall-clock times, so an aware datetime is a caller error."""
    with pytest.raises(ValueError, match="naive"):
        parse("24/7").is_open(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC))
