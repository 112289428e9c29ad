"""`flask` commands for the migration tests, on a database of their own: one process
per database, started at the first command and kept for the next ones (FAB's AppBuilder
is one per process, so the test process cannot build a second app). ``flask(url, "db",
"upgrade")`` runs the command in the database's process as `flask --app app db upgrade`
would with DATABASE_URL=url, and fails the test unless it succeeds; ``python(url,
code)`` runs code there with ``app`` in an app context. The fixture that made the
database calls ``close(url)`` when it drops it.

Starting such a process costs ~2 s, most of it importing Flask-AppBuilder, the app's
views and their libraries; a lane starts about ten. So the first one starts a *zygote*:
a process that imports all that once (never ``config``, which reads the environment, and
never the app itself), then forks a child for each database. The child makes the app
for its DATABASE_URL, as a fresh process would, and answers on two named pipes.

Run as ``python -m tests.flask_process``, it is that zygote: it reads one JSON request a
line on stdin (a database's environment and the pipes to answer on), forks, and answers
the child's pid."""

import itertools
import json
import os
import pathlib
import select
import signal
import subprocess
import sys
import tempfile
import traceback
from dataclasses import dataclass

ROOT = pathlib.Path(__file__).resolve().parent.parent
TIMEOUT = 300
_ZYGOTE: list = []  # [Popen] once started
_PROCESSES: dict[str, "_Child"] = {}
_SCRIPTS = itertools.count()  # each script() its own child
# what a process of the app imports before it makes the app (not ``config``: it reads
# the environment at import, and each child has its own)
PRELOAD = ("app", "app.views", "app.api", "app.api_accounts", "app.api_actions",
           "app.api_exchange", "app.api_resources", "app.api_webhooks", "app.cli",
           "app.cli_cases", "app.cli_i18n", "app.cockpit.cli", "app.cockpit.charts",
           "app.security.manager", "flask_appbuilder.security.sqla.manager",
           "flask_migrate.cli", "flask_sqlalchemy.cli", "alembic.command", "pyecharts.charts",
           "babel.messages.pofile", "babel.messages.mofile")


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class _Child:
    """A forked child of the zygote: its pid, the pipe its requests go into and the one
    its answers come out of."""

    def __init__(self, pid, requests, answers, folder):
        self.pid, self.requests, self.answers, self.folder = pid, requests, answers, folder

    def alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def close(self):
        self.requests.close()  # the child's stdin ends: it exits
        select.select([self.answers], [], [], 30)
        self.answers.read()  # its end of the pipe closes when it has gone
        self.answers.close()
        for name in ("requests", "answers"):
            os.unlink(os.path.join(self.folder, name))
        os.rmdir(self.folder)


def _zygote() -> subprocess.Popen:
    if not _ZYGOTE or _ZYGOTE[0].poll() is not None:
        _ZYGOTE[:] = [subprocess.Popen([sys.executable, "-m", "tests.flask_process"],
                                       cwd=ROOT, stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, text=True)]
    return _ZYGOTE[0]


def _process(url: str, env: dict | None = None) -> _Child:
    child = _PROCESSES.get(url)
    if child is not None and child.alive():
        return child
    folder = tempfile.mkdtemp(prefix="daiban-flask-")
    requests, answers = (os.path.join(folder, name) for name in ("requests", "answers"))
    os.mkfifo(requests)
    os.mkfifo(answers)
    # the environment a new process would start with now (the zygote's is older)
    env = {**os.environ, **({"DATABASE_URL": url,
                             "SECRET_KEY": "migration-test-secret-key-0123456789abcdef"}
                            if env is None else env)}
    zygote = _zygote()
    zygote.stdin.write(json.dumps({"env": env, "requests": requests,
                                   "answers": answers}) + "\n")
    zygote.stdin.flush()
    pid = int(zygote.stdout.readline())
    # the child opens its requests first, then its answers: the same order here
    child = _Child(pid, open(requests, "w"), open(answers), folder)
    _PROCESSES[url] = child
    return child


def _ask(url: str, request: dict, env: dict | None = None) -> Result:
    child = _process(url, env)
    child.requests.write(json.dumps(request) + "\n")
    child.requests.flush()
    ready, _, _ = select.select([child.answers], [], [], TIMEOUT)
    line = child.answers.readline() if ready else ""
    if not line:
        close(url)
        raise AssertionError(f"the flask process gave no answer to {request}")
    return Result(**json.loads(line))


def flask(url: str, *args: str) -> Result:
    """`flask ARGS` on ``url``'s database; the test fails unless it succeeds."""
    result = _ask(url, {"args": list(args)})
    assert result.returncode == 0, f"flask {' '.join(args)} failed:\n{result.output[-3000:]}"
    return result


def python(url: str, code: str) -> Result:
    """``code`` run in ``url``'s process, inside the app's context (``app`` is there)."""
    result = _ask(url, {"code": code})
    assert result.returncode == 0, result.output[-3000:]
    return result


def script(code: str, *argv: str) -> Result:
    """``python -c code ARGV`` in a process of its own (a child of the zygote, so without
    paying for the imports again), as the test's own environment has it; its result."""
    key = f"script {next(_SCRIPTS)}"
    try:
        return _ask(key, {"script": code, "argv": list(argv)}, env={})
    finally:
        close(key)


def close(url: str) -> None:
    child = _PROCESSES.pop(url, None)
    if child is not None:
        child.close()


class _CurrentStdout:
    """What a library bound as its stdout when imported (alembic's Config does) writes
    to the command's captured output while one runs, else to stderr."""

    def __getattr__(self, name):
        target = sys.stdout if sys.stdout is not self else sys.stderr
        return getattr(target, name)


def _serve(requests, answers) -> None:
    """In a child: the app for this process's DATABASE_URL (made at the first command
    that needs it), and its commands."""
    app = None
    for line in requests:
        request = json.loads(line)
        if "script" in request:
            answer = _run_script(request["script"], request["argv"])
        else:
            if app is None:
                from app import create_app

                app = create_app()
            answer = (_run_command(app, request["args"]) if "args" in request
                      else _run_code(app, request["code"]))
        answers.write(json.dumps(vars(answer)) + "\n")


def _run_command(app, args: list[str]) -> Result:
    result = app.test_cli_runner().invoke(args=args)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return Result(result.exit_code, result.stdout, stderr)


def _captured(run) -> Result:
    """``run()`` with its output captured; a SystemExit's code is the return code, an
    exception's traceback goes to its stderr and makes it 1."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    returncode = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            run()
        except SystemExit as exit_:
            returncode = exit_.code if isinstance(exit_.code, int) else 1
        except Exception:  # noqa: BLE001 - reported to the test
            traceback.print_exc()
            returncode = 1
    return Result(returncode, out.getvalue(), err.getvalue())


def _run_code(app, code: str) -> Result:
    def run():
        with app.app_context():
            exec(code, {"app": app})  # noqa: S102 - the tests' own code

    return _captured(run)


def _run_script(code: str, argv: list[str]) -> Result:
    """``python -c code *argv`` as a fresh process runs it: no app made beforehand."""
    sys.argv = ["-c", *argv]
    return _captured(lambda: exec(compile(code, "<script>", "exec"),  # noqa: S102
                                  {"__name__": "__main__"}))


def _child(request) -> None:
    """After the fork: this database's environment, the two pipes, the app."""
    code = 0
    try:
        # the pipes first: the test waits in opening its ends until these are open
        requests = open(request["requests"])
        answers = open(request["answers"], "w", buffering=1)
        os.environ.clear()
        os.environ.update(request["env"])
        _serve(requests, answers)
        answers.close()
    except BaseException:  # noqa: BLE001 - the test sees no answer and says so
        traceback.print_exc()
        code = 1
    finally:
        sys.stderr.flush()
        os._exit(code)


def _zygote_main() -> None:
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # anything else printed goes to stderr, never into the replies
    sys.stdout = _CurrentStdout()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped as they end
    import importlib

    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the child imports it again, and reports
            pass
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            replies.close()
            sys.stdin.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            _child(request)
        replies.write(f"{pid}\n")


if __name__ == "__main__":
    _zygote_main()
