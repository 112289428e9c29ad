"""Small helpers to read what a page shows: the options of a form's select, the rows of
a CSV export."""

import csv
import io
import json
import re


def select_options(html: str, name: str) -> set[str]:
    """Values of the <option>s of the <select name="...">, the blank option (a required
    choice starts blank: "" or FAB's "__None") excluded."""
    match = re.search(
        rf'<select[^>]*\bname="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S
    )
    assert match, f'no <select name="{name}"> on the page'
    return {v for v in re.findall(r'<option[^>]*value="([^"]*)"', match.group(1))
            if v and v != "__None"}


def csv_rows(response) -> list[list[str]]:
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def form_errors(html: str) -> list[str]:
    """The messages FAB shows under the fields of a form that did not validate."""
    blocks = re.findall(r'<div class="alert alert-danger">(.*?)</div>', html, re.S)
    return [" ".join(b.split()) for b in blocks if b.strip()]


def search_choices(html: str, field: str, client=None) -> set[str]:
    """Values offered by the list page's search filter for a related column: FAB hands
    the filter widgets to its AdminFilters script as JSON. A column over a large table
    (app/views/base.py, RemoteChoiceWidget) offers its rows through a JSON endpoint the
    field names, asked here with the page's client."""
    start = html.index("new AdminFilters(")
    decoder = json.JSONDecoder()
    position = html.index(",", start) + 1  # past the form's selector
    arguments = []
    for _ in range(2):  # label_columns, form_fields
        while html[position] in " \n\t,":
            position += 1
        value, position = decoder.raw_decode(html, position)
        arguments.append(value)
    form_fields = arguments[1]
    assert field in form_fields, f"{field} is not a search filter here"
    remote = re.search(r'data-url="([^"]+)"', form_fields[field])
    if remote:
        assert client is not None, f"{field} asks the server: pass the client"
        rows = client.get(remote.group(1) + "?q=").get_json()["results"]
        return {str(row["id"]) for row in rows}
    return {v for v in re.findall(r'<option[^>]*value="([^"]*)"', form_fields[field]) if v}
