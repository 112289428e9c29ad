"""`flask` commands for the migration tests, on a database of their own: one process
per database, started at the first command and kept for the next ones (FAB's AppBuilder
is one per process, so the test process cannot build a second app; starting one costs
~4 s of imports and view registration, which ten commands a test used to pay ten
times). ``flask(url, "db", "upgrade")`` runs the command in the database's process as
`flask --app app db upgrade` would with DATABASE_URL=url, and fails the test unless it
succeeds; ``python(url, code)`` runs code there with ``app`` in an app context. The
fixture that made the database calls ``close(url)`` when it drops it.

Run as ``python -m tests.flask_process``, it is that process: it reads one JSON request
a line on stdin and answers each on the stdout it started with."""

import json
import os
import pathlib
import select
import subprocess
import sys
import traceback
from dataclasses import dataclass

ROOT = pathlib.Path(__file__).resolve().parent.parent
TIMEOUT = 300
_PROCESSES: dict[str, subprocess.Popen] = {}


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def _process(url: str) -> subprocess.Popen:
    process = _PROCESSES.get(url)
    if process is None or process.poll() is not None:
        env = {**os.environ, "DATABASE_URL": url,
               "SECRET_KEY": "migration-test-secret-key-0123456789abcdef"}
        process = subprocess.Popen([sys.executable, "-m", "tests.flask_process"], cwd=ROOT,
                                   env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   text=True)
        _PROCESSES[url] = process
    return process


def _ask(url: str, request: dict) -> Result:
    process = _process(url)
    process.stdin.write(json.dumps(request) + "\n")
    process.stdin.flush()
    ready, _, _ = select.select([process.stdout], [], [], TIMEOUT)
    line = process.stdout.readline() if ready else ""
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


def close(url: str) -> None:
    process = _PROCESSES.pop(url, None)
    if process is not None and process.poll() is None:
        process.stdin.close()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class _CurrentStdout:
    """What a library bound as its stdout when imported (alembic's Config does) writes
    to the command's captured output while one runs, else to stderr."""

    def __getattr__(self, name):
        target = sys.stdout if sys.stdout is not self else sys.stderr
        return getattr(target, name)


def _serve() -> None:
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # anything else printed goes to stderr, never into the answers
    sys.stdout = _CurrentStdout()
    from app import create_app

    app = create_app()
    runner = app.test_cli_runner()
    for line in sys.stdin:
        request = json.loads(line)
        if "args" in request:
            result = runner.invoke(args=request["args"])
            stderr = result.stderr
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                stderr += "".join(traceback.format_exception(result.exception))
            answer = Result(result.exit_code, result.stdout, stderr)
        else:
            answer = _run_code(app, request["code"])
        answers.write(json.dumps(vars(answer)) + "\n")


def _run_code(app, code: str) -> Result:
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    returncode = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            with app.app_context():
                exec(code, {"app": app})  # noqa: S102 - the tests' own code
        except Exception:  # noqa: BLE001 - reported to the test
            traceback.print_exc()
            returncode = 1
    return Result(returncode, out.getvalue(), err.getvalue())


if __name__ == "__main__":
    _serve()
