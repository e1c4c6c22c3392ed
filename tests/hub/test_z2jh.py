"""deploy/z2jh/values.yaml: the Zero to JupyterHub values for a class beyond one machine."""

from __future__ import annotations

from crmlab.commands.hub.roster import read_roster
from tests.support import ROOT

# Keys of the z2jh `jupyterhub` chart (4.x) that the values file may use, from the chart's
# configuration reference (its values.schema.yaml); checked offline, key by key.
Z2JH_KEYS = {
    "": {"fullnameOverride", "nameOverride", "enabled", "imagePullSecret", "imagePullSecrets",
         "hub", "proxy", "singleuser", "scheduling", "ingress", "prePuller", "cull", "debug",
         "rbac", "global", "custom"},
    "hub": {"config", "db", "extraConfig", "image", "extraEnv", "extraFiles", "cookieSecret",
            "resources", "nodeSelector", "services", "loadRoles", "networkPolicy", "baseUrl",
            "allowNamedServers", "concurrentSpawnLimit", "activeServerLimit", "templatePaths"},
    "hub.db": {"type", "pvc", "url", "password", "upgrade"},
    "singleuser": {"image", "defaultUrl", "cmd", "memory", "cpu", "storage", "extraEnv",
                   "extraFiles", "lifecycleHooks", "profileList", "networkPolicy", "uid",
                   "fsGid", "startTimeout", "nodeSelector", "extraLabels", "initContainers",
                   "extraContainers", "serviceAccountName", "allowPrivilegeEscalation"},
    "singleuser.storage": {"type", "capacity", "homeMountPath", "extraVolumes",
                           "extraVolumeMounts", "dynamic", "static", "extraLabels"},
    "singleuser.memory": {"limit", "guarantee"},
    "singleuser.cpu": {"limit", "guarantee"},
    "cull": {"enabled", "users", "adminUsers", "removeNamedServers", "timeout", "every",
             "concurrency", "maxAge"},
    "scheduling": {"userScheduler", "podPriority", "userPlaceholder", "corePods", "userPods"},
    "prePuller": {"hook", "continuous", "pullProfileListImages", "extraImages", "pause",
                  "resources", "extraTolerations", "annotations", "labels", "containerSecurityContext"},
}


def test_the_z2jh_values_use_the_charts_keys_and_the_roster():
    """Does deploy/z2jh/values.yaml parse, use only the chart's keys, let in exactly the
    example roster (教师 as admins), cull idle servers, limit each server, and share the
    exchange the way crmlab hub does?"""
    import yaml

    values = yaml.safe_load((ROOT / "deploy" / "z2jh" / "values.yaml").read_text(encoding="utf-8"))
    for section, keys in Z2JH_KEYS.items():
        node = values
        for part in filter(None, section.split(".")):
            node = node[part]
        assert set(node) <= keys, (section, set(node) - keys)

    members = read_roster(ROOT / "deploy" / "z2jh" / "名单示例.csv")
    auth = values["hub"]["config"]["Authenticator"]
    assert [str(user) for user in auth["allowed_users"]] == [m.id for m in members]
    assert set(auth["admin_users"]) == {m.id for m in members if m.is_instructor}
    hub_config = values["hub"]["config"]
    assert hub_config["JupyterHub"]["authenticator_class"].startswith("firstuseauthenticator")
    assert hub_config["FirstUseAuthenticator"]["create_users"] is False
    assert values["cull"]["enabled"] is True and values["cull"]["timeout"] > 0
    user = values["singleuser"]
    assert user["memory"]["limit"] and user["cpu"]["limit"]
    assert "path_includes_course = True" in user["extraFiles"]["nbgrader-config"]["stringData"]
    mounts = {m["mountPath"] for m in user["storage"]["extraVolumeMounts"]}
    assert user["extraEnv"]["CRMLAB_EXCHANGE"] in mounts
    for name, code in values["hub"]["extraConfig"].items():
        compile(code, name, "exec")
