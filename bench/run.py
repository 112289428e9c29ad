"""daiban's benchmark, one command: seed N cases, serve daiban and a plain
Flask-AppBuilder ModelView over the same tables with gunicorn on 127.0.0.1, time every
page for a banner-wide user and a township clerk (interleaved with the plain view,
warm-up, median and p95, SQL statements and bytes per page), load both with concurrent
logged-in clients, then run two daiban servers behind a loopback proxy (sessions and
rate limits shared through Redis) and check they answer alike.

    python bench/run.py --engine sqlite --cases 100000
    python bench/run.py --engine postgresql --cases 1000000 \\
        --pg-url postgresql://postgres@127.0.0.1:5432/bench
    python bench/run.py --engine both --cases 100000 --reuse   # keep a seeded database

Writes docs/bench/<engine>-<cases>.json and .md (see docs/benchmarks.md)."""

import argparse
import http.cookiejar
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from sqlalchemy import text  # noqa: E402

from bench import seed as seeding  # noqa: E402

PASSWORD = "demo2026"
SECRET = "bench-secret-key-0123456789abcdef0123456789"
# a banner leader (banner-wide), a township clerk (one township), a township's agent
# (the cases they carry: "own records"), a stationed department's staff (its transfers)
ROLES = {"banner": "leader", "clerk": "clerk1", "agent": "agent1", "department": "dept_hrss"}
PLAIN_SLOW_MS = 5_000


# --- HTTP ------------------------------------------------------------------------------
class Client:
    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def get(self, path: str):
        started = time.perf_counter()
        try:
            response = self.opener.open(self.base + path, timeout=120)
            body, status, headers = response.read(), response.status, response.headers
        except urllib.error.HTTPError as error:
            body, status, headers = error.read(), error.code, error.headers
        elapsed = (time.perf_counter() - started) * 1000
        return dict(ms=elapsed, status=status, bytes=len(body), body=body,
                    sql=int(headers.get("X-SQL-Count") or 0),
                    rss_kb=int(headers.get("X-Worker-RSS-KB") or 0),
                    backend=headers.get("X-Backend"))

    def login(self, username: str) -> "Client":
        page = self.get("/login/")["body"].decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        form = {"username": username, "password": PASSWORD}
        if token:
            form["csrf_token"] = token.group(1)
        data = urllib.parse.urlencode(form).encode()
        try:
            response = self.opener.open(self.base + "/login/", data=data, timeout=60)
            status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        if status != 302:
            raise RuntimeError(f"login of {username} at {self.base} gave {status}")
        return self

    def clone(self, base: str | None = None) -> "Client":
        other = Client(base or self.base)
        for cookie in self.jar:
            other.jar.set_cookie(cookie)
        return other


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_302(self, req, fp, code, msg, headers):
        return fp

    http_error_301 = http_error_303 = http_error_307 = http_error_302


# --- servers ---------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, seconds: float = 90):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"nothing listens on {port}")


class Server:
    """gunicorn (or the proxy) in its own process group, stopped by its own pid."""

    def __init__(self, argv, env, port):
        self.port = port
        self.process = subprocess.Popen(argv, cwd=ROOT, env=env, start_new_session=True,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_for(port)

    def worker_rss_mb(self) -> list[float]:
        out = subprocess.run(["ps", "-o", "pid=,rss=", "--ppid", str(self.process.pid)],
                             capture_output=True, text=True).stdout.split()
        return [round(int(rss) / 1024, 1) for rss in out[1::2]]

    def stop(self):
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)


def gunicorn(entry: str, url: str, workers: int, extra_env=None) -> Server:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET, **(extra_env or {})}
    argv = [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "-w", str(workers),
            "-b", f"127.0.0.1:{port}", "--timeout", "300", f"bench.wsgi:{entry}()"]
    return Server(argv, env, port)


# --- measuring -------------------------------------------------------------------------
def stats(samples: list[dict]) -> dict:
    times = sorted(s["ms"] for s in samples)
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return dict(median_ms=round(statistics.median(times), 1), p95_ms=round(p95, 1),
                sql=samples[-1]["sql"], kb=round(samples[-1]["bytes"] / 1024, 1),
                status=sorted({s["status"] for s in samples}))


def scenarios(facts: dict) -> list[tuple[str, str, str | None, tuple[str, ...]]]:
    """(name, daiban path, plain path or None, roles)."""
    deep, village, case = facts["deep_page"], facts["village_id"], facts["case_id"]
    both = ("banner", "clerk")
    q = urllib.parse.quote
    search = {
        "search title, Chinese, common hit": ("title", "草场边界"),
        "search title, Chinese, rare hit": ("title", facts["village_zh"]),
        "search title, Chinese, no hit": ("title", "核电站选址"),
        "search title, Mongolian, hit": ("title", "ᠪᠡᠯᠴᠢᠭᠡᠷ"),
        "search title, Mongolian, no hit": ("title", "ᠲᠡᠮᠦᠷ ᠵᠠᠮ"),
        "search description, Chinese, hit": ("description", "宅基地"),
        "search description, Chinese, no hit": ("description", "核电站选址"),
        "search description, Mongolian, hit": ("description", "ᠬᠠᠷᠢᠭᠤ ᠥᠭᠬᠦ"),
        "search description, Mongolian, no hit": ("description", "ᠲᠡᠮᠦᠷ ᠵᠠᠮ"),
    }
    rows = [
        ("list page 1", "/caseview/list/", "/plaincaseview/list/", (*both, "agent")),
        (f"list page {deep}", f"/caseview/list/?page_CaseView={deep - 1}",
         f"/plaincaseview/list/?page_PlainCaseView={deep - 1}", both),
        ("list filtered by state", "/caseview/list/?_flt_3_state=in_progress",
         "/plaincaseview/list/?_flt_3_state=in_progress", both),
        ("list filtered by place (a village)", f"/caseview/list/?_flt_0_place={village}",
         f"/plaincaseview/list/?_flt_0_place={village}", both),
        ("list sorted by date, oldest first",
         "/caseview/list/?_oc_CaseView=received_on&_od_CaseView=asc",
         "/plaincaseview/list/?_oc_PlainCaseView=received_on&_od_PlainCaseView=asc", both),
    ]
    for name, (column, term) in search.items():
        rows.append((name, f"/caseview/list/?_flt_2_{column}={q(term)}",
                     f"/plaincaseview/list/?_flt_2_{column}={q(term)}", both))
    rows += [
        ("case page with history", f"/caseview/show/{case}", f"/plaincaseview/show/{case}",
         both),
        ("landing page", "/", "/", (*both, "agent", "department")),
        ("approvals inbox", "/escalations/list/", None, both),
        ("transfer inbox (department staff)", "/transfers/list/", None, ("department",)),
        ("cockpit page", "/cockpit/", None, both),
        ("cockpit API", "/api/v1/cockpit/summary", None, both),
        ("CSV export, 10,000 rows", "/caseview/export/?rows=10000", None, both),
    ]
    return rows


def measure_pages(daiban: dict, plain: "Client", facts: dict, warmup: int, runs: int,
                  log) -> list[dict]:
    results = []
    for name, path, plain_path, roles in scenarios(facts):
        samples = {role: [] for role in roles}
        plain_samples = []
        for k in range(warmup + runs):
            for role in roles:
                sample = daiban[role].get(path)
                if k >= warmup:
                    samples[role].append(sample)
            slow = len(plain_samples) >= 3 and statistics.median(
                x["ms"] for x in plain_samples) > PLAIN_SLOW_MS
            if plain_path and not slow:  # a plain search that reads every row: 3 runs do
                sample = plain.get(plain_path)
                if k >= warmup:
                    plain_samples.append(sample)
        plain_stats = stats(plain_samples) if plain_samples else None
        for role in roles:
            row = dict(request=name, role=role, path=path, daiban=stats(samples[role]),
                       plain=plain_stats)
            if plain_stats:
                row["ratio"] = round(plain_stats["median_ms"] / row["daiban"]["median_ms"], 2)
            results.append(row)
            log(f"  {name:42} {role:10} {row['daiban']['median_ms']:8.1f} ms "
                f"p95 {row['daiban']['p95_ms']:8.1f}  sql {row['daiban']['sql']:3}  "
                f"{row['daiban']['kb']:7.1f} KB"
                + (f"   plain {plain_stats['median_ms']:8.1f} ms  ×{row['ratio']}"
                   if plain_stats else ""))
    return results


WRK_SCRIPT = """
local cookies = {%(cookies)s}
local paths = {%(paths)s}
local started = 0
function setup(thread)
  started = started + 1
  thread:set("cookie", cookies[((started - 1) %% #cookies) + 1])
  thread:set("offset", started)
end
local k = 0
function request()
  k = k + 1
  return wrk.format("GET", paths[((k + offset) %% #paths) + 1], {["Cookie"] = cookie})
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %%d, "duration_us": %%d, "errors": %%d, "p50_us": %%d, '
    .. '"p95_us": %%d, "p99_us": %%d, "max_us": %%d}\\n',
    summary.requests, summary.duration,
    e.status + e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def load(clients: list["Client"], paths: list[str], seconds: float) -> dict:
    """Concurrent logged-in clients loading the paths for `seconds`: wrk (a C load
    generator, one connection per client, the clients' session cookies shared out over
    its threads) where it is installed, else Python threads (whose own CPU use then
    limits the rate on a small machine)."""
    if shutil_which("wrk"):
        return load_wrk(clients, paths, seconds)
    return load_threads(clients, paths, seconds)


def load_wrk(clients: list["Client"], paths: list[str], seconds: float) -> dict:
    import tempfile

    cookies, seen = [], set()
    for client in clients:
        header = "; ".join(f"{c.name}={c.value}" for c in client.jar)
        if header not in seen:
            seen.add(header)
            cookies.append(header)
    script = WRK_SCRIPT % dict(cookies=", ".join(json.dumps(c) for c in cookies),
                               paths=", ".join(json.dumps(p) for p in paths))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(script)
    try:
        out = subprocess.run(
            ["wrk", "-t", str(min(len(cookies), len(clients)) or 1), "-c",
             str(len(clients)), "-d", f"{int(seconds)}s", "--timeout", "30s", "-s", fh.name,
             clients[0].base], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(fh.name)
    result = json.loads(out.split("WRK ", 1)[1].splitlines()[0])
    elapsed = result["duration_us"] / 1e6
    return dict(tool="wrk", clients=len(clients), users=len(cookies),
                seconds=round(elapsed, 1), requests=result["requests"],
                per_second=round(result["requests"] / elapsed, 1),
                errors=result["errors"], p50_ms=round(result["p50_us"] / 1000, 1),
                p95_ms=round(result["p95_us"] / 1000, 1),
                p99_ms=round(result["p99_us"] / 1000, 1), backends=None)


def load_threads(clients: list["Client"], paths: list[str], seconds: float) -> dict:
    """Each client loops over the paths for `seconds`; bounded, stops by itself."""
    stop_at = time.time() + seconds
    lock = threading.Lock()
    times, errors, backends, rss = [], [], {}, []

    def run(client, offset):
        k = offset
        while time.time() < stop_at:
            sample = client.get(paths[k % len(paths)])
            k += 1
            with lock:
                times.append(sample["ms"])
                rss.append(sample["rss_kb"])
                if sample["status"] != 200:
                    errors.append(sample["status"])
                if sample["backend"]:
                    backends[sample["backend"]] = backends.get(sample["backend"], 0) + 1

    threads = [threading.Thread(target=run, args=(c, i)) for i, c in enumerate(clients)]
    started = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.time() - started
    times.sort()
    return dict(tool="python threads", clients=len(clients), seconds=round(elapsed, 1),
                requests=len(times),
                per_second=round(len(times) / elapsed, 1), errors=len(errors),
                p50_ms=round(statistics.median(times), 1) if times else None,
                p95_ms=round(times[int(0.95 * (len(times) - 1))], 1) if times else None,
                max_worker_rss_mb=round(max(rss) / 1024, 1) if rss else None,
                backends=backends or None)


def facts_of(url: str) -> dict:
    engine = seeding.engine_for(url)
    with engine.connect() as conn:
        township = conn.scalar(text(
            "SELECT place_id FROM ab_user WHERE username = 'clerk1'"))
        clerk_cases = conn.scalar(text("SELECT count(*) FROM cases WHERE township_id = :t"),
                                  {"t": township})
        total = conn.scalar(text("SELECT count(*) FROM cases"))
        village_id, village_zh = conn.execute(text(
            "SELECT id, name_zh FROM place WHERE parent_id = :t ORDER BY code LIMIT 1"),
            {"t": township}).one()
        case_id = conn.scalar(text(
            "SELECT max(c.id) FROM cases c WHERE c.place_id = :v AND state = 'concluded'"),
            {"v": village_id})
    engine.dispose()
    return dict(clerk_township_id=township, clerk_cases=clerk_cases, total_cases=total,
                clerk_share=round(clerk_cases / total, 3), village_id=village_id,
                village_zh=village_zh.replace("嘎查", ""), case_id=case_id,
                deep_page=max(2, int(0.8 * clerk_cases / 25)))


def ensure_plain_permissions(url: str):
    code = ("from bench.plain import create_plain_app; "
            "create_plain_app(update_perms=True)")
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET}
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def redis_server():
    if not shutil_which("redis-server"):
        return None, None
    port = free_port()
    server = Server(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save",
                     "", "--appendonly", "no"], dict(os.environ), port)
    return server, f"redis://127.0.0.1:{port}/0"


def shutil_which(name):
    import shutil

    return shutil.which(name)


def normalised(body: bytes) -> str:
    page = body.decode("utf-8", "replace")
    page = re.sub(r'(csrf_token|nonce)[^>]*?value="[^"]*"', "", page)
    page = re.sub(r'nonce="[^"]*"', "", page)
    return page


def run_engine(engine: str, args, log) -> dict:
    url = (args.pg_url if engine == "postgresql"
           else "sqlite:///" + os.path.abspath(args.sqlite_path))
    report = dict(engine=engine, cases=args.cases, url=url.split("@")[-1],
                  machine=dict(cores=os.cpu_count(),
                               load_avg_start=os.getloadavg()))
    reuse = False
    if args.reuse:
        try:
            reuse = facts_of(url)["total_cases"] == args.cases
        except Exception:  # noqa: BLE001 - no database yet
            reuse = False
    if not reuse:
        log(f"seeding {args.cases} cases into {engine}")
        report["seed"] = seeding.seed(url, args.cases, log=log)
    facts = facts_of(url)
    report["facts"] = facts
    log(f"facts: {facts}")
    ensure_plain_permissions(url)

    daiban_server = gunicorn("daiban", url, args.workers)
    plain_server = gunicorn("plain", url, args.workers)
    try:
        base, plain_base = (f"http://127.0.0.1:{daiban_server.port}",
                            f"http://127.0.0.1:{plain_server.port}")
        daiban = {role: Client(base).login(user) for role, user in ROLES.items()}
        plain = Client(plain_base).login("admin")
        log(f"pages ({args.runs} runs after {args.warmup} warm-up, interleaved):")
        report["pages"] = measure_pages(daiban, plain, facts, args.warmup, args.runs, log)
        deep = facts["deep_page"] - 1
        list_paths = ["/caseview/list/", f"/caseview/list/?page_CaseView={deep}",
                      "/caseview/list/?_flt_3_state=in_progress",
                      f"/caseview/list/?_flt_0_place={facts['village_id']}",
                      "/caseview/list/?_oc_CaseView=received_on&_od_CaseView=asc"]
        plain_paths = [p.replace("caseview", "plaincaseview").replace("CaseView",
                                                                      "PlainCaseView")
                       for p in list_paths]
        users = [daiban["banner"], daiban["clerk"]]
        clients = [users[i % 2].clone() for i in range(args.clients)]
        plain_clients = [plain.clone() for _ in range(args.clients)]
        log(f"load: {args.clients} clients × {args.load_seconds} s, list pages")
        report["load"] = dict(daiban=load(clients, list_paths, args.load_seconds),
                              plain=load(plain_clients, plain_paths, args.load_seconds))
        report["load"]["daiban"]["worker_rss_mb_after"] = daiban_server.worker_rss_mb()
        report["load"]["plain"]["worker_rss_mb_after"] = plain_server.worker_rss_mb()
        log(f"  daiban {report['load']['daiban']}")
        log(f"  plain  {report['load']['plain']}")
    finally:
        daiban_server.stop()
        plain_server.stop()

    if not args.skip_two_servers:
        report["two_servers"] = two_servers(url, facts, args, log)
    report["machine"]["load_avg_end"] = os.getloadavg()
    return report


def two_servers(url, facts, args, log) -> dict:
    """Two daiban gunicorns on two ports behind a loopback proxy; rate limits in Redis."""
    redis, redis_url = redis_server()
    env = {"RATELIMIT_STORAGE_URI": redis_url} if redis_url else {}
    servers, proxy = [], None
    try:
        servers = [gunicorn("daiban", url, max(1, args.workers // 2) or 1, env)
                   for _ in range(2)]
        port = free_port()
        proxy = Server([sys.executable, os.path.join(ROOT, "bench", "proxy.py"), str(port),
                        *(f"127.0.0.1:{s.port}" for s in servers)], dict(os.environ), port)
        front = f"http://127.0.0.1:{port}"
        users = [Client(front).login("leader"), Client(front).login("clerk1")]
        # the same session on either server, the same answer
        same = {}
        for path in ("/caseview/list/", f"/caseview/show/{facts['case_id']}",
                     "/api/v1/cockpit/summary"):
            for user, role in zip(users, ("banner", "clerk"), strict=True):
                bodies = [normalised(user.clone(f"http://127.0.0.1:{s.port}").get(path)["body"])
                          for s in servers]
                same[f"{role} {path}"] = bodies[0] == bodies[1]
        deep = facts["deep_page"] - 1
        paths = ["/caseview/list/", f"/caseview/list/?page_CaseView={deep}",
                 "/caseview/list/?_flt_3_state=in_progress"]
        clients = [users[i % 2].clone() for i in range(args.clients)]
        # Python clients: they count the answers per backend (the proxy's X-Backend)
        result = load_threads(clients, paths, args.load_seconds)
        result["same_answers"] = same
        result["rate_limit_storage"] = redis_url or "memory:// (no redis-server)"
        result["worker_rss_mb_after"] = [s.worker_rss_mb() for s in servers]
        log(f"two servers behind a proxy: {result}")
        return result
    finally:
        for s in servers:
            s.stop()
        if proxy:
            proxy.stop()
        if redis:
            redis.stop()


# --- reporting -------------------------------------------------------------------------
def markdown(report: dict) -> str:
    lines = [f"### {report['engine']}, {report['cases']:,} cases", ""]
    facts = report["facts"]
    lines.append(f"Township clerk: {facts['clerk_cases']:,} cases in scope "
                 f"({facts['clerk_share']:.1%}); deep page = page {facts['deep_page']}.")
    if report.get("seed"):
        lines.append(f"Seeding: {report['seed']['timings']}.")
    lines += ["", "| request | role | daiban median ms | p95 | SQL | KB | plain FAB median ms "
              "| plain ÷ daiban |", "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in report["pages"]:
        d, p = row["daiban"], row["plain"]
        lines.append(f"| {row['request']} | {row['role']} | {d['median_ms']} | {d['p95_ms']} "
                     f"| {d['sql']} | {d['kb']} | {p['median_ms'] if p else '—'} | "
                     f"{str(row['ratio']) + '×' if p else '—'} |")
    ld = report["load"]
    lines += ["", "| under load (list pages) | clients | pages/s | p50 ms | p95 ms | errors "
              "| worker RSS MB |", "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for name, key in (("daiban", "daiban"), ("plain FAB", "plain")):
        r = ld[key]
        lines.append(f"| {name} | {r['clients']} | {r['per_second']} | {r['p50_ms']} | "
                     f"{r['p95_ms']} | {r['errors']} | {r['worker_rss_mb_after']} |")
    if report.get("two_servers"):
        r = report["two_servers"]
        lines.append(f"| daiban, 2 servers behind a proxy | {r['clients']} | "
                     f"{r['per_second']} | {r['p50_ms']} | {r['p95_ms']} | {r['errors']} | "
                     f"{r['worker_rss_mb_after']} |")
        lines += ["", f"Two servers: same answers {all(r['same_answers'].values())} "
                  f"({len(r['same_answers'])} pages compared), requests per backend "
                  f"{r['backends']}, rate limits in {r['rate_limit_storage']}."]
    lines.append(f"\nLoad average at start / end: {report['machine']['load_avg_start']} / "
                 f"{report['machine']['load_avg_end']}.")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--pg-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench"))
    parser.add_argument("--sqlite-path", default=os.path.join(ROOT, "instance", "bench.db"))
    parser.add_argument("--reuse", action="store_true",
                        help="keep a database that already holds --cases cases")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4,
                        help="gunicorn workers per server (both apps get the same)")
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--load-seconds", type=float, default=60)
    parser.add_argument("--skip-two-servers", action="store_true")
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "bench"))
    args = parser.parse_args()
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    # stopped from outside: leave through the finally blocks that stop the servers
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    os.makedirs(args.out, exist_ok=True)
    for engine in engines:
        report = run_engine(engine, args, lambda m: print(m, flush=True))
        stem = os.path.join(args.out, f"{engine}-{args.cases}")
        with open(stem + ".json", "w", encoding="utf-8") as fh:
            json.dump(report, fh, ensure_ascii=False, indent=1)
        with open(stem + ".md", "w", encoding="utf-8") as fh:
            fh.write(markdown(report))
        print(f"wrote {stem}.json and {stem}.md", flush=True)


if __name__ == "__main__":
    main()
