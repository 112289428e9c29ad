"""Dictionary data in both languages: shown in the user's language (the other one with a
marker, never blank), searchable and sortable in Mongolian, and unchanged (NFC) through
a form, search, the CSV export and the REST API."""

import json
import re
import unicodedata

import pytest

from app import seed_data
from app.extensions import db
from app.i18n import FALLBACK_MARK, localized
from app.models import Channel, Place
from tests.test_catalogs import CYRILLIC, glossary

MN_NAME = "ᠰᠢᠨ\u180eᠡ ᠰᠤᠪᠠᠭ\u202fᠤᠨ ᠲᠤᠷᠰᠢᠯᠲᠠ"  # contains MVS and NNBSP
DECOMPOSED_ZH = "新渠道 Cafe\u0301"  # "é" typed as e + combining acute


def _seed_rows():
    for code, zh, mn, *rest in seed_data.SERVICE_CATEGORIES + seed_data.EXCLUDED_CATEGORIES:
        yield code, zh, mn
        if len(rest) == 2:
            yield code + ":guidance", rest[0], rest[1]
    for code, zh, mn, _extra in seed_data.CHANNELS + seed_data.DEPARTMENTS:
        yield code, zh, mn


def test_seed_dictionaries_have_traditional_mongolian_names():
    for code, zh, mn in _seed_rows():
        assert mn, f"{code} has no Mongolian name"
        assert re.search(r"[\u1820-\u18aa]", mn) and not CYRILLIC.search(mn), code
        assert not re.search(r"[\ue000-\uf8ff]", mn), f"{code}: Menksoft PUA"
        assert unicodedata.is_normalized("NFC", mn) and mn == mn.strip(), code
        assert zh != mn


def test_seed_dictionaries_use_the_glossary():
    problems = []
    for code, zh, mn in _seed_rows():
        for row in glossary():
            text = zh
            for compound in filter(None, row["except_zh"].split(";")):
                text = text.replace(compound, "")
            term = (row["mn_match"] or row["mn"]).replace("\u202f", " ")
            if row["zh"] in text and term not in mn.replace("\u202f", " "):
                problems.append(f"{code} {zh}: {row['zh']} → {row['mn']}")
    assert not problems, "\n".join(problems)


def test_localized_name_falls_back_with_a_marker():
    assert localized("旗", "ᠬᠣᠰᠢᠭᠤ", "mn") == "ᠬᠣᠰᠢᠭᠤ"
    assert localized("旗", "ᠬᠣᠰᠢᠭᠤ", "zh") == "旗"
    assert localized("A镇", None, "mn") == "A镇" + FALLBACK_MARK
    assert localized(None, "ᠬᠣᠰᠢᠭᠤ", "zh") == "ᠬᠣᠰᠢᠭᠤ" + FALLBACK_MARK
    assert localized(None, "", "mn") == "—"


def test_lists_show_names_in_the_users_language(world, login):
    client = login("admin")
    client.get("/lang/mn")
    page = client.get("/placeview/list/?psize_PlaceView=100").get_data(as_text=True)
    assert "ᠲᠡᠰᠲ ᠬᠣᠰᠢᠭᠤ" in page  # the banner's Mongolian name
    assert "A镇" + FALLBACK_MARK in page  # no Mongolian name yet: Chinese, marked
    client.get("/lang/zh")
    page = client.get("/placeview/list/?psize_PlaceView=100").get_data(as_text=True)
    assert "测试旗" in page and "ᠲᠡᠰᠲ ᠬᠣᠰᠢᠭᠤ" not in page


def _add_channel(client):
    response = client.post("/channelview/add", data={
        "code": "trial", "name_zh": DECOMPOSED_ZH, "name_mn": MN_NAME,
        "national_form": "online", "sort_order": "50", "active": "y",
    })
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return db.session.query(Channel).filter_by(code="trial").one()


@pytest.mark.clean_slate  # the CSV export reads on a session of its own
def test_form_search_export_and_api_round_trip(world, login):
    client = login("admin")
    channel = _add_channel(client)
    assert channel.name_mn == MN_NAME
    assert channel.name_zh == unicodedata.normalize("NFC", DECOMPOSED_ZH) != DECOMPOSED_ZH

    # search by a Mongolian fragment (FAB's "contains" filter is index 2 for text)
    fragment = "ᠰᠤᠪᠠᠭ"
    page = client.get("/channelview/list/", query_string={"_flt_2_name_mn": fragment})
    text = page.get_data(as_text=True)
    assert MN_NAME in text and "ᠵᠠᠬᠢᠳᠠᠯ" not in text  # "letter" channel filtered out

    export = client.get("/channelview/export/", query_string={"_flt_2_name_mn": fragment})
    body = export.get_data(as_text=True)
    assert export.status_code == 200 and MN_NAME in body
    assert unicodedata.normalize("NFC", DECOMPOSED_ZH) in body

    api = client.get("/api/v1/places/", query_string={"q": json.dumps(
        {"filters": [{"col": "name_mn", "opr": "ct", "value": "ᠬᠣᠰᠢᠭᠤ"}]})})
    assert api.status_code == 200, api.get_data(as_text=True)
    names = [row["name_mn"] for row in api.get_json()["result"]]
    assert names == ["ᠲᠡᠰᠲ ᠬᠣᠰᠢᠭᠤ"]


def test_api_stores_mongolian_unchanged(world, login):
    client = login("admin")
    township = world.townships["A"]
    payload = {"level": "village", "code": township.code[:9] + "299", "name_zh": "新村",
               "name_mn": "ᠰᠢᠨ\u180eᠡ ᠭᠠᠴᠠᠭ\u180eᠠ", "parent": township.id}
    response = client.post("/api/v1/places/", json=payload)
    assert response.status_code == 201, response.get_data(as_text=True)
    place = db.session.get(Place, response.get_json()["id"])
    assert place.name_mn == payload["name_mn"]
    read = client.get(f"/api/v1/places/{place.id}").get_json()["result"]
    assert read["name_mn"] == payload["name_mn"]


def test_mongolian_names_sort_in_traditional_alphabetical_order(world, login):
    """Unicode orders the Mongolian letters as the traditional alphabet (a e i o u ö ü
    n ng b p q γ m l s š t d č ǰ y r w …): a binary/C collation sorts them sensibly."""
    client = login("admin")
    page = client.get("/channelview/list/", query_string={
        "_oc_ChannelView": "name_mn", "_od_ChannelView": "asc"}).get_data(as_text=True)
    names = {mn for _code, _zh, mn, _form in seed_data.CHANNELS}
    cells = [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", page, re.S)]
    shown = [c for c in cells if c in names]
    assert shown == sorted(names) and len(shown) == len(names)
    assert shown[0].startswith("ᠢ") and shown[-1].startswith("ᠵ")  # i … ǰ
