"""Compiles the translation catalogs (translations/*/LC_MESSAGES/messages.po → .mo) when a
wheel or an install is built, so an installed daiban serves Chinese and Mongolian with no
extra step. Everything else about the package is in pyproject.toml."""

import os

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = os.path.dirname(os.path.abspath(__file__))


def compile_catalogs(directory: str) -> list[str]:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for language in sorted(os.listdir(directory)):
        folder = os.path.join(directory, language, "LC_MESSAGES")
        po = os.path.join(folder, "messages.po")
        if not os.path.isfile(po):
            continue
        with open(po, "rb") as fh:
            catalog = read_po(fh, locale=language)
        with open(os.path.join(folder, "messages.mo"), "wb") as fh:
            write_mo(fh, catalog)
        written.append(language)
    return written


class BuildWithCatalogs(build_py):
    def run(self):
        compile_catalogs(os.path.join(ROOT, "translations"))
        super().run()


setup(cmdclass={"build_py": BuildWithCatalogs})
