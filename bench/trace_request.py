"""Where one request's time goes, in-process (no HTTP, no gunicorn): the median of N
runs, how much of it is SQL (statements and their summed time, the slowest ones), and
optionally a cProfile of one run sorted by cumulative time.

    python bench/trace_request.py --url sqlite:///instance/bench_1m.db --user clerk1 \\
        /caseview/list/ /cockpit/
    python bench/trace_request.py --url postgresql://postgres@127.0.0.1:5432/bench \\
        --user leader --cprofile 25 /caseview/show/123

The database is one bench/run.py seeded (every demo login's password is demo2026)."""

import argparse
import contextvars
import cProfile
import io
import os
import pstats
import re
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from sqlalchemy import event  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--user", default="leader")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--cprofile", type=int, default=0, metavar="LINES",
                        help="print a cProfile of one run, this many lines")
    parser.add_argument("--profile-runs", type=int, default=1, metavar="N",
                        help="the cProfile over this many runs (a flatter, steadier one)")
    parser.add_argument("--sort", default="cumulative",
                        help="the cProfile's order: cumulative, tottime, …")
    parser.add_argument("--slowest", type=int, default=5, help="slowest statements shown")
    parser.add_argument("--width", type=int, default=160, help="characters of each shown")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.url
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-0123456789abcdef0123456789")
    from app import create_app
    from app.extensions import db

    app = create_app({"RATELIMIT_ENABLED": False, "AUTH_RATE_LIMITED": False,
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        engine = db.engine
    timings: list = []

    @event.listens_for(engine, "before_cursor_execute")
    def _start(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_t0"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _stop(conn, cursor, statement, parameters, context, executemany):
        timings.append(((time.perf_counter() - conn.info["bench_t0"]) * 1000, statement))

    client = app.test_client()

    def get(path):
        """One request, its body read while it runs (a streamed export), in a context of
        its own as a server gives it."""
        def run():
            response = client.get(path)
            response.get_data()
            return response
        return contextvars.Context().run(run)
    response = client.post("/login/", data={"username": args.user, "password": "demo2026"})
    if response.status_code != 302:
        raise SystemExit(f"login of {args.user} gave {response.status_code}")
    for path in args.paths:
        get(path)  # warm-up
        totals, sql_ms, sql_n = [], [], []
        for _ in range(args.runs):
            timings.clear()
            started = time.perf_counter()
            response = get(path)
            totals.append((time.perf_counter() - started) * 1000)
            sql_ms.append(sum(t for t, _ in timings))
            sql_n.append(len(timings))
        print(f"{path}  [{response.status_code}, {len(response.data) / 1024:.1f} KB]  "
              f"median {statistics.median(totals):.1f} ms, min {min(totals):.1f} ms, "
              f"SQL {statistics.median(sql_ms):.1f} ms in {sql_n[-1]} statements")
        for ms, statement in sorted(timings, key=lambda x: -x[0])[:args.slowest]:
            one_line = re.sub(r"\s+", " ", statement)[:args.width]
            print(f"    {ms:7.1f} ms  {one_line}")
        if args.cprofile:
            profile = cProfile.Profile()
            for _ in range(args.profile_runs):
                profile.enable()
                get(path)
                profile.disable()
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(
                args.cprofile)
            print(out.getvalue())


if __name__ == "__main__":
    main()
