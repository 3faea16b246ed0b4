# nbgrader 0.9 configuration of the course. nbgrader reads this file when it
# runs in the folder that holds it (the repository root, or a copy of the
# course that the tests and `make exercises` make in a temporary folder).
import os

c = get_config()  # noqa: F821 (nbgrader provides get_config)

COURSE_ROOT = os.path.dirname(os.path.abspath(__file__))

# The course. The course id names the course in the gradebook and in the
# exchange, if an instructor uses one.
c.CourseDirectory.course_id = "rnn-course"
c.CourseDirectory.root = COURSE_ROOT

# Reference solutions with hidden tests are nbgrader's "source" and live in
# solutions/<assignment>/; `nbgrader generate_assignment` writes the student
# versions to exercises/<assignment>/ (nbgrader's "release"), which are
# committed and shown in the book. The other steps (submitted/, autograded/,
# feedback/) keep nbgrader's names; they hold student work and are gitignored.
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"

# The gradebook: an SQLite file next to this file, gitignored. (nbgrader's own
# default is the same file, but relative to the folder it runs from; naming it
# here ties it to the course.) Tools that must not touch it pass --db.
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(COURSE_ROOT, "gradebook.db")

# Autograding. nbgrader restores every locked cell (tests, instructions) from
# the gradebook before running a submission, so an edited test cell runs as
# written by the instructor; with add_missing_cells it also puts back the
# test cells a student deleted, so deleting a test cannot raise a score.
c.OverwriteCells.add_missing_cells = True

# Per-cell time limit in seconds while autograding (nbgrader interrupts the
# cell and scores it 0). It catches runaway code (an infinite loop) without
# cutting off a slow but correct answer. Nearly every cell runs in under a
# second; the slowest are the tests that train a Keras model: A8 Task 6 may
# train a student's model three times for 10 epochs (rnnlib.grading.
# train_to_beat, when a run misses the seasonal naive forecast): 13 s on an
# idle 2-core machine, 17 to 20 s with two notebooks graded at once. The limit
# of 60 s leaves room for a slower machine. nbgrader sets NBGRADER_EXECUTION while
# autograding, and notebooks that train a model train less then.
c.Execute.timeout = 60
# Time allowed for a kernel to start (a loaded machine can be slow).
c.Execute.startup_timeout = 60
