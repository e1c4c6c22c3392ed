"""The course's lessons, shipped in the package as ``crmlab.lessons`` (see setup.py)."""
