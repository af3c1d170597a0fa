"""Medi-Cal and CalAIM for domestic violence organizations: the course package.

Everything the notebooks show comes from here: reference and synthetic data,
analysis functions, widgets and chart helpers. Notebooks stay thin.
"""

from calaim_course.errors import CourseInputError

__all__ = ["CourseInputError"]
__version__ = "0.1.0"
