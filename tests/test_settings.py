"""One typed settings object: environment over kgassist.toml over defaults; paths under home."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgstore import Settings


def test_defaults_are_embedded_and_under_home(tmp_path):
    s = Settings()
    assert s.home == tmp_path / ".kgassist"
    assert s.store_path == s.home / "store" and not s.is_endpoint
    assert s.db_url == f"sqlite:///{s.home / 'kgassist.db'}"
    assert s.index_dir.parent == s.models_dir.parent == s.home


def test_environment_overrides_the_toml_file(tmp_path, monkeypatch):
    (tmp_path / "kgassist.toml").write_text('home = "kb"\nsparql_limit = 50\nllm_model = "from-toml"\n')
    monkeypatch.setenv("KGASSIST_LLM_MODEL", "from-env")
    s = Settings()
    assert s.home == tmp_path / "kb" and s.sparql_limit == 50 and s.llm_model == "from-env"


def test_a_config_file_can_be_named_by_environment(tmp_path, monkeypatch):
    config = tmp_path / "elsewhere.toml"
    config.write_text('store_url = "http://127.0.0.1:7878/query"\n')
    monkeypatch.setenv("KGASSIST_CONFIG", str(config))
    s = Settings()
    assert s.is_endpoint and s.update_url == "http://127.0.0.1:7878/update"


def test_unknown_settings_are_rejected():
    with pytest.raises(Exception, match="sparql_limt"):
        Settings(sparql_limt=5)


def test_credentials_never_appear_in_public_settings(monkeypatch):
    monkeypatch.setenv("KGASSIST_DATABASE_URL", "postgresql://kg:s3cret@db.internal/kg")
    monkeypatch.setenv("KGASSIST_STORE_PASSWORD", "hunter2")
    public = str(Settings().public_dict())
    assert "s3cret" not in public and "hunter2" not in public
    assert "postgresql://kg:***@db.internal/kg" in public


def test_a_store_path_setting_selects_an_embedded_folder(tmp_path):
    assert Settings(store_url=str(tmp_path / "kg")).store_path == Path(tmp_path / "kg")
