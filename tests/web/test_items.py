"""Challenges, capabilities and programmes through their forms: validation, rights, search."""

from __future__ import annotations

import io
from datetime import date

import sqlalchemy as sa

from tests.conftest import drain_tasks
from tests.factories import ChallengeFactory, ProgrammeFactory
from xeco.models import Capability, Challenge, Visibility

CHALLENGE = {
    "title": "Machine vision for die-cast parts",
    "description": "Find surface defects on die-cast aluminium housings at line speed.",
    "keywords": "machine vision，缺陷检测; inspection",
    "sector": "advanced-manufacturing",
    "visibility": "public",
    "currency": "CNY",
}


def test_company_posts_a_challenge_and_matching_is_queued(app, signed_in, users, db):
    from tests.web.conftest import post_form

    client = signed_in(users["company"])
    drain_tasks(app)
    response = post_form(client, "/challenges/new", CHALLENGE)
    assert response.status_code == 302
    challenge = db.session.scalar(sa.select(Challenge).where(Challenge.title == CHALLENGE["title"]))
    assert challenge.keywords == ["machine vision", "缺陷检测", "inspection"]
    assert challenge.organisation_id == users["company"].organisation_id
    # It waits for matching, and the worker was nudged after the commit.
    assert challenge.match_due_at is not None
    assert ("xeco.match_challenge", {"challenge_id": challenge.id, "due": True}) in drain_tasks(app)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Machine vision for die-cast parts" in page
    assert "The engine is looking for capabilities" in page and "A longer description" in page


def test_the_form_explains_limits_and_puts_errors_by_the_fields(signed_in, users, db):
    from tests.web.conftest import post_form

    client = signed_in(users["company"])
    form = client.get("/challenges/new").get_data(as_text=True)
    assert 'maxlength="200"' in form and "Up to 200 characters." in form
    response = post_form(client, "/challenges/new", dict(CHALLENGE, title="ab"))
    assert response.status_code == 422
    assert 'id="title-errors"' in response.get_data(as_text=True)
    # The cross-field rule is the schema's, shown next to the field it names.
    bad = dict(CHALLENGE, budget_min="900", budget_max="100")
    html = post_form(client, "/challenges/new", bad).get_data(as_text=True)
    # Named by its label on the page, never by its field name.
    assert 'id="budget_max-errors"' in html and "Must not be lower than “Budget from”." in html
    assert "budget_min" not in html.split('id="budget_max-errors"')[1].split("</ul>")[0]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Challenge)) == 0


def test_every_error_shows_in_one_round(signed_in, users, db):
    """A keyword too long (the schema's), a budget range (the schema's cross-field rule), a
    title too short (the form's) and a past deadline (the service's): all at once."""
    from tests.web.conftest import post_form

    client = signed_in(users["company"])
    bad = dict(
        CHALLENGE,
        title="ab",
        keywords="k" * 61,
        budget_min="900",
        budget_max="100",
        deadline="2020-01-31",
    )
    response = post_form(client, "/challenges/new", bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for name in ("title", "keywords", "budget_max", "deadline"):
        assert f'id="{name}-errors"' in html, name
    assert "Must not be in the past." in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Challenge)) == 0


def test_a_past_deadline_is_refused_for_a_new_challenge_but_kept_on_edit(
    signed_in, users, db, auth
):
    from tests.web.conftest import post_form

    client = signed_in(users["company"])
    old = ChallengeFactory(author=users["company"], deadline=date(2020, 1, 31))
    db.session.commit()
    edited = post_form(client, f"/challenges/{old.id}/edit", dict(CHALLENGE, deadline="2020-01-31"))
    assert edited.status_code == 302, "a deadline that has passed since does not block an edit"
    api = client.post(
        "/api/v1/challenges",
        json={"title": "Past", "description": "A deadline in the past.", "deadline": "2020-01-31"},
        headers=auth(users["company"]),
    )
    assert api.status_code == 422
    assert api.json["errors"]["json"] == {"deadline": ["Must not be in the past."]}


def test_roles_that_do_not_own_a_kind_get_a_403_page(signed_in, users):
    client = signed_in(users["researcher"])
    response = client.get("/challenges/new")
    assert response.status_code == 403
    assert "You may not see this page" in response.get_data(as_text=True)


def test_only_the_owner_edits_and_restricted_stays_hidden(signed_in, users, db):
    from tests.web.conftest import post_form

    mine = ChallengeFactory(author=users["company"], visibility=Visibility.RESTRICTED)
    db.session.commit()
    other = signed_in(users["company_other"])
    assert other.get(f"/challenges/{mine.id}").status_code == 404
    assert other.get(f"/challenges/{mine.id}/edit").status_code == 404
    other.post("/signout", data={"csrf_token": ""})  # refused without a token: still signed in
    owner = signed_in(users["company"])
    response = post_form(owner, f"/challenges/{mine.id}/edit", dict(CHALLENGE, title="Renamed"))
    assert response.status_code == 302
    db.session.refresh(mine)
    assert mine.title == "Renamed"


def test_chinese_text_is_found_by_substring(signed_in, users, db):
    ChallengeFactory(title="五轴数控机床主轴热变形误差补偿", description="需要实时补偿热误差。")
    ChallengeFactory(title="Unrelated need")
    db.session.commit()
    html = signed_in(users["officer"]).get("/challenges/?q=热变形").get_data(as_text=True)
    assert "五轴数控机床主轴热变形误差补偿" in html and "Unrelated need" not in html


BIBTEX = b"""@article{lin2024,
  title = {Few-shot {Defect} Detection on \\emph{Reflective} Surfaces},
  author = {Lin, Hannah and Grant, Oliver},
  journal = {IEEE Trans. Ind. Informatics},
  year = 2024,
  doi = {10.1109/TII.2024.123456}
}
@comment{ignored}
"""
CSV = "标题,年份,DOI\n基于深度学习的表面缺陷检测,2023,10.1000/abc.1\n".encode("gb18030")


def test_capability_publications_from_lines_bibtex_and_csv(signed_in, users, db):
    from tests.web.conftest import post_form

    client = signed_in(users["researcher"])
    data = {
        "title": "Inspection lab",
        "summary": "We build machine vision inspection systems for factories.",
        "sectors": ["advanced-manufacturing", "ai-digital"],
        "capacity": "4",
        "publications": "Anomaly detection in practice | 2022 | https://doi.org/10.5555/xyz.2022\n"
        "A title without anything else",
        "publications_file": (io.BytesIO(BIBTEX), "refs.bib"),
    }
    response = post_form(client, "/capabilities/new", data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    cap = db.session.scalar(sa.select(Capability).where(Capability.title == "Inspection lab"))
    pubs = [(p.title, p.year, p.doi) for p in cap.publications]
    assert pubs == [
        ("Anomaly detection in practice", 2022, "10.5555/xyz.2022"),
        ("A title without anything else", None, None),
        ("Few-shot Defect Detection on Reflective Surfaces", 2024, "10.1109/TII.2024.123456"),
    ]
    assert cap.publications[2].authors == "Lin, Hannah and Grant, Oliver"
    upload = {"publications_file": (io.BytesIO(CSV), "pubs.csv")}
    form = client.get(f"/capabilities/{cap.id}/edit").get_data(as_text=True)
    assert "Anomaly detection in practice | 2022 | 10.5555/xyz.2022" in form
    edit = dict(data, **upload)
    edit["publications"] = (
        "Anomaly detection in practice | 2022 | 10.5555/xyz.2022\nA title without anything else\n"
        "Few-shot Defect Detection on Reflective Surfaces | 2024 | 10.1109/TII.2024.123456"
    )
    response = post_form(
        client, f"/capabilities/{cap.id}/edit", edit, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    db.session.refresh(cap)
    assert [p.title for p in cap.publications][-1] == "基于深度学习的表面缺陷检测"
    assert cap.publications[2].venue == "IEEE Trans. Ind. Informatics"  # kept on edit


PASTED_BIBTEX = """@article{lin2024,
  title = {Few-shot Defect Detection on Reflective Surfaces},
  author = {Lin, Hannah and Grant, Oliver},
  journal = {IEEE Trans. Ind. Informatics},
  year = 2024,
}
@inproceedings{wang2023,
  title = {基于深度学习的表面缺陷检测},
  booktitle = {中国机械工程学会年会},
  year = {2023},
  abstract = {针对金属表面缺陷，提出少样本检测方法。}
}
@misc{grant2022, title = {Polarised lighting for inspection}, year = 2022}
"""


def test_bibtex_or_csv_pasted_into_the_box_is_imported_as_an_upload(signed_in, users, db):
    """Not one junk publication per line: three entries are three publications."""
    from tests.web.conftest import post_form

    client = signed_in(users["researcher"])
    data = {"title": "Pasted lab", "summary": "Machine vision inspection of metal surfaces."}
    response = post_form(client, "/capabilities/new", dict(data, publications=PASTED_BIBTEX))
    assert response.status_code == 302, response.get_data(as_text=True)
    cap = db.session.scalar(sa.select(Capability).where(Capability.title == "Pasted lab"))
    assert [(p.title, p.year) for p in cap.publications] == [
        ("Few-shot Defect Detection on Reflective Surfaces", 2024),
        ("基于深度学习的表面缺陷检测", 2023),
        ("Polarised lighting for inspection", 2022),
    ]
    assert cap.publications[1].abstract == "针对金属表面缺陷，提出少样本检测方法。"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 publications were imported." in page
    # Chinese has no italics: the title is marked as Chinese, and the style keeps it upright.
    assert '<cite lang="zh">基于深度学习的表面缺陷检测</cite>' in page

    csv_paste = "title,year,doi\nSurface inspection at line speed,2021,10.1000/xyz.9\n"
    response = post_form(
        client, "/capabilities/new", dict(data, title="CSV lab", publications=csv_paste)
    )
    cap = db.session.scalar(sa.select(Capability).where(Capability.title == "CSV lab"))
    assert [(p.title, p.year, p.doi) for p in cap.publications] == [
        ("Surface inspection at line speed", 2021, "10.1000/xyz.9")
    ]
    assert "1 publication was imported." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_a_bad_doi_is_reported_by_line(signed_in, users, db):
    from tests.web.conftest import post_form

    client = signed_in(users["institute"])
    data = {
        "title": "Materials platform",
        "summary": "Characterisation of battery materials.",
        "publications": "Good one | 2020\nBad year | 1800",
    }
    html = post_form(client, "/capabilities/new", data).get_data(as_text=True)
    assert "item 2" in html and 'id="publications-errors"' in html


def test_agency_manages_programmes_and_closes_one(signed_in, users, db):
    from tests.web.conftest import csrf_token, post_form

    client = signed_in(users["agency"])
    data = {
        "title": "Green factory grants",
        "summary": "Money for factories that cut emissions.",
        "sectors": ["environment"],
        "regions": "Suzhou, 无锡",
        "amount_max": "500000",
        "currency": "CNY",
        "url": "https://example.gov/green",
    }
    response = post_form(client, "/programmes/new", data)
    assert response.status_code == 302
    item = response.headers["Location"]
    page = client.get(item).get_data(as_text=True)
    assert "无锡" in page and "500,000" in page
    token = csrf_token(client, item)
    assert client.post(item + "/close", data={"csrf_token": token}).status_code == 302
    assert "Closed" in client.get(item).get_data(as_text=True)
    other = ProgrammeFactory()
    db.session.commit()
    assert client.get(f"/programmes/{other.id}/edit").status_code == 403


def test_paginated_pages_keep_odd_query_names_in_the_query(signed_in, users, db):
    client = signed_in(users["officer"])
    for path in ("/challenges/", "/matches/", "/review"):
        resp = client.get(path + "?_method=POST&_external=1&_anchor=x&page=1")
        assert resp.status_code == 200, path


def test_an_edit_form_shows_the_item_as_stored(signed_in, users, db):
    challenge = ChallengeFactory(
        author=users["company"],
        keywords=["machine vision", "缺陷检测"],
        trl=4,
        visibility=Visibility.RESTRICTED,
    )
    programme = ProgrammeFactory(owner=users["agency"], regions=["Jiangsu", "Zhejiang"])
    db.session.commit()

    html = signed_in(users["company"]).get(f"/challenges/{challenge.id}/edit").get_data(True)
    assert 'value="machine vision, 缺陷检测"' in html
    assert '<option selected value="4">' in html
    assert '<input checked id="visibility-1" name="visibility" required type="radio"' in html

    html = signed_in(users["agency"]).get(f"/programmes/{programme.id}/edit").get_data(True)
    assert 'value="Jiangsu, Zhejiang"' in html
