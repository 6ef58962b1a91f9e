"""Mentorship programs run as code on GitLab and GitHub."""

__version__ = "0.1.0"
