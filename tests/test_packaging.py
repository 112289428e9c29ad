"""The package carries its languages: the wheel holds the compiled catalogs, and an
installed daiban (a fresh virtual environment, nothing from the checkout) serves the
Mongolian login page in Mongolian. A checkout whose catalogs were never compiled
compiles them at start."""

import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile

import pytest

pytestmark = pytest.mark.any_engine  # nothing of the engine under test

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

LOGIN_CHECK = textwrap.dedent("""
    import os, sys, tempfile
    import app
    assert not app.__file__.startswith(sys.argv[1]), app.__file__  # the installed copy
    from app import create_app
    folder = tempfile.mkdtemp()
    flask_app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False,
                            "SECRET_KEY": "packaging-test",
                            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + folder + "/t.db"})
    from flask_migrate import upgrade
    with flask_app.app_context():
        upgrade()  # the packaged migrations
    html = flask_app.test_client().get("/login/?_l_=mn").get_data(as_text=True)
    assert 'lang="mn-Mong"' in html, html[:300]
    assert "Sign In" not in html and "Enter your login" not in html, "English on the page"
    assert "\\u1828\\u1821\\u182a\\u1832\\u1821\\u1837\\u1821\\u182c\\u1826" in html  # Sign In
    print("ok")
""")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    source = tmp_path_factory.mktemp("source") / "daiban"  # a clean tree: no build/, no .mo
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "dist", "*.egg-info", "instance", "test-artifacts",
        "__pycache__", "*.mo", ".pytest_cache", ".ruff_cache", "bench-results", "bulletins"))
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q",
                            "-w", str(out)], capture_output=True, text=True)
    if build.returncode != 0 and any(word in build.stderr for word in (
            "connection", "Connection", "resolve", "No matching distribution")):
        pytest.skip("the build backend could not be fetched: " + build.stderr[-300:])
    assert build.returncode == 0, build.stderr
    (path,) = out.glob("daiban-*.whl")
    return path


def test_the_wheel_holds_the_app_and_compiled_catalogs(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("config.py", "app/__init__.py", "app/templates/daiban/print_base.html",
                 "app/static/vendor/fonts/NotoSansMongolian-Regular.ttf",
                 "migrations/env.py", "translations/mn/LC_MESSAGES/messages.mo",
                 "translations/zh/LC_MESSAGES/messages.mo"):
        assert name in names, name


def test_an_installed_wheel_serves_the_mongolian_login_page(wheel, tmp_path):
    """A fresh venv gets the wheel (its dependencies come from this venv's site-packages
    through a .pth file, so nothing is downloaded) and renders /login/?_l_=mn from a
    folder outside the checkout."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                           "['purelib'])"], capture_output=True, text=True,
                          check=True).stdout.strip()
    with open(os.path.join(site, "deps-from-test-venv.pth"), "w") as fh:
        fh.write(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-deps", str(wheel)], check=True)
    run = subprocess.run([str(python), "-c", LOGIN_CHECK, ROOT], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PYTHONPATH": ""})
    assert run.returncode == 0 and "ok" in run.stdout, run.stdout + run.stderr


def test_a_checkout_without_compiled_catalogs_compiles_them_at_start(tmp_path):
    from app.i18n import compiled_catalogs

    source = tmp_path / "translations"
    shutil.copytree(os.path.join(ROOT, "translations"), source,
                    ignore=shutil.ignore_patterns("*.mo"))
    assert compiled_catalogs(str(source), str(tmp_path / "instance")) == str(source)
    for language in ("zh", "mn"):
        assert (source / language / "LC_MESSAGES" / "messages.mo").stat().st_size > 1000

    read_only = tmp_path / "read-only"
    shutil.copytree(os.path.join(ROOT, "translations"), read_only,
                    ignore=shutil.ignore_patterns("*.mo"))
    for folder, _dirs, _files in os.walk(read_only):
        os.chmod(folder, 0o555)
    try:
        target = compiled_catalogs(str(read_only), str(tmp_path / "instance"))
        if os.access(read_only, os.W_OK):  # root ignores permissions
            assert target == str(read_only)
        else:
            assert target == str(tmp_path / "instance" / "translations")
        assert os.path.isfile(os.path.join(target, "mn", "LC_MESSAGES", "messages.mo"))
    finally:
        for folder, _dirs, _files in os.walk(read_only):
            os.chmod(folder, 0o755)
