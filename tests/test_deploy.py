"""The deployment files hold together. No container runtime runs here (no Docker daemon, no
registry for the base image), so the Dockerfile's own steps are run outside one: its build stage
on exactly the files it copies, its HEALTHCHECK command against a live health endpoint."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import sys
import zipfile

from bot.health import Health, HealthServer
from tests.conftest import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def build_stage_copies() -> list[str]:
    """The sources the build stage copies (``COPY a b ./`` and ``COPY dir dir``)."""
    stage = DOCKERFILE.split("\nFROM ", 2)[1]
    sources: list[str] = []
    for line in stage.splitlines():
        if line.startswith("COPY ") and "--from" not in line:
            sources += line.split()[1:-1]
    return sources


def test_the_build_stage_makes_a_wheel_from_what_it_copies(tmp_path):
    """``pip wheel .`` on a folder holding only what the Dockerfile copies: the wheel has the
    bot, the compiled BM25 kernel, and runs ``python -m bot --help`` from its own files."""
    source = tmp_path / "src"
    source.mkdir()
    for name in build_stage_copies():
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy2
        copy(ROOT / name, source / name)  # type: ignore[operator]
    for leftover in [*source.rglob("__pycache__"), *source.rglob("*.so")]:
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "w"), "."],
        cwd=source, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (wheel,) = (tmp_path / "w").glob("vn_qa_bot-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "bot/__main__.py" in names and "retrieval/engine.py" in names
    assert any(re.fullmatch(r"retrieval/index/_forward\..*\.so", n) for n in names)
    assert not any(n.startswith(("tests/", "bench/", "data/")) for n in names)
    zipfile.ZipFile(wheel).extractall(tmp_path / "site")
    run = subprocess.run(
        [sys.executable, "-c", "import bot, retrieval.index._forward as f; print(bot.__file__, f.__file__)"],
        env={"PYTHONPATH": str(tmp_path / "site"), "PATH": ""}, cwd=tmp_path, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    assert run.stdout.count(str(tmp_path / "site")) == 2  # from the wheel, not the checkout


def healthcheck_command(port: int) -> list[str]:
    line = next(line for line in DOCKERFILE.replace("\\\n", " ").splitlines() if line.startswith("HEALTHCHECK"))
    command = json.loads(line.split(" CMD ", 1)[1])
    assert command[0] == "python"
    return [sys.executable, command[1], command[2].replace(":8080/", f":{port}/")]


async def test_the_healthcheck_is_healthy_only_while_the_bot_serves():
    assert re.search(r"HEALTH_PORT=8080\b", DOCKERFILE)  # the port the HEALTHCHECK asks
    health = Health()

    async def details() -> dict[str, object]:
        return {}

    server = HealthServer(health, details)
    port = await server.start("127.0.0.1", 0)
    try:

        async def check() -> int:
            process = await asyncio.create_subprocess_exec(
                *healthcheck_command(port), stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
            )
            return await asyncio.wait_for(process.wait(), 30)

        assert await check() != 0  # starting: unhealthy
        health.state = "serving"
        assert await check() == 0
    finally:
        await server.stop()


def test_compose_pins_the_images_paths_and_keeps_secrets_out_of_the_image():
    compose = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    for name in ("DATA_DIR", "DB_PATH", "HEALTH_PORT"):
        image = re.search(rf"{name}=(\S+)", DOCKERFILE)
        pinned = re.search(rf"{name}: \"?([^\"\s]+)", compose)
        assert image and pinned and image.group(1) == pinned.group(1), name
    assert "bot-data:/var/lib/bot" in compose and "VOLUME /var/lib/bot" in DOCKERFILE
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert ".env" in ignored and "var" in ignored  # the token and the database never enter an image
    unit = (ROOT / "deploy" / "vn-qa-bot.service").read_text(encoding="utf-8")
    assert "ExecStart=/opt/vn-qa-bot/.venv/bin/python -m bot run" in unit and "RestartPreventExitStatus=2" in unit
