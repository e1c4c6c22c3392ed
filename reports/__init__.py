"""The report templates, shipped in the package as ``crmlab.report_templates`` (see setup.py)."""
