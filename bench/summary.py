"""The summary table of docs/benchmarks.md from bench/run.py's JSON reports: every
request and role with both engines side by side (median ms, plain FAB ÷ daiban), then
the load figures, then each target with what was measured.

    python bench/summary.py docs/bench/sqlite-1000000.json docs/bench/postgresql-1000000.json"""

import json
import sys

LIST_PAGES = ("list page", "list filtered", "list sorted")


def _fmt(value) -> str:
    return "—" if value is None else f"{value:,.1f}".rstrip("0").rstrip(".")


def _cell(row) -> str:
    if row is None:
        return "—"
    text = _fmt(row["daiban"]["median_ms"])
    return text + (f" ({row['ratio']}×)" if row.get("ratio") is not None else "")


def summary(reports: list[dict]) -> str:
    engines = [r["engine"] for r in reports]
    by_engine = {r["engine"]: {(p["request"], p["role"]): p for p in r["pages"]}
                 for r in reports}
    keys = list(dict.fromkeys(k for r in reports for k in by_engine[r["engine"]]))
    first = by_engine[engines[0]]
    lines = ["| request | role | " + " | ".join(f"{e} median ms (plain ÷ daiban)"
                                               for e in engines) + " | SQL | KB |",
             "| --- | --- | " + " | ".join("---:" for _ in engines) + " | ---: | ---: |"]
    for key in keys:
        row = first.get(key) or next(by_engine[e][key] for e in engines if key in by_engine[e])
        cells = " | ".join(_cell(by_engine[e].get(key)) for e in engines)
        lines.append(f"| {key[0]} | {key[1]} | {cells} | {row['daiban']['sql']} | "
                     f"{row['daiban']['kb']} |")
    lines += ["", "| under load, list pages (" + ", ".join(engines) + ") | "
              + " | ".join(engines) + " |", "| --- | " + " | ".join("---:" for _ in engines)
              + " |"]
    for label, get in (
            ("daiban pages/s", lambda r: r["load"]["daiban"]["per_second"]),
            ("plain FAB pages/s", lambda r: r["load"]["plain"]["per_second"]),
            ("daiban p50 / p95 ms", lambda r: f"{_fmt(r['load']['daiban']['p50_ms'])} / "
                                              f"{_fmt(r['load']['daiban']['p95_ms'])}"),
            ("errors (daiban, plain)", lambda r: f"{r['load']['daiban']['errors']}, "
                                                 f"{r['load']['plain']['errors']}"),
            ("daiban worker RSS after the load, MB",
             lambda r: max(r["load"]["daiban"]["worker_rss_mb_after"] or [0])),
            ("two servers behind the proxy: pages/s, errors",
             lambda r: f"{r['two_servers']['per_second']}, {r['two_servers']['errors']}"
             if r.get("two_servers") else "—"),
            ("two servers: same answers",
             lambda r: all(r["two_servers"]["same_answers"].values())
             if r.get("two_servers") else "—"),
            ("load average start → end",
             lambda r: f"{r['machine']['load_avg_start'][0]:.1f} → "
                       f"{r['machine']['load_avg_end'][0]:.1f}"),
    ):
        lines.append(f"| {label} | " + " | ".join(str(get(r)) for r in reports) + " |")
    return "\n".join(lines) + "\n"


def _range(values) -> str:
    values = [v for v in values if v is not None]
    return "—" if not values else f"{_fmt(min(values))}–{_fmt(max(values))}"


def targets(reports: list[dict]) -> str:
    """Each target of issue 13 with the measured range over both engines and every role."""
    pages = [p for r in reports for p in r["pages"]]

    def medians(prefixes):
        return [p["daiban"]["median_ms"] for p in pages if p["request"].startswith(prefixes)]

    def ratios(prefixes):
        return [p.get("ratio") for p in pages if p["request"].startswith(prefixes)]

    rows = [
        ("list pages ≤ 50 ms median", _range(medians(LIST_PAGES)), max(medians(LIST_PAGES))
         <= 50),
        ("list pages ≥ 5× plain FAB", _range(ratios(LIST_PAGES)),
         min(r for r in ratios(LIST_PAGES) if r) >= 5),
        ("search ≤ 150 ms median", _range(medians(("search",))),
         max(medians(("search",))) <= 150),
        ("case page ≤ 50 ms", _range(medians(("case page",))),
         max(medians(("case page",))) <= 50),
        ("landing page and inboxes ≤ 50 ms",
         _range(medians(("landing", "approvals", "transfer inbox"))),
         max(medians(("landing", "approvals", "transfer inbox"))) <= 50),
        ("cockpit page ≤ 200 ms", _range(medians(("cockpit page",))),
         max(medians(("cockpit page",))) <= 200),
        ("export of 10,000 rows ≤ 2 s", _range(medians(("CSV export",))),
         max(medians(("CSV export",))) <= 2000),
        ("≥ 80 list pages/s, zero errors",
         _range([r["load"]["daiban"]["per_second"] for r in reports]) + " pages/s, "
         + str(sum(r["load"]["daiban"]["errors"] for r in reports)) + " errors",
         min(r["load"]["daiban"]["per_second"] for r in reports) >= 80
         and not any(r["load"]["daiban"]["errors"] for r in reports)),
        ("worker memory ≤ 200 MB",
         _range([max(r["load"]["daiban"]["worker_rss_mb_after"] or [0]) for r in reports])
         + " MB", max(max(r["load"]["daiban"]["worker_rss_mb_after"] or [0])
                      for r in reports) <= 200),
    ]
    lines = ["| target (both engines, every role) | measured | |", "| --- | --- | --- |"]
    for name, measured, met in rows:
        lines.append(f"| {name} | {measured} | {'met' if met else '**missed**'} |")
    return "\n".join(lines) + "\n"


def main():
    reports = [json.load(open(path, encoding="utf-8")) for path in sys.argv[1:]]
    print(summary(reports))
    print(targets(reports))


if __name__ == "__main__":
    main()
