"""The classroom hub: ``crmlab hub`` runs the course on JupyterHub for a whole class.

``roster`` reads the class list, ``accounts`` makes the Unix accounts behind it, ``layout``
builds what the hub keeps under ``--root`` (the servers' environment, the course directory,
the exchange), ``spawner`` and ``singleuser`` start each person's server, and ``command`` ties
them together and runs JupyterHub (configured by ``jupyterhub_config.py``).
"""
