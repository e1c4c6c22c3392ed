"""The commands (命令) people run: ``cli`` (the ``crmlab`` command), ``lab`` (a local JupyterLab
for self-study), ``demo`` (a whole simulated class, end to end) and ``hub`` (a class on one
machine with JupyterHub). The top layer: it uses everything below and nothing imports it.
"""
