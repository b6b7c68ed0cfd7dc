"""The item forms give the schemas their values: what each field turns a post into."""

from __future__ import annotations

import io
from datetime import date

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.factories import CapabilityFactory, PublicationFactory
from tests.web.conftest import csrf_token, post_form
from xeco.models import Capability, Challenge
from xeco.schemas.challenges import ChallengeSchema
from xeco.web.item_forms import CapabilityForm, ChallengeForm, ProgrammeForm

NEED = {
    "title": "Machine vision",
    "description": "Find defects on die-cast housings.",
    "visibility": "public",
}
OFFER = {"title": "Inspection lab", "summary": "Machine vision inspection for factories."}


def posted(app, form_class, data: dict, files: dict | None = None):
    body = dict(data, **(files or {}))
    kind = "multipart/form-data" if files else None
    with app.test_request_context(method="POST", data=body, content_type=kind):
        form = form_class(meta={"csrf": False})
        return form, form.validate(), form.payload


def test_blank_optional_fields_give_none_and_text_is_trimmed(app):
    data = dict(NEED, region="  ", sector="", trl="", currency="EUR", budget_min="")
    form, valid, payload = posted(app, ChallengeForm, data)
    assert valid, form.errors
    assert payload["region"] is None and payload["sector"] is None and payload["trl"] is None
    assert payload["budget_min"] is None and payload["currency"] == "EUR"
    assert "csrf_token" not in payload

    data = dict(NEED, region="  Suzhou ", trl="4", sector="biomedicine", deadline="2031-05-01")
    form, valid, payload = posted(app, ChallengeForm, data)
    assert (payload["region"], payload["trl"], payload["sector"]) == ("Suzhou", 4, "biomedicine")
    assert payload["deadline"] == date(2031, 5, 1) and payload["visibility"] == "public"
    assert valid, form.errors
    # The schema takes the date as the field gives it, as it takes the API's ISO string.
    assert ChallengeSchema().load(payload)["deadline"] == date(2031, 5, 1)
    assert ChallengeSchema().load(dict(payload, deadline="2031-05-01"))["deadline"] == date(
        2031, 5, 1
    )

    programme = dict(OFFER, url=" ", regions="Suzhou，无锡", amount_max="5000")
    form, valid, payload = posted(app, ProgrammeForm, programme)
    assert valid, form.errors
    assert payload["url"] is None and payload["regions"] == ["Suzhou", "无锡"]
    assert payload["sectors"] == [] and payload["amount_max"] == 5000


def test_a_trl_that_is_not_a_number_is_the_fields_error_not_a_crash(app):
    form, valid, payload = posted(app, ChallengeForm, dict(NEED, trl="high"))
    assert not valid and form.trl.errors and payload["trl"] is None


def test_capacity_left_blank_is_three_and_equipment_of_blanks_is_none(app):
    form, valid, payload = posted(app, CapabilityForm, dict(OFFER, capacity="", equipment="\n "))
    assert valid, form.errors
    assert payload["capacity"] == 3 and payload["equipment"] is None
    assert payload["publications"] == [] and "publications_file" not in payload
    form, valid, payload = posted(app, CapabilityForm, dict(OFFER, capacity="0"))
    assert payload["capacity"] == 0


def test_a_bibtex_paste_becomes_records_and_a_count(app):
    paste = "@article{a, title = {Polarised light}, year = 2022, abstract = {Glare removed.}}"
    form, valid, payload = posted(app, CapabilityForm, dict(OFFER, publications=paste))
    assert valid, form.errors
    assert payload["publications"] == [
        {"title": "Polarised light", "year": 2022, "doi": None, "abstract": "Glare removed."}
    ]
    assert form.publications.imported == 1
    # Lines are not an import: nothing to count.
    form, valid, payload = posted(app, CapabilityForm, dict(OFFER, publications="One | 2020"))
    assert form.publications.imported is None
    assert payload["publications"] == [{"title": "One", "year": 2020, "doi": None}]


def test_what_a_file_could_not_give_is_shown_even_with_an_empty_box(app):
    upload = {"publications_file": (io.BytesIO(b"title,year\n,2020\nGood,2021\n"), "p.csv")}
    form, valid, payload = posted(app, CapabilityForm, OFFER, upload)
    assert not valid
    assert form.publications.errors == ["row 2: no title"]
    assert payload["publications"] == [{"title": "Good", "year": 2021, "doi": None}]


def test_a_file_read_for_its_entries_is_still_checked_for_its_size(signed_in, users):
    big = b"title,year\n" + b"A long title,2020\n" * 40_000  # about 700 KB
    client = signed_in(users["researcher"])
    fields = dict(OFFER, csrf_token=csrf_token(client, "/capabilities/new"))
    fields["publications_file"] = FileStorage(io.BytesIO(big), "p.csv", content_type="text/csv")
    # Encoded here, in memory: the test client would spool a body this big to a file that
    # it never closes.
    boundary, body = encode_multipart(MultiDict(fields))
    kind = f"multipart/form-data; boundary={boundary}"
    response = client.post("/capabilities/new", data=body, content_type=kind)
    assert response.status_code == 422
    assert "The file is larger than 512 KB." in response.get_data(as_text=True)


def test_an_edit_that_leaves_the_publications_keeps_them_as_stored(signed_in, users, db):
    cap = CapabilityFactory(owner=users["researcher"])
    PublicationFactory(capability=cap, title="Glare", year=2021, doi="10.1000/g.1")
    PublicationFactory(capability=cap, title="Depth", year=None, venue="CVPR")
    db.session.commit()
    ids = [p.id for p in cap.publications]
    client = signed_in(users["researcher"])
    assert "Glare | 2021 | 10.1000/g.1\nDepth</textarea>" in client.get(
        f"/capabilities/{cap.id}/edit"
    ).get_data(as_text=True)

    data = dict(OFFER, title="Renamed lab", publications="Glare | 2021 | 10.1000/g.1\r\nDepth\r\n")
    response = post_form(client, f"/capabilities/{cap.id}/edit", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    cap = db.session.get(Capability, cap.id)
    assert cap.title == "Renamed lab"
    assert [p.id for p in cap.publications] == ids, "the stored list stands, rows and all"
    assert cap.publications[0].abstract == PublicationFactory.abstract
    assert cap.publications[1].venue == "CVPR"

    # A line changed: the box is read as typed, and the list replaced.
    data["publications"] = "Glare | 2021 | 10.1000/g.1\nDepth | 2019"
    response = post_form(client, f"/capabilities/{cap.id}/edit", data)
    assert response.status_code == 302
    db.session.expire_all()
    cap = db.session.get(Capability, cap.id)
    assert [(p.title, p.year) for p in cap.publications] == [("Glare", 2021), ("Depth", 2019)]
    assert cap.publications[1].venue is None, "a changed box is read as typed"


def test_a_page_clears_what_its_post_leaves_out(signed_in, users, db):
    """A post is read as sent: a field missing from it is emptied, not kept as stored."""
    client = signed_in(users["company"])
    response = post_form(client, "/challenges/new", dict(NEED, region="Suzhou", trl="3"))
    assert response.status_code == 302
    challenge = db.session.scalar(sa.select(Challenge).where(Challenge.title == NEED["title"]))
    response = post_form(client, f"/challenges/{challenge.id}/edit", NEED)
    assert response.status_code == 302
    db.session.refresh(challenge)
    assert challenge.region is None and challenge.trl is None


def test_the_publications_box_is_limited_by_what_was_typed(app):
    form, valid, _ = posted(app, CapabilityForm, dict(OFFER, publications="x" * 60_001))
    assert not valid
    assert form.publications.errors == ["Field cannot be longer than 60000 characters."]
