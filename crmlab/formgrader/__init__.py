"""Formgrader in Chinese and safe to open (a Jupyter Server extension) and the students'
Chinese Assignment List (a prebuilt JupyterLab extension in ``labextension/``)."""

from __future__ import annotations


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": "crmlab.formgrader"}]


def _load_jupyter_server_extension(serverapp) -> None:
    from crmlab.formgrader.extension import load

    load(serverapp)


async def _start_jupyter_server_extension(serverapp) -> None:
    from crmlab.formgrader.extension import start

    await start(serverapp)


def _jupyter_labextension_paths() -> list[dict]:
    return [{"src": "labextension", "dest": "@crmlab/assignment-list"}]
