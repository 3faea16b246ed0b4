# The instructor's nbgrader settings in the course image (hub/z2jh/Dockerfile puts this
# folder at /etc/rnn-course/instructor). /etc/jupyter/nbgrader_config.py (config.yaml)
# names the course and the exchange; this adds the course folder, made once with
#   git clone <course repository> ~/rnn-course-repo
#   autograder init-course ~/rnn-course      (its own nbgrader_config.py and gradebook)
c = get_config()  # noqa: F821
c.CourseDirectory.root = "/home/jovyan/rnn-course"
