"""A class arriving at once: 30 students log in to `crmlab hub` and start their servers together.

Runs the real command (as root, on a free loopback port, with a throw-away --root and roster),
logs every student in on the hub's login page (first login: the initial password and a new
one), asks the hub for all servers at the same moment, and waits until each answers through the proxy. Prints the time
until all are ready, the memory of each idle server (its cgroup's usage, or the RSS of its
processes), and the failures (goal: 0). Every account, home, process and folder is removed at
the end. `make bench-hub`; figures are noisy on a shared machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import Hub, unique_prefix, write_roster  # noqa: E402
from crmlab.commands.hub.roster import unix_name  # noqa: E402
from crmlab.commands.hub.spawner import CONTROLLERS, cgroup_path  # noqa: E402
from crmlab.grading import cgroups  # noqa: E402


def server_memory(login: str) -> float:
    """MiB used by ``login``'s server: its memory cgroup, else the RSS of its processes."""
    used = cgroups.existing(cgroup_path(unix_name(login)), CONTROLLERS).memory_used()
    if used is not None:
        return used / 2**20
    import pwd

    from crmlab.commands.hub.accounts import processes_of

    total = 0
    for pid in processes_of(pwd.getpwnam(unix_name(login)).pw_uid):
        try:
            fields = Path(f"/proc/{pid}/status").read_text().split("VmRSS:")[1].split()
            total += int(fields[0]) * 1024
        except (OSError, IndexError):
            continue
    return total / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    args = parser.parse_args()
    prefix = unique_prefix()
    students = [f"{prefix}s{n:02d}" for n in range(1, args.students + 1)]
    scratch = Path("/tmp") / f"crmlab-bench-{prefix}.csv"
    roster = write_roster(scratch, [(f"{prefix}t1", "王老师", "教师"),
                                    *((s, f"学生{n}", "学生") for n, s in enumerate(students, 1))])
    started = time.monotonic()
    hub = Hub(roster)
    print(f"crmlab hub set up and started in {time.monotonic() - started:.0f} s "
          f"({args.students} students + 1 instructor, {hub.url})", flush=True)
    failures: list[str] = []
    try:
        with ThreadPoolExecutor(max_workers=len(students)) as pool:
            sessions = dict(zip(students, pool.map(hub.session, students), strict=True))
        failures += [f"{s}: login refused" for s, session in sessions.items() if session is None]
        t0 = time.monotonic()

        def start(login: str) -> float | None:
            try:
                hub.start_server(sessions[login], login, timeout=600)
            except Exception as error:  # noqa: BLE001 - a failure is a figure here
                failures.append(f"{login}: {str(error).splitlines()[0]}")
                return None
            return time.monotonic() - t0

        with ThreadPoolExecutor(max_workers=len(students)) as pool:
            ready = [t for t in pool.map(start, [s for s in students if sessions[s]]) if t]
        all_ready = time.monotonic() - t0
        time.sleep(20)  # let the servers settle to idle
        memory = [server_memory(s) for s in students if sessions[s]]
        print(f"servers ready: {len(ready)}/{len(students)}; all ready after {all_ready:.1f} s "
              f"(median {statistics.median(ready):.1f} s, first {min(ready):.1f} s)" if ready else
              "no server became ready")
        if memory:
            print(f"memory per idle server: median {statistics.median(memory):.0f} MiB, "
                  f"max {max(memory):.0f} MiB, total {sum(memory) / 1024:.2f} GiB")
        print(f"failures: {len(failures)}")
        for failure in failures:
            print(f"  {failure}")
    finally:
        hub.cleanup()
        scratch.unlink(missing_ok=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
