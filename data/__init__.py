"""The sample data, shipped in the package as ``crmlab.sample_data`` (see setup.py)."""
