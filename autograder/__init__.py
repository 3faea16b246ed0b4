"""The instructors' grading pipeline: ``autograder grade`` (see ``instructor/grading.md``).

nbgrader grades one notebook after another and runs student code with the
instructor's rights. This package grades a class in parallel, safely, and
resumably, on nbgrader's own course directory and gradebook:

=====================  ====================================================
module                 what it does
=====================  ====================================================
``cli``                the ``autograder`` command
``settings``           the options (``c.RnnlibGrader.*`` in nbgrader_config.py)
``intake``             checks a submission's files before anything runs
``sandbox``            the kernel's jail: bubblewrap, a private user id,
                       resource limits and a no-fork seccomp filter
``_launch``            runs inside the jail, drops rights, starts ipykernel
``wire``               the data-only encoding between kernel and checker
``shadow``             the kernel's rnnlib, whose functions ask the grader,
                       which runs them only when the task allows them
``kernel_side``        the grader's helper inside the student's kernel
``checker``            runs test cells in the grader's own process, calling
                       the student's functions in the kernel
``execute``            nbgrader's Execute step with all of the above
``messages``           the Task a worker receives and the Result it sends back
``engines``            one SQLAlchemy engine per gradebook in a worker
``worker``             one process: a student at a time, in a private course
``feedback``           feedback pages with no hidden test, sanitised, with a
                       local MathJax
``store``              the main gradebook: one transaction per student
``pipeline``           plans the run, starts the workers, merges, resumes
``cluster``            ``--cluster``: the same grading on the workers of a Dask
                       scheduler; results come back as data (instructor/cluster.md)
``report``             grades.csv and the class report (HTML and PNG): statistics
                       of the graded, the common mistakes, flags, the missing
``collect``            ``--zip``: Canvas, Moodle, Blackboard and plain file names
                       into submitted/, never guessing a student
``course``             ``autograder init-course``: a course folder outside the clone
=====================  ====================================================

Importing this package imports nothing else: ``kernel_side`` runs inside
students' kernels and must stay light.
"""
