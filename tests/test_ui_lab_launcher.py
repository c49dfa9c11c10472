"""setup/open_lab.py, the course's lab launcher, without starting a lab (the browser test,
tests/ui/, starts one: `make test-ui`)."""

from __future__ import annotations

from pathlib import Path

import json5
import jsonschema
import pytest

import lab_runner
import open_lab
import register_kernel
from conftest import REPO_ROOT


def option(command: list[str], name: str) -> str:
    values = [arg.split("=", 1)[1] for arg in command if arg.startswith(f"--{name}=")]
    assert len(values) == 1, f"--{name} given {len(values)} times in {command}"
    return values[0]


def test_the_lab_listens_on_loopback_and_serves_the_repository():
    command = open_lab.lab_command([], python="python", as_root=False)
    assert command[:3] == ["python", "-m", "jupyterlab"]
    assert option(command, "ServerApp.ip") == "127.0.0.1"
    assert Path(option(command, "ServerApp.root_dir")) == REPO_ROOT
    assert not any("token" in arg or "password" in arg for arg in command)  # Jupyter's token


def test_the_printed_url_lands_on_notebook_00():
    landing = option(open_lab.lab_command([], as_root=False), "LabApp.default_url")
    assert landing.startswith("/lab/tree/")
    notebook = REPO_ROOT / landing.removeprefix("/lab/tree/")
    assert notebook.parent.name == "notebooks" and notebook.name.startswith("00_")
    assert notebook.exists()


def test_the_course_kernel_is_the_default():
    command = open_lab.lab_command([], as_root=False)
    assert (
        option(command, "MappingKernelManager.default_kernel_name") == register_kernel.KERNEL_NAME
    )


@pytest.mark.parametrize("as_root", [False, True])
def test_allow_root_only_as_root_and_extra_arguments_pass_through(as_root):
    command = open_lab.lab_command(["--no-browser", "--port=0"], as_root=as_root)
    assert ("--allow-root" in command) == as_root
    assert command[-2:] == ["--no-browser", "--port=0"]


def test_printed_url_pattern_reads_jupyters_line():
    line = (
        "[I 2026-11-28 01:33:21.307 ServerApp] http://127.0.0.1:36545/lab/tree/notebooks/"
        "00_setup_check.ipynb?token=9b5266cbab4d787cd738f66ec579edc87e858766604c26b1"
    )
    found = lab_runner.PRINTED_URL.search(line)
    assert found.group(1) == "http://127.0.0.1:36545"
    assert found.group(2) == "/lab/tree/notebooks/00_setup_check.ipynb"
    assert found.group(3) == "9b5266cbab4d787cd738f66ec579edc87e858766604c26b1"


def installed_schema(plugin: str) -> dict:
    """The JSON schema of a JupyterLab plugin, from the installed JupyterLab."""
    from jupyterlab.commands import get_app_dir

    package, name = plugin.split(":")
    path = Path(get_app_dir()) / "schemas" / package / f"{name}.json"
    assert path.exists(), f"{plugin}: no such plugin in this JupyterLab ({path})"
    return json5.loads(path.read_text())


def test_every_setting_exists_in_the_installed_jupyterlab_and_is_valid():
    overrides = json5.loads(open_lab.SETTINGS_SOURCE.read_text())
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    for plugin, settings in overrides.items():
        properties = installed_schema(plugin)["properties"]
        for key, value in settings.items():
            assert key in properties, f"{plugin} has no setting {key!r}"
            jsonschema.validate(value, properties[key])


def test_settings_are_installed_once(tmp_path):
    target = tmp_path / "settings" / "overrides.d" / open_lab.SETTINGS_NAME
    assert open_lab.install_settings(target) is True
    assert target.read_bytes() == open_lab.SETTINGS_SOURCE.read_bytes()
    assert open_lab.install_settings(target) is False
    target.write_text("{}")
    assert open_lab.install_settings(target) is True
