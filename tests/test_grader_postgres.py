"""What only a PostgreSQL gradebook has: the course lives on the server, and
the grader's engine waits for locks and never overwrites another program's
change. The tests that every kind of gradebook must pass (a hostile class,
resumption, a concurrent writer) run on PostgreSQL too, in
``test_gradebooks.py``; the private server is ``tests/gradebooks.py``'s.
"""
from __future__ import annotations

import threading
import time

import pytest

import grader_class
from gradebooks import A1, COURSE_ID, NOTEBOOK, PostgresBooks, graded_result, status_rows
from autograder import store

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def books(postgres, tmp_path_factory):
    return PostgresBooks(tmp_path_factory.mktemp("pg"), postgres)


@pytest.fixture(scope="module")
def generated(books):
    """``(course, release, url)``: a generated course, its gradebook on the server."""
    return books.generated()


def test_the_course_gradebook_is_in_postgresql(generated):
    course, _, url = generated
    from nbgrader.api import Gradebook

    with Gradebook(url, COURSE_ID) as gb:  # written there by nbgrader generate_assignment
        notebooks = gb.find_assignment(A1).notebooks
        assert [nb.name for nb in notebooks] == [NOTEBOOK]
        assert sorted(c.name for c in notebooks[0].grade_cells) == sorted(
            t for tests in grader_class.tasks_of(grader_class.source_notebook()).values() for t in tests)
    assert not (course / "gradebook.db").exists()


def test_the_engine_waits_a_minute_for_a_lock(postgres, generated):
    engine = store.make_engine(generated[2])
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "1min"
            assert conn.exec_driver_sql("SHOW transaction_isolation").scalar() == "repeatable read"
    finally:
        engine.dispose()


def test_a_merge_never_overwrites_what_another_program_changed_meanwhile(books):
    """The formgrader gives a manual score while the merge regrades that very
    cell: the merge waits for the formgrader's transaction, fails (the row
    changed under it), is retried, and flags the manual score for review."""
    from nbgrader.api import Gradebook

    url = books.database("overlap")
    engine = store.make_engine(url)
    store.prepare(engine)
    full = {"test_neuron_step": 2.0, "test_unroll_neuron": 3.0, "test_ema_weights": 2.0}
    store.merge(engine, graded_result("dana", full))
    merged = threading.Event()
    errors = []

    def regrade():
        try:
            store.merge(engine, graded_result("dana", {**full, "test_neuron_step": 0.0}))
        except Exception as error:  # reported below
            errors.append(error)
        merged.set()

    with Gradebook(url, COURSE_ID) as gb:
        nb = gb.find_submission_notebook(NOTEBOOK, A1, "dana")
        step = next(g for g in nb.grades if g.name == "test_neuron_step")
        step.manual_score, step.needs_manual_grade = 1.5, False
        gb.db.flush()  # the row is written and locked, not committed
        thread = threading.Thread(target=regrade)
        thread.start()
        waiting = False
        for _ in range(300):
            with gb.engine.connect() as other:
                waiting = other.exec_driver_sql(
                    f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{books.prefix}overlap' "
                    "AND wait_event_type = 'Lock'").scalar() > 0
            if waiting or merged.is_set():
                break
            time.sleep(0.05)
        assert waiting and not merged.is_set(), "the merge did not wait for the other transaction"
        gb.db.commit()
    thread.join(60)
    assert merged.is_set() and errors == []
    with Gradebook(url, COURSE_ID) as gb:
        nb = gb.find_submission_notebook(NOTEBOOK, A1, "dana")
        step = next(g for g in nb.grades if g.name == "test_neuron_step")
        assert (step.manual_score, step.auto_score, step.needs_manual_grade) == (1.5, 0.0, True)
    assert status_rows(url)["dana"]["score"] == 5.0
    engine.dispose()
