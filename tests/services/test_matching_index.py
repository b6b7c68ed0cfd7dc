"""Fitted indexes: stored once, changes folded in without a refit, refits in the background."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from tests.factories import CapabilityFactory, ChallengeFactory, UserFactory
from tests.services.test_matching import fresh_index  # noqa: F401  (autouse: no stale index)
from xeco.matching import folding
from xeco.models import CapabilityStatus, Role, StoredIndex, TaskOutbox
from xeco.services import matching_index
from xeco.tasks import indexes as tasks

TOPICS = [
    ("Lithium battery recycling", "Recovering cathode metals from spent lithium batteries."),
    ("Protein folding with deep learning", "Neural networks predict protein structures."),
    ("Historic garden photogrammetry", "Scanning pavilions and gardens for heritage archives."),
    ("Concrete bridge monitoring", "Fibre sensors measure strain in concrete bridges."),
    # The words a newcomer uses must be known: folding adds no columns.
    ("Press line cameras", "Cameras watch stamped parts; machine learning for steel."),
]
VISION = "Machine vision finds scratches and dents on stamped steel parts"


@pytest.fixture
def caps(db, users):
    made = [
        CapabilityFactory(owner=UserFactory(role=Role.RESEARCHER), title=t, summary=s, keywords=[])
        for t, s in TOPICS
    ]
    ChallengeFactory(author=users["company"], title="Steel inspection", description=VISION)
    db.session.commit()
    return made


@pytest.fixture
def index_log(caplog):
    caplog.set_level(logging.INFO, logger=matching_index.__name__)
    return caplog


def stored(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(StoredIndex))


def fits(caplog) -> int:
    return sum("fitted capabilities index" in r.getMessage() for r in caplog.records)


def test_a_new_capability_is_folded_in_without_a_refit(db, caps, index_log):
    first = matching_index.get("capabilities")
    assert stored(db) == 1 and fits(index_log) == 1
    newcomer = CapabilityFactory(title="Steel surface inspection", summary=VISION, keywords=[])
    db.session.commit()
    index = matching_index.get("capabilities")
    assert fits(index_log) == 1 and stored(db) == 1  # no second fit
    assert index.base_id == first.base_id
    assert index.ids.tolist() == [c.id for c in caps] + [newcomer.id]
    assert index.drift()["folded"] == 1
    idx, scores = index.matcher.top_k([VISION], k=1)
    assert index.ids[idx[0, 0]] == newcomer.id and scores[0, 0] > 0.3


def test_an_edit_replaces_the_row_and_a_closed_capability_scores_nothing(db, caps, index_log):
    matching_index.get("capabilities")
    caps[0].summary = VISION
    caps[1].status = CapabilityStatus.CLOSED
    db.session.commit()
    index = matching_index.get("capabilities")
    assert fits(index_log) == 1
    assert index.position(caps[1].id) is None  # emptied: id -1 at its position
    scores = index.matcher.score([VISION, TOPICS[1][1]]).toarray()
    assert scores[0].argmax() == index.position(caps[0].id)
    assert scores[1, 1] == 0
    # Nothing changed since: the same index is served again.
    assert matching_index.get("capabilities") is index


def test_a_process_without_an_index_loads_the_stored_fit_and_folds_the_rest(db, caps, index_log):
    first = matching_index.get("capabilities")
    newcomer = CapabilityFactory(title="Steel surface inspection", summary=VISION, keywords=[])
    db.session.commit()
    matching_index.clear_cache()  # as a worker process that has just started
    index = matching_index.get("capabilities")
    assert fits(index_log) == 1
    assert any("loaded stored capabilities index" in r.getMessage() for r in index_log.records)
    assert index.base_id == first.base_id
    assert index.position(newcomer.id) == len(caps)


def test_drift_past_the_threshold_asks_for_a_refit_that_is_swapped_in(db, caps, index_log):
    first = matching_index.get("capabilities")
    newcomer = CapabilityFactory(title="Steel surface inspection", summary=VISION, keywords=[])
    db.session.commit()
    folded = matching_index.get("capabilities")
    assert folding.needs_refit(folded.matcher)  # one in six profiles is folded
    asked = db.session.scalars(
        sa.select(TaskOutbox).where(TaskOutbox.task == matching_index.REFIT_TASK)
    ).all()
    assert [a.kwargs for a in asked] == [{"name": "capabilities", "base_id": first.base_id}]
    # All six were made within MARGIN of the fit's newest edit, so all six are matched again.
    assert tasks.refit_index("capabilities", first.base_id) == "fitted 6 profiles, 6 to match again"
    again = db.session.scalars(
        sa.select(TaskOutbox.kwargs).where(TaskOutbox.task == "xeco.match_capability")
    ).all()
    assert {"capability_id": newcomer.id} in again  # its words may score only now
    index = matching_index.get("capabilities")
    assert index.base_id > first.base_id and index.drift()["folded"] == 0
    assert fits(index_log) == 2
    # A second request for the same refit (redelivered, or from another process) is a no-op.
    assert tasks.refit_index("capabilities", first.base_id) == "a newer fit is stored"
    assert stored(db) == 2  # index_store.KEEP


def test_operators_see_the_stored_fits_and_the_drift(app, db, caps, client):
    matching_index.get("capabilities")
    CapabilityFactory(title="Steel surface inspection", summary=VISION, keywords=[])
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["matching", "indexes"])
    assert result.exit_code == 0, result.output
    assert "capabilities: 6 profiles, stored fit #" in result.output
    assert "'folded': 1" in result.output
    assert "programmes: 0 profiles" in result.output
    sizes = client.get("/api/v1/health").get_json()["indexes"]
    assert sizes["capabilities"] > 1000 and sizes["programmes"] == 0


def test_a_changed_capability_re_matches_only_challenges_whose_top_k_it_can_enter(
    app, db, caps, monkeypatch
):
    from xeco.models import Challenge, Match
    from xeco.services import matching

    monkeypatch.setitem(app.config, "MATCHING_TOP_K", 1)
    challenge = db.session.scalar(sa.select(Challenge))
    matching.match_challenge(challenge.id)
    db.session.commit()
    held = db.session.scalar(sa.select(Match).where(Match.challenge_id == challenge.id))
    assert held.capability_id == caps[4].id
    weak = CapabilityFactory(title="Bridges", summary="Cameras on concrete bridges.", keywords=[])
    db.session.commit()
    assert matching.match_capability(weak.id).challenges == 0  # below the one it holds
    strong = CapabilityFactory(title="Steel surface inspection", summary=VISION, keywords=[])
    db.session.commit()
    out = matching.match_capability(strong.id)
    assert out.challenges == 1 and out.proposed == 1
    assert (
        db.session.scalar(
            sa.select(Match.capability_id).where(
                Match.challenge_id == challenge.id, Match.status == "proposed"
            )
        )
        == strong.id
    )


def test_a_store_that_lost_the_cached_fit_is_fitted_afresh_not_folded_into(db, caps, index_log):
    # A process keeps its index across a database reset (tests, a restored backup): what it
    # holds was fitted on other profiles, so folding today's into it would score differently
    # from every process that fits or loads afresh.
    matching_index.get("capabilities")
    db.session.execute(sa.delete(StoredIndex))
    caps[0].summary = VISION
    db.session.commit()
    index = matching_index.get("capabilities")
    assert fits(index_log) == 2 and index.drift()["folded"] == 0
    assert stored(db) == 1


def test_a_run_chunk_may_skip_a_check_made_moments_ago_but_a_task_never_does(db, caps):
    first = matching_index.get("capabilities")
    newcomer = CapabilityFactory(title="Steel surface inspection", summary=VISION, keywords=[])
    db.session.commit()
    # Checked a moment ago: a run's next chunk scores with the index as it was.
    assert matching_index.get("capabilities", max_age=60) is first
    assert newcomer.id not in first.ids
    # Without max_age (every match task) the new capability is folded in at once.
    assert newcomer.id in matching_index.get("capabilities").ids
    assert newcomer.id in matching_index.get("capabilities", max_age=60).ids


def test_a_task_checks_both_indexes_in_one_round_trip(db, caps):
    from xeco.services import matching

    first = matching.current_indexes()
    newcomer = CapabilityFactory(title="Steel surface inspection", summary=VISION, keywords=[])
    db.session.commit()
    seen = []

    def _record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", _record)
    try:
        capabilities, programmes = matching.current_indexes()
        checks = [st for st in seen if "id_sum" in st]
        assert len(checks) == 1, seen  # the state of both, side by side
        assert "programmes" in checks[0] and "capabilities" in checks[0]
        assert programmes is first[1]  # unchanged: kept as it was
        assert newcomer.id in capabilities.ids  # changed: folded in (its rows read after)
        seen.clear()
        matching.current_indexes(max_age=60)  # both checked just now
        assert seen == []
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", _record)


@pytest.mark.parametrize("name", sorted(matching_index.SOURCES))
def test_the_check_of_the_live_profiles_reads_an_index_not_the_rows(dialect, plan_of, name):
    """Every matching task runs this check; at 100,000 capabilities reading the rows took
    48 ms, the index alone 6 ms."""
    plan = plan_of(matching_index.state_query(name), "seqscan", "bitmapscan")
    table = matching_index.SOURCES[name][0].__tablename__
    assert f"ix_{table}_status_id_updated_at" in plan, plan
    assert ("Index Only Scan" if dialect == "postgresql" else "COVERING INDEX") in plan, plan
