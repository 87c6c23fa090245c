"""The one YAML settings loader: every problem of a settings file in one message, one format."""

import re
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, Field

from titanic_model.settings_yaml import SettingsError, load_yaml_settings


class Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    share: float = Field(ge=0, le=1)


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    inner: Inner
    sizes: list[int]


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_file_is_the_model(tmp_path: Path) -> None:
    path = _file(tmp_path, "name: a\ninner: {share: 0.5}\nsizes: [1, 2]\n")
    assert load_yaml_settings(path, Settings, "demo") == Settings(
        name="a", inner=Inner(share=0.5), sizes=[1, 2]
    )


def test_every_bad_field_is_a_line_of_its_own(tmp_path: Path) -> None:
    path = _file(tmp_path, "inner: {share: 2, extra: 1}\nsizes: [1, x]\n")
    with pytest.raises(SettingsError) as raised:
        load_yaml_settings(path, Settings, "demo")
    header, *lines = str(raised.value).split("\n")
    assert header == f"invalid demo file {path}:"
    assert [line.split(": ")[0] for line in lines] == [
        "  name",
        "  inner.share",
        "  inner.extra",
        "  sizes.1",
    ]
    assert lines[0] == "  name: Field required"


def test_a_document_that_is_not_a_mapping_is_named_as_the_top_level(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r":\n  \(top level\): "):
        load_yaml_settings(_file(tmp_path, "- a list\n"), Settings, "demo")


def test_unreadable_and_not_yaml_name_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yml"
    with pytest.raises(SettingsError, match=f"^cannot read demo file {re.escape(str(missing))}: "):
        load_yaml_settings(missing, Settings, "demo")
    broken = _file(tmp_path, "name: [unclosed\n")
    with pytest.raises(SettingsError, match=f"^demo file {re.escape(str(broken))} is not YAML: "):
        load_yaml_settings(broken, Settings, "demo")


def test_a_caller_can_raise_its_own_error(tmp_path: Path) -> None:
    class OwnError(RuntimeError):
        pass

    with pytest.raises(OwnError, match=r"^invalid demo file"):
        load_yaml_settings(_file(tmp_path, "name: a\n"), Settings, "demo", OwnError)
