"""Route optimizer benchmarks: Solomon VRPTW against best-known solutions, and Rayon-sized plans.

Solomon (``--suite solomon``): each instance is read with ``vrplib`` into Rayon's own problem
model (25 identical vehicles, capacity, time windows, service times) with the DIMACS
convention: coordinates and times scaled by 10, arc length = floor(10 x Euclidean distance),
so cost / 10 is comparable to the distance-only BKS in ``solomon_bks.csv``. Three solvers run
at each time limit, on the same machine in the same run:

* ``ortools``: ``server.routing.solve(..., engine="ortools")``, OR-Tools alone;
* ``rayon``: ``engine="auto"``: PyVRP for 80 % of the time, then OR-Tools warm-started from
  PyVRP's plan for the rest, keeping the cheaper plan (what Rayon uses for such problems);
* ``pyvrp``: PyVRP straight from PyPI on the ``.vrp`` file (``round_func="dimacs"``), the
  reference, its routes timed and checked by Rayon's checker like the others.

Every plan goes through ``server.routing.check_solution`` (each customer once, capacity, time
windows, shift/route duration). Two solver runs go in parallel (``--jobs 2``, one per core).

Rayon-sized (``--suite rayon``): one rep-day of 30 stops (opening hours, lunch break) and a
week for 10 reps x 5 days x 800 accounts with visit frequencies; medians over ``--runs``.

Results: ``benchmarks/results/routing-solomon.json`` (merged across runs by instance, solver
and time limit), ``benchmarks/results/routing-rayon.json``, and the "## Route optimizer"
section of BENCHMARKS.md.

    .venv/bin/python benchmarks/routing.py --suite solomon --instances C101,R101 --time-limits 10,60
    .venv/bin/python benchmarks/routing.py --suite solomon --instances all --time-limits 10,60   # ~2.3 h
    .venv/bin/python benchmarks/routing.py --suite rayon --runs 3
    .venv/bin/python benchmarks/routing.py --report        # rewrite BENCHMARKS.md from the JSON files
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import multiprocessing
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.routing import (  # noqa: E402
    Account,
    Break,
    Location,
    Matrix,
    Options,
    Problem,
    Rep,
    Solution,
    Stop,
    TimeWindow,
    Vehicle,
    check_solution,
    hhmm,
    plan_period,
    solve,
)
from server.routing.schedule import schedule_route  # noqa: E402

SHARED = ROOT.parent / "shared" / "benchmarks" / "routing"
RESULTS = ROOT / "benchmarks" / "results"
SOLOMON_JSON = RESULTS / "routing-solomon.json"
RAYON_JSON = RESULTS / "routing-rayon.json"
SUBSET = ["C101", "C201", "R101", "R201", "RC101", "RC201", "C105", "C205", "R109", "R208", "RC105", "RC206"]
SOLVERS = ("ortools", "rayon", "pyvrp")


# --- Solomon ------------------------------------------------------------------------------------


class EuclidTenths:
    """Matrix provider for planar instances: floor(10 x Euclidean), Location.lon = x, .lat = y."""

    def matrix(self, points):
        pts = list(points)
        rows = [[int(math.floor(10 * math.hypot(a.lon - b.lon, a.lat - b.lat))) for b in pts] for a in pts]
        return Matrix(pts, rows, [list(r) for r in rows], source="euclid x10 truncated")


def read_solomon(name: str) -> tuple[Problem, Matrix]:
    import vrplib

    inst = vrplib.read_instance(str(SHARED / "solomon" / "vrplib" / f"{name}.vrp"))
    coords, windows, demand = inst["node_coord"], inst["time_window"], inst["demand"]
    service = inst["service_time"]
    service = [int(service)] * len(coords) if not hasattr(service, "__len__") else [int(s) for s in service]
    depot = Location(float(coords[0][1]), float(coords[0][0]))
    shift = TimeWindow(int(windows[0][0]) * 10, int(windows[0][1]) * 10)
    vehicles = tuple(
        Vehicle(f"v{k}", depot, shift, capacity=int(inst["capacity"])) for k in range(int(inst.get("vehicles", 25)))
    )
    stops = tuple(
        Stop(
            str(i),
            Location(float(coords[i][1]), float(coords[i][0])),
            service=service[i] * 10,
            windows=(TimeWindow(int(windows[i][0]) * 10, int(windows[i][1]) * 10),),
            demand=int(demand[i]),
        )
        for i in range(1, len(coords))
    )
    problem = Problem(vehicles, stops)
    return problem, EuclidTenths().matrix(problem.locations())


def solomon_bks() -> dict[str, dict]:
    with open(SHARED / "solomon" / "solomon_bks.csv", newline="") as f:
        return {row["instance"]: row for row in csv.DictReader(f)}


def _pyvrp_direct(name: str, problem: Problem, matrix: Matrix, limit: float) -> tuple[Solution, float]:
    import pyvrp
    from pyvrp.stop import MaxRuntime

    from server.routing.result import Dropped

    data = pyvrp.read(str(SHARED / "solomon" / "vrplib" / f"{name}.vrp"), round_func="dimacs")
    began = time.perf_counter()
    result = pyvrp.solve(data, stop=MaxRuntime(limit), seed=0, collect_stats=False)
    seconds = time.perf_counter() - began
    routes, used = [], set()
    for k, route in enumerate(result.best.routes()):
        order = [problem.stops[a.idx] for a in route if a.is_client()]
        timed = schedule_route(problem.vehicles[k], order, matrix)
        if timed is None:  # count it, the checker will flag the stops as missing
            continue
        routes.append(timed)
        used.update(s.id for s in order)
    dropped = [Dropped(s.id, "not in PyVRP's plan", True) for s in problem.stops if s.id not in used]
    return Solution(routes, dropped, "pyvrp (direct)", 0), seconds


def run_solomon_task(task: tuple[str, str, float]) -> dict:
    name, solver, limit = task
    problem, matrix = read_solomon(name)
    began = time.perf_counter()
    if solver == "pyvrp":
        solution, _ = _pyvrp_direct(name, problem, matrix, limit)
    else:
        engine = "ortools" if solver == "ortools" else "auto"
        solution = solve(problem, Options(time_limit=limit, engine=engine, objective="distance"), matrix=matrix)
    seconds = time.perf_counter() - began
    errors = check_solution(problem, solution, matrix)
    return {
        "instance": name,
        "solver": solver,
        "time_limit": limit,
        "seconds": round(seconds, 2),
        "distance": solution.travel_distance / 10,
        "vehicles": solution.vehicles_used,
        "feasible": not errors,
        "errors": errors[:5],
        "engine": solution.engine,
        "candidates": {k: v / 10 for k, v in solution.stats.get("candidates", {}).items()},
        "load_average": round(os.getloadavg()[0], 1),  # other work on the machine slows time-limited runs
    }


def bench_solomon(instances: list[str], limits: list[float], solvers: list[str], jobs: int) -> None:
    if not (SHARED / "solomon").exists():
        sys.exit(f"{SHARED} is missing: the benchmark instances live in ../shared beside the repository")
    bks = solomon_bks()
    tasks = [
        (name, solver, limit) for limit in sorted(limits, reverse=True) for name in instances for solver in solvers
    ]
    previous = json.loads(SOLOMON_JSON.read_text()) if SOLOMON_JSON.exists() else {"runs": []}
    keep = {(r["instance"], r["solver"], r["time_limit"]): r for r in previous["runs"]}
    print(f"{len(tasks)} runs, {jobs} at a time, about {sum(t[2] for t in tasks) / jobs / 60:.0f} min", flush=True)
    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        for row in pool.imap_unordered(run_solomon_task, tasks):
            best = float(bks[row["instance"]]["dimacs_bks_distance"])
            row["bks"] = best
            row["gap_pct"] = round(100 * (row["distance"] - best) / best, 3)
            keep[(row["instance"], row["solver"], row["time_limit"])] = row
            flag = "ok" if row["feasible"] else "INFEASIBLE"
            print(
                f"{row['instance']:6} {row['solver']:8} {row['time_limit']:>4.0f}s  {row['distance']:9.1f}"
                f"  gap {row['gap_pct']:6.2f}%  veh {row['vehicles']:2}  {flag}",
                flush=True,
            )
            RESULTS.mkdir(parents=True, exist_ok=True)
            SOLOMON_JSON.write_text(json.dumps({"machine": _machine(), "runs": list(keep.values())}, indent=1) + "\n")


# --- Rayon-sized cases -------------------------------------------------------------------------------

MUNICH = (48.137, 11.575)


def _around(rng: random.Random, center: tuple[float, float], km: float) -> Location:
    r, a = km * math.sqrt(rng.random()), rng.random() * 2 * math.pi
    return Location(
        center[0] + r * math.cos(a) / 111.2, center[1] + r * math.sin(a) / (111.2 * math.cos(math.radians(48)))
    )


def rep_day(seed: int) -> Problem:
    """One rep, 30 shops around Munich, most with opening hours (some with a lunch closure)."""
    rng = random.Random(seed)
    lunch = Break(hhmm("11:30"), hhmm("14:00"), 1800, 2700)
    rep = Vehicle("rep", _around(rng, MUNICH, 8), TimeWindow(hhmm("07:30"), hhmm("18:30")), breaks=(lunch,))
    stops = []
    for i in range(30):
        service = rng.choice([900, 1200, 1200, 1800])
        kind = rng.random()
        if kind < 0.5:
            windows = (TimeWindow(hhmm("08:00"), hhmm("20:00") - service),)
        elif kind < 0.8:
            windows = (
                TimeWindow(hhmm("09:00"), hhmm("12:30") - service),
                TimeWindow(hhmm("14:00"), hhmm("18:30") - service),
            )
        else:
            windows = ()
        stops.append(
            Stop(f"s{i}", _around(rng, MUNICH, 15), service, windows, required=False, priority=rng.choice([1, 1, 2, 3]))
        )
    return Problem((rep,), tuple(stops))


def week_case(seed: int) -> tuple[list[Rep], list[Account], list[dt.date]]:
    """10 reps, 800 accounts in a 60 km radius around Munich: 20 % weekly, 30 % every 2 weeks, 50 % every 4."""
    rng = random.Random(seed)
    monday = dt.date(2026, 3, 2)
    days = [monday + dt.timedelta(d) for d in range(5)]
    reps = [
        Rep(
            f"rep{k}",
            _around(rng, MUNICH, 45),
            TimeWindow(hhmm("08:00"), hhmm("17:30")),
            breaks=(Break(hhmm("11:30"), hhmm("14:00"), 1800),),
        )
        for k in range(10)
    ]
    hours = ["Mo-Fr 08:00-20:00", "Mo-Fr 09:00-12:30,14:00-18:30", "Mo-Sa 07:00-21:00", None, "Tu-Fr 09:00-18:00"]
    accounts = []
    for i in range(800):
        freq = rng.choices([1, 2, 4], weights=[20, 30, 50])[0]
        accounts.append(
            Account(
                f"a{i}",
                _around(rng, MUNICH, 60),
                service=rng.choice([900, 1200, 1800]),
                frequency_weeks=freq,
                priority={1: 3, 2: 2, 4: 1}[freq],
                opening_hours=rng.choice(hours),
            )
        )
    return reps, accounts, days


def bench_rayon(runs: int) -> None:
    out: dict = {"machine": _machine(), "date": dt.date.today().isoformat()}
    times, served = [], []
    for seed in range(max(runs, 5)):
        problem = rep_day(seed)
        began = time.perf_counter()
        solution = solve(problem, Options(time_limit=1.5))
        times.append(time.perf_counter() - began)
        served.append(sum(len(r.visits) for r in solution.routes))
        assert not check_solution(problem, solution, GreatCircle().matrix(problem.locations())), "rep-day infeasible"
    out["rep_day_30"] = {
        "runs": len(times),
        "median_seconds": round(statistics.median(times), 3),
        "max_seconds": round(max(times), 3),
        "median_served": statistics.median(served),
        "engine": solution.engine,
    }
    print("rep-day:", out["rep_day_30"], flush=True)
    week = []
    for seed in range(runs):
        reps, accounts, days = week_case(seed)
        began = time.perf_counter()
        plan = plan_period(reps, accounts, days, time_limit=100)
        seconds = time.perf_counter() - began
        week.append({"seconds": round(seconds, 1), **plan.summary(), "infeasible_rep_days": _check_week(plan)})
        print("week:", week[-1], flush=True)
    out["week_10x5x800"] = {
        "runs": week,
        "median_seconds": round(statistics.median(w["seconds"] for w in week), 1),
    }
    out["load_average_at_end"] = round(os.getloadavg()[0], 1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    RAYON_JSON.write_text(json.dumps(out, indent=1) + "\n")


def _check_week(plan) -> int:
    """Rep-days of a period plan that fail the independent checker (expected: 0)."""
    provider, bad = GreatCircle(), 0
    for key, route in plan.routes.items():
        problem = plan.problems[key]
        bad += bool(check_solution(problem, Solution([route], [], "plan", 0), provider.matrix(problem.locations())))
    return bad


def GreatCircle():  # noqa: N802 (reads like the class it returns)
    from server.routing import GreatCircleProvider

    return GreatCircleProvider()


# --- report -------------------------------------------------------------------------------------------


def _machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def write_markdown() -> None:
    runs = json.loads(SOLOMON_JSON.read_text())["runs"] if SOLOMON_JSON.exists() else []
    rayon = json.loads(RAYON_JSON.read_text()) if RAYON_JSON.exists() else None
    limits = sorted({r["time_limit"] for r in runs})
    names = sorted({r["instance"] for r in runs}, key=lambda n: (n.rstrip("0123456789"), n))
    by = {(r["instance"], r["solver"], r["time_limit"]): r for r in runs}
    lines = [
        "## Route optimizer",
        "",
        "Measured by `benchmarks/routing.py` (see its docstring). Solomon VRPTW, 100 customers, distance-only",
        "objective with the DIMACS convention (arcs truncated to 0.1), gap to the best-known distance in",
        "`shared/benchmarks/routing/solomon/solomon_bks.csv`. Solvers: **ortools** = Rayon's OR-Tools engine alone",
        '(parallel cheapest insertion + guided local search); **rayon** = Rayon\'s default `engine="auto"`',
        "(PyVRP for 80 % of the limit, then OR-Tools warm-started from that plan, best plan kept; the `engine`",
        "column of the JSON says whose plan won); **pyvrp** = PyVRP 0.14 from PyPI run directly on the file,",
        "as the reference. Every plan was checked by Rayon's independent checker (`server/routing/check.py`).",
        "Two runs in parallel, one per core of the 2-core machine.",
        "",
    ]
    if runs:
        head = "| instance | BKS |" + "".join(f" {s} {t:.0f} s |" for t in limits for s in SOLVERS)
        lines += [head, "|---|---|" + "---|" * (len(limits) * len(SOLVERS))]
        for n in names:
            row = f"| {n} | {by_bks(runs, n):.1f} |"
            for t in limits:
                for s in SOLVERS:
                    r = by.get((n, s, t))
                    row += (
                        " – |"
                        if r is None
                        else f" {r['gap_pct']:+.2f} % ({r['vehicles']} v){'' if r['feasible'] else ' **infeasible**'} |"
                    )
            lines.append(row)
        avg = "| **average** | |"
        feas = "| **feasible** | |"
        for t in limits:
            for s in SOLVERS:
                rs = [by[(n, s, t)] for n in names if (n, s, t) in by]
                avg += f" **{statistics.mean(r['gap_pct'] for r in rs):+.2f} %** |" if rs else " – |"
                feas += f" {sum(r['feasible'] for r in rs)}/{len(rs)} |" if rs else " – |"
        lines += [avg, feas, ""]
        for t in limits:
            won = [by[(n, "rayon", t)]["engine"] for n in names if (n, "rayon", t) in by]
            if won:
                lines.append(
                    f"At {t:.0f} s, rayon's plan was PyVRP's own in {won.count('pyvrp')} of {len(won)} instances and"
                    f" OR-Tools' improvement of it (warm start) in {won.count('ortools')}."
                )
        for t in limits:
            over = [
                (n, by[(n, "rayon", t)]["gap_pct"], by.get((n, "pyvrp", t), {}).get("gap_pct"))
                for n in names
                if (n, "rayon", t) in by and by[(n, "rayon", t)]["gap_pct"] > 1.0
            ]
            count = sum((n, "rayon", t) in by for n in names)
            if count:
                detail = ", ".join(
                    f"{n} {g:+.2f} %" + (f" (pyvrp {pg:+.2f} %)" if pg is not None else "") for n, g, pg in over
                )
                lines.append(
                    f"At {t:.0f} s, rayon is within 1 % of the best-known distance on {count - len(over)} of {count}"
                    f" instances{': over it ' + detail if over else ''}."
                )
        loads = [r["load_average"] for r in runs if "load_average" in r]
        if loads:
            lines.append(
                f"Load average when runs ended: median {statistics.median(loads):.1f}, max {max(loads):.1f} (2 cores;"
                " above 2 means other work competed with the solvers, which then ran on less than a core: their"
                " gaps are upper bounds of what a quiet machine gives)."
            )
        lines.append("")
        lines += [
            f"Instances: {len(names)} ({', '.join(names)}); each solver and time limit ran on"
            f" {', '.join(str(sum((n, 'rayon', t) in by for n in names)) + f' at {t:.0f} s' for t in limits)}.",
            "C1: clustered, short horizon; C2: clustered, long horizon; R: random; RC: mixed.",
            "Full set: `.venv/bin/python benchmarks/routing.py --suite solomon --instances all --time-limits 10,60`"
            " (56 x 70 s x 3 solvers / 2 cores = about 1.9 h; results merge into the JSON by instance, solver and"
            " time limit, so the set may be completed over several runs).",
            "",
        ]
    if rayon:
        day, week = rayon.get("rep_day_30"), rayon.get("week_10x5x800")
        lines += ["| Rayon-sized case | median | detail |", "|---|---|---|"]
        if day:
            lines.append(
                f"| one rep-day, 30 stops, opening hours + lunch break (time limit 1.5 s) | {day['median_seconds']} s |"
                f" max {day['max_seconds']} s over {day['runs']} runs; median {day['median_served']} stops served;"
                f" engine {day['engine']} |"
            )
        if week:
            last = week["runs"][-1]
            detail = ", ".join(f"{k} {v}" for k, v in last.items() if k != "seconds")
            lines.append(
                f"| week: 10 reps x 5 days x 800 accounts, frequencies 1/2/4 weeks | {week['median_seconds']} s |"
                f" {len(week['runs'])} runs; last run: {detail} |"
            )
        lines.append("")
    section = "\n".join(lines) + "\n"
    path = ROOT / "BENCHMARKS.md"
    text = (
        path.read_text() if path.exists() else "# Benchmarks\n\nFigures measured by the scripts in `benchmarks/`.\n\n"
    )
    marker = "## Route optimizer"
    if marker in text:
        start = text.index(marker)
        end = text.find("\n## ", start + len(marker))
        text = text[:start] + section + (text[end + 1 :] if end != -1 else "")
    else:
        text = text.rstrip() + "\n\n" + section
    path.write_text(text)


def by_bks(runs: list[dict], name: str) -> float:
    return next(r["bks"] for r in runs if r["instance"] == name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", default="solomon,rayon", help="solomon, rayon or both")
    parser.add_argument("--instances", default=",".join(SUBSET), help="comma-separated names, or 'all'")
    parser.add_argument("--time-limits", default="10,60", help="seconds per instance, comma-separated")
    parser.add_argument("--solvers", default=",".join(SOLVERS))
    parser.add_argument("--jobs", type=int, default=2, help="runs in parallel (one per core)")
    parser.add_argument("--runs", type=int, default=3, help="repetitions of the Rayon-sized week")
    parser.add_argument("--report", action="store_true", help="only rewrite BENCHMARKS.md from the JSON files")
    args = parser.parse_args()
    if not args.report:
        suites = args.suite.split(",")
        if "solomon" in suites:
            if not SHARED.exists():
                sys.exit(f"{SHARED} is missing: the benchmark instances live in ../shared beside the repository")
            names = (
                sorted(p.stem for p in (SHARED / "solomon" / "vrplib").glob("*.vrp"))
                if args.instances == "all"
                else args.instances.split(",")
            )
            limits = [float(x) for x in args.time_limits.split(",")]
            bench_solomon(names, limits, args.solvers.split(","), args.jobs)
        if "rayon" in suites:
            bench_rayon(args.runs)
    write_markdown()


if __name__ == "__main__":
    main()
