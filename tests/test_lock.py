"""The lock files agree with pyproject.toml: whoever changes a dependency and forgets `make lock`
finds out here, offline, before a fresh install gets versions nobody tested."""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "uitkomst (pyproject.toml)"
# The machines the lock must install on: CI and developers run Debian on x86_64.
PYTHONS = ["3.11", "3.12", "3.13"]


@dataclass
class Pin:
    requirement: Requirement
    hashes: list[str]
    via: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return canonicalize_name(self.requirement.name)

    @property
    def version(self) -> Version | None:
        specs = list(self.requirement.specifier)
        if len(specs) == 1 and specs[0].operator == "==":
            return Version(specs[0].version)
        return None


def read_lock(text: str) -> list[Pin]:
    """Pins of a `uv pip compile --generate-hashes` file, each with its hashes and its `# via`."""
    pins: list[Pin] = []
    for line in text.replace("\\\n", " ").splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            if pins and line.startswith("    #"):
                source = stripped.lstrip("#").strip().removeprefix("via").strip()
                if source:
                    pins[-1].via.append(source)
            continue
        spec, *hashes = stripped.split(" --hash=")
        pins.append(Pin(Requirement(spec.strip()), [h.strip() for h in hashes]))
    return pins


def linux_x86_64(python: str) -> dict[str, str]:
    env = default_environment()
    env.update(
        python_version=python,
        python_full_version=f"{python}.0",
        implementation_name="cpython",
        platform_python_implementation="CPython",
        sys_platform="linux",
        os_name="posix",
        platform_system="Linux",
        platform_machine="x86_64",
    )
    return env


def lock_problems(pyproject: dict, lock_text: str, extras: list[str]) -> list[str]:
    """What is wrong with a lock for the project's dependencies plus `extras`; empty if nothing."""
    pins = read_lock(lock_text)
    wanted = [Requirement(r) for r in pyproject["project"]["dependencies"]]
    for extra in extras:
        wanted += [Requirement(r) for r in pyproject["project"]["optional-dependencies"][extra]]
    # `pip install --no-build-isolation -e .` takes the build backend from the lock too.
    build = [Requirement(r) for r in pyproject["build-system"]["requires"]]
    problems = [
        f"{pin.requirement}: not pinned with == and hashes"
        for pin in pins
        if pin.version is None or not pin.hashes
    ]
    per_python: dict[str, list[str]] = {}
    for python in PYTHONS:
        env = linux_x86_64(python)
        installed = {
            pin.name: pin.version
            for pin in pins
            if pin.requirement.marker is None or pin.requirement.marker.evaluate(env)
        }
        for req in wanted + build:
            if req.marker is not None and not req.marker.evaluate(env):
                continue
            version = installed.get(canonicalize_name(req.name))
            if version is None:
                per_python.setdefault(f"{req}: not in the lock", []).append(python)
            elif not req.specifier.contains(version, prereleases=True):
                per_python.setdefault(f"{req}: the lock has {version}", []).append(python)
    problems += [f"{problem} (Python {', '.join(pys)})" for problem, pys in per_python.items()]
    direct = {canonicalize_name(req.name) for req in wanted}
    problems += [
        f"{pin.name}: locked for {PROJECT}, which no longer asks for it"
        for pin in pins
        if PROJECT in pin.via and pin.name not in direct
    ]
    return sorted(set(problems))


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


@pytest.mark.parametrize(
    ("lock", "extras"), [("requirements/dev.txt", ["dev"]), ("requirements/runtime.txt", [])]
)
def test_lock_agrees_with_pyproject(lock, extras):
    problems = lock_problems(pyproject(), (ROOT / lock).read_text(), extras)
    assert not problems, f"{lock} is out of date; run `make lock`:\n" + "\n".join(problems)


def test_runtime_lock_has_the_versions_the_tests_run_with():
    """The Dockerfile installs requirements/runtime.txt; `make test` tests requirements/dev.txt."""
    dev = {pin.name: pin for pin in read_lock((ROOT / "requirements/dev.txt").read_text())}
    runtime = read_lock((ROOT / "requirements/runtime.txt").read_text())
    assert runtime
    for pin in runtime:
        assert pin.name in dev, f"{pin.name} is in the runtime lock only"
        assert pin.version == dev[pin.name].version, pin.name
        assert pin.hashes == dev[pin.name].hashes


LOCK = """\
# This file was autogenerated by uv via the following command:
#    make lock
fastapi==0.115.2 \\
    --hash=sha256:aa \\
    --hash=sha256:bb
    # via uitkomst (pyproject.toml)
setuptools==80.0.0 \\
    --hash=sha256:cc
uvloop==0.21.0 ; sys_platform != 'win32' \\
    --hash=sha256:dd
    # via
    #   uitkomst (pyproject.toml)
    #   uvicorn
"""


def fake_project(*dependencies: str) -> dict:
    return {
        "build-system": {"requires": ["setuptools>=68"]},
        "project": {"dependencies": list(dependencies), "optional-dependencies": {"dev": []}},
    }


def test_a_lock_that_matches_passes():
    assert lock_problems(fake_project("fastapi>=0.115,<1", "uvloop>=0.20"), LOCK, ["dev"]) == []


def test_a_range_the_lock_falls_outside_of_fails():
    problems = lock_problems(fake_project("fastapi>=0.116", "uvloop"), LOCK, [])
    assert problems == ["fastapi>=0.116: the lock has 0.115.2 (Python 3.11, 3.12, 3.13)"]


def test_a_new_dependency_missing_from_the_lock_fails():
    problems = lock_problems(fake_project("fastapi", "uvloop", "httpx>=0.27"), LOCK, [])
    assert problems == ["httpx>=0.27: not in the lock (Python 3.11, 3.12, 3.13)"]


def test_a_dependency_dropped_from_pyproject_but_still_locked_fails():
    problems = lock_problems(fake_project("fastapi"), LOCK, [])
    assert problems == ["uvloop: locked for uitkomst (pyproject.toml), which no longer asks for it"]


def test_a_pin_that_only_windows_gets_does_not_count_on_linux():
    lock = LOCK.replace("sys_platform != 'win32'", "sys_platform == 'win32'")
    problems = lock_problems(fake_project("fastapi", "uvloop"), lock, [])
    assert problems == ["uvloop: not in the lock (Python 3.11, 3.12, 3.13)"]


def test_an_unpinned_or_unhashed_entry_fails():
    lock = LOCK.replace("setuptools==80.0.0 \\\n    --hash=sha256:cc", "setuptools>=80")
    problems = lock_problems(fake_project("fastapi", "uvloop"), lock, [])
    assert "setuptools>=80: not pinned with == and hashes" in problems
