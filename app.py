"""Runs daiban: `python app.py` serves on $PORT (default 5000) with waitress-free
Werkzeug for a demo; production runs `gunicorn "app:create_app()"`."""

import os

from app import create_app

if __name__ == "__main__":
    create_app().run(host=os.environ.get("HOST", "127.0.0.1"),
                     port=int(os.environ.get("PORT", "5000")))
