# The students' nbgrader settings (start.py copies this file into the environment's
# etc/jupyter folder, where `nbgrader validate` and the Validate button read it).
c = get_config()  # noqa: F821

# nbgrader cuts every line of a failure message at this width (default 90) and adds
# "...": wide enough that the course's messages are shown whole. It is also the width
# of the "=====" line between two failed cells.
c.Validator.width = 300
