"""The two real form engines, driven from Python: JavaRosa (the engine inside ODK Collect, through
tests/odk/java/FillForm.java and the JavaRosa that ships in pyxform's ODK_Validate.jar) and
@getodk/xforms-engine (ODK Web Forms' engine, through tests/js/webforms.mjs in Node).

Both take the same answers: `{"question name or /data/path": value, "repeat name": [{...}, ...],
"image question": "file name"}`, and give a `Filled` instance, or raise `FillError` with the
question and the reason the engine refused (a constraint, a required answer, a choice not offered).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyxform

ROOT = Path(__file__).resolve().parents[3]
ODK_VALIDATE_JAR = Path(pyxform.__file__).parent / "validators/odk_validate/bin/ODK_Validate.jar"
JAVA_SOURCE = ROOT / "tests/odk/java/FillForm.java"


class FillError(Exception):
    """The engine refused the answers, as Collect would stop the surveyor on that question."""

    def __init__(self, detail: dict[str, Any]) -> None:
        super().__init__(f"{detail.get('kind')} at {detail.get('question')}: {detail}")
        self.detail = detail


@dataclass(frozen=True)
class Filled:
    """A finalized instance: its XML, the files it references, and what the surveyor saw."""

    xml: str
    attachments: dict[str, bytes]
    labels: dict[str, str | None]
    choices: dict[str, dict[str, str]]
    asked: list[str]
    languages: list[str]
    language: str | None
    xml_filename: str = "submission.xml"


def _run(command: list[str], cwd: Path | None = None) -> dict[str, Any]:
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=120, check=False, cwd=cwd
    )
    lines = completed.stdout.strip().splitlines()
    if completed.returncode not in (0, 3) or not lines:
        raise RuntimeError(f"{command[0]} failed ({completed.returncode}): {completed.stderr}")
    output: dict[str, Any] = json.loads(lines[-1])
    if "error" in output:
        raise FillError(output["error"])
    return output


def _answers_file(directory: Path, answers: dict[str, Any]) -> Path:
    path = directory / "answers.json"
    path.write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
    return path


class JavaRosa:
    """FillForm compiled once per session; one JVM per fill (about half a second)."""

    def __init__(self, classes: Path) -> None:
        self.classes = classes

    @classmethod
    def compile(cls, into: Path) -> JavaRosa:
        subprocess.run(
            ["javac", "-nowarn", "-cp", str(ODK_VALIDATE_JAR), "-d", str(into), str(JAVA_SOURCE)],
            check=True,
            capture_output=True,
            timeout=120,
        )
        return cls(into)

    def fill(
        self,
        form: Path,
        media_dir: Path,
        answers: dict[str, Any],
        *,
        files_dir: Path | None = None,
        previous: str | None = None,
        language: str | None = None,
    ) -> Filled:
        with tempfile.TemporaryDirectory() as work:
            command = [
                "java",
                "-cp",
                f"{ODK_VALIDATE_JAR}{os.pathsep}{self.classes}",
                "FillForm",
                str(form),
                str(media_dir),
                str(_answers_file(Path(work), answers)),
            ]
            if previous is not None:
                (Path(work) / "previous.xml").write_text(previous, encoding="utf-8")
                command += ["--instance", str(Path(work) / "previous.xml")]
            if language is not None:
                command += ["--language", language]
            output = _run(command)
        source = files_dir or media_dir
        return Filled(
            xml=output["xml"],
            attachments={name: (source / name).read_bytes() for name in output["attachments"]},
            labels=output["labels"],
            choices=output["choices"],
            asked=output["asked"],
            languages=output["languages"],
            language=output["language"],
        )


class WebForms:
    """tests/js/webforms.mjs in Node: one process per fill."""

    def __init__(self, script: Path) -> None:
        self.script = script

    def fill(
        self,
        form: Path,
        media_dir: Path,
        answers: dict[str, Any],
        *,
        files_dir: Path | None = None,
        previous: str | None = None,
        language: str | None = None,
    ) -> Filled:
        with tempfile.TemporaryDirectory() as work:
            out = Path(work) / "payload"
            out.mkdir()
            command = [
                "node",
                str(self.script),
                str(form),
                str(media_dir),
                str(_answers_file(Path(work), answers)),
                str(out),
                "--files",
                str(files_dir or media_dir),
            ]
            if previous is not None:
                (Path(work) / "previous.xml").write_text(previous, encoding="utf-8")
                command += ["--instance", str(Path(work) / "previous.xml")]
            if language is not None:
                command += ["--language", language]
            output = _run(command, cwd=self.script.parent)
            parts = {part["part"]: part["name"] for part in output["files"]}
            xml_name = parts.pop("xml_submission_file")
            attachments = {part: (out / name).read_bytes() for part, name in parts.items()}
        return Filled(
            xml=output["xml"],
            attachments=attachments,
            labels=output["labels"],
            choices=output["choices"],
            asked=output["asked"],
            languages=output["languages"],
            language=output["language"],
            xml_filename=xml_name,
        )


def missing_java() -> str | None:
    """Why JavaRosa cannot run here (None when java and javac are both on the PATH)."""
    absent = [tool for tool in ("java", "javac") if shutil.which(tool) is None]
    if absent:
        return f"needs {' and '.join(absent)} (Debian's default-jdk-headless; .ci/run installs it)"
    return None
