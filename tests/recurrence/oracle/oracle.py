"""RFC 5545 recurrence by python-dateutil on the series' wall clock, made instants by zoneinfo.

Reads one JSON request on stdin, writes one JSON answer on stdout:
  {"cases": [{"id", "rule", "start", "zone", "count"}], "transitions": {"zones": [...], "years": [a, b]}}
  → {"results": {id: {"occurrences": [epoch s, ...], "ended": "full" | "until" | "horizon"} | {"error": "..."}},
     "transitions": {zone: [[at, offset], ...]}}
"ended" says why a list is shorter than asked: it reached UNTIL, or the rule has nothing more within
the horizon ("full": it has all it was asked for, COUNT included).

dateutil expands the rule on naive wall-clock times from DTSTART's wall clock (RFC 5545 local
time). Each wall-clock instance becomes an instant with fold=0, which is exactly RFC 5545 §3.3.5:
a repeated time means the first occurrence, a nonexistent one is read with the offset before the
gap. What Nudge's series is made of, and nothing more, is then applied here:
  - DTSTART is always the first occurrence (§3.3.10 "always counts as the first occurrence"),
    and no instance before it belongs to the set;
  - the set is its instants in time order, each once (difference 2 in docs/api.md);
  - UNTIL is an instant, compared with each instance's instant. The rule comes as the client
    wrote it, and UNTIL is read here as docs/api.md says, in each of RFC 5545's three forms: a
    UTC date-time as it is, a floating date-time in the zone (as any wall-clock time: fold=0), and
    a date as the end of that day in the zone (the second before the next day begins);
  - COUNT is the number of occurrences of that set;
  - an occurrence more than HORIZON_YEARS after the previous one ends the series (difference 3).
One correction of dateutil itself: in the first period of a WEEKLY rule it takes BYSETPOS over
the days from DTSTART's on, not over the whole week (RFC 5545: "within the set of recurrence
instances" of the interval). Such a rule is expanded here from the start of DTSTART's week (same
time of day, same week, so the same interval grid and defaults), then cut at DTSTART as always.
And one more: dateutil counts the weeks of the previous year with the current year's length and a
fixed 52 (dateutil pull request #1537, open), so it gives January days the wrong week number of
the year before: with BYWEEKNO=53 it takes days of a 52-week year's last week, and with
BYWEEKNO=52 it drops them (Jan 1, 2039, a Saturday, is in week 52 of 2038). That count is
corrected here as the pull request does (the weeks of the previous year from its own length), and
each instance's week number is checked again with the calendar's own arithmetic
(date.isocalendar() when weeks start on Monday).
"""

import json
import signal
import sys
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import inspect
import re
import textwrap

import dateutil.rrule
from dateutil.rrule import rrulestr


def weeks_in(length):
    """Weeks of a week-numbering year of `length` days (a last part of 4+ days is a week)."""
    return length // 7 + length % 7 // 4


def correct_previous_year_weeks():
    """dateutil's _iterinfo.rebuild with the previous year's week count of pull request #1537."""
    source = textwrap.dedent(inspect.getsource(dateutil.rrule._iterinfo.rebuild))
    corrected, found = re.subn(
        r"lnumweeks = 52\+\(lyearlen \+\s*\(lyearweekday-rr\._wkst\) % 7\) % 7//4",
        "lnumweeks = weeks_in(lyearlen + (lyearweekday-rr._wkst) % 7)",
        source,
    )
    corrected, found_else = re.subn(
        r"lnumweeks = 52\+\(self\.yearlen-no1wkst\) % 7//4",
        "lnumweeks = weeks_in(lyearlen-lno1wkst)",
        corrected,
    )
    if (found, found_else) != (1, 1):  # another dateutil: its code must be looked at again
        raise RuntimeError("dateutil's previous-year week count is not where it was in 2.9.0")
    scope = dict(vars(dateutil.rrule), weeks_in=weeks_in)
    exec(compile(corrected, dateutil.rrule.__file__, "exec"), scope)
    dateutil.rrule._iterinfo.rebuild = scope["rebuild"]


correct_previous_year_weeks()

HORIZON_YEARS = 10
HORIZON = timedelta(days=366 * HORIZON_YEARS)
SLACK = timedelta(hours=3)  # larger than any offset change in the zones compared
MAX_INSTANCES = 300_000
CASE_SECONDS = 2  # dateutil scans to year 9999 for rules that never match: a verdict of its own
# CPU seconds, not wall-clock ones: on a loaded machine the same case must get the same verdict.


class Timeout(Exception):
    pass


def on_alarm(*_):
    raise Timeout()


def instant(wall, zone):
    return int(wall.replace(tzinfo=zone, fold=0).timestamp())


def wall_of(epoch, zone):
    return datetime.fromtimestamp(epoch, tz=zone).replace(tzinfo=None)


WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def first_week_start(year, wkst):
    jan1 = date(year, 1, 1)
    start = jan1 - timedelta(days=(jan1.weekday() - wkst) % 7)
    return start if (jan1 - start).days <= 3 else start + timedelta(days=7)


def week_number(day, wkst):
    """(week, weeks in that week-numbering year) with weeks starting on wkst (RFC 5545 §3.3.10)."""
    if wkst == 0:
        year, week, _ = day.isocalendar()
        weeks = date(year, 12, 28).isocalendar()[1]
        return week, weeks
    year = day.year + 1
    while first_week_start(year, wkst) > day:
        year -= 1
    start = first_week_start(year, wkst)
    weeks = (first_week_start(year + 1, wkst) - start).days // 7
    return (day - start).days // 7 + 1, weeks


def in_weeks(wall, byweekno, wkst):
    week, weeks = week_number(wall.date(), wkst)
    return any((w if w > 0 else weeks + w + 1) == week for w in byweekno)


def read_until(value, zone):
    """UNTIL as epoch seconds, each form read independently of Nudge's normalization."""
    if value.endswith("Z"):
        return int(datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc).timestamp())
    if "T" in value:
        return instant(datetime.strptime(value, "%Y%m%dT%H%M%S"), zone)
    next_day = datetime.strptime(value, "%Y%m%d") + timedelta(days=1)
    return instant(next_day, zone) - 1


def occurrences(case):
    zone = ZoneInfo(case["zone"])
    start = case["start"]
    want = case["count"]
    parts = []
    until = None
    count = None
    for part in case["rule"].split(";"):
        key, value = part.split("=")
        if key == "UNTIL":
            until = read_until(value, zone)
        elif key == "COUNT":
            count = int(value)
        else:
            parts.append(part)
    if count is not None:
        want = min(want, count)
    start_wall = wall_of(start, zone)
    expand_from = start_wall
    keys = {p.split("=")[0]: p.split("=")[1] for p in parts}
    if keys.get("FREQ") == "WEEKLY" and "BYSETPOS" in keys and "BYDAY" in keys:
        wkst = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"].index(keys.get("WKST", "MO"))
        expand_from = start_wall - timedelta(days=(start_wall.weekday() - wkst) % 7)
    rule = rrulestr("RRULE:" + ";".join(parts), dtstart=expand_from)
    byweekno = [int(w) for w in keys["BYWEEKNO"].split(",")] if "BYWEEKNO" in keys else None
    wkst_index = WEEKDAYS.index(keys.get("WKST", "MO"))
    found = set()
    result = [start]
    if want <= 1:
        return result, "full"
    until_wall = wall_of(until, zone) + SLACK if until is not None else None
    seen = 0
    known = -1
    last_wall = None
    horizon_wall = start_wall + HORIZON + SLACK
    ended = "horizon"  # dateutil ran out of instances (year 9999)
    for wall in rule:
        seen += 1
        if seen > MAX_INSTANCES:
            raise RuntimeError("too many instances")
        if until_wall is not None and wall > until_wall:
            ended = "until"
            break
        at = instant(wall, zone)
        if byweekno and not in_weeks(wall, byweekno, wkst_index):
            continue
        if at > start and (until is None or at <= until):
            found.add(at)
        if len(found) != known:
            known = len(found)
            ordered = sorted(found)
            last = ordered[want - 2] if known >= want - 1 else None
            horizon_wall = wall_of(ordered[-1] if ordered else start, zone) + HORIZON + SLACK
            last_wall = wall_of(last, zone) + SLACK if last is not None else None
        if last_wall is not None and wall > last_wall:
            break
        if wall > horizon_wall:
            ended = "horizon"
            break
    for at in sorted(found):
        if len(result) >= want:
            break
        if datetime.fromtimestamp(at, tz=timezone.utc) - datetime.fromtimestamp(result[-1], tz=timezone.utc) > HORIZON:
            return result, "horizon"
        result.append(at)
    return result, "full" if len(result) >= want else ended


def transitions(zone_name, first_year, last_year):
    """Every offset change in [first_year, last_year], found hourly and bisected to the second."""
    zone = ZoneInfo(zone_name)
    offset = lambda t: int(datetime.fromtimestamp(t, tz=zone).utcoffset().total_seconds())
    t = int(datetime(first_year, 1, 1, tzinfo=timezone.utc).timestamp())
    end = int(datetime(last_year + 1, 1, 1, tzinfo=timezone.utc).timestamp())
    found = []
    before = offset(t)
    while t < end:
        nxt = min(t + 3600, end)
        after = offset(nxt)
        if after != before:
            lo, hi = t, nxt
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if offset(mid) == before:
                    lo = mid
                else:
                    hi = mid
            found.append([hi, after])
            before = after
        t = nxt
    return found


def main():
    request = json.load(sys.stdin)
    results = {}
    signal.signal(signal.SIGVTALRM, on_alarm)
    for case in request.get("cases", []):
        try:
            signal.setitimer(signal.ITIMER_VIRTUAL, CASE_SECONDS)
            listed, ended = occurrences(case)
            results[case["id"]] = {"occurrences": listed, "ended": ended}
        except Timeout:
            results[case["id"]] = {"timeout": f"no answer within {CASE_SECONDS} s of CPU"}
        except Exception as error:  # dateutil refuses some rules (an empty BYxxx set): a verdict too
            results[case["id"]] = {"error": f"{type(error).__name__}: {error}"}
        finally:
            signal.setitimer(signal.ITIMER_VIRTUAL, 0)
    spec = request.get("transitions")
    zones = {}
    if spec:
        for name in spec["zones"]:
            zones[name] = [t for a, b in spec["years"] for t in transitions(name, a, b)]
    json.dump({"results": results, "transitions": zones}, sys.stdout)


if __name__ == "__main__":
    main()
