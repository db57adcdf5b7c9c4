"""Misconfiguration is one line saying what to do, exit 1, never a traceback; the names of each
choice are defined once and every registry and command reads them."""

from __future__ import annotations

import shutil
import typing
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from kgstore.settings import AnswerMode, ExtractorName, KGEModelName, LLMBackend, choices

from .helpers import SAMPLE


def kgassist(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env)


def one_line_error(result) -> str:  # noqa: ANN001
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), lines
    return lines[0]


@pytest.mark.parametrize(("variable", "value", "command", "says"), [
    ("KGASSIST_EXTRACTORS", "pattern", ["stats"], "unknown extractor 'pattern'; choose from patterns, table, llm"),
    ("KGASSIST_LLM_BACKEND", "vlm", ["stats"], "'transformers', 'vllm' or 'openai'"),
    ("KGASSIST_ANSWER_MODE", "both", ["stats"], "'hybrid', 'graph', 'retrieval' or 'agent'"),
    ("KGASSIST_KGE_MODEL", "transr", ["stats"], "'transe', 'distmult', 'complex' or 'rotate'"),
    ("KGASSIST_INDEX_KIND", "annoy", ["stats"], "'flat', 'hnsw' or 'ivf'"),
])
def test_an_unknown_name_in_the_settings_is_one_line_naming_the_choices(variable, value, command, says):
    line = one_line_error(kgassist(*command, env={variable: value}))
    assert variable in line and says in line


def test_a_model_folder_that_holds_no_model_is_one_line(tmp_path):
    (tmp_path / "not-a-model").mkdir()
    assert kgassist("init").exit_code == 0
    line = one_line_error(kgassist("ask", "What does lisinopril treat?",
                                   env={"KGASSIST_LLM_MODEL": str(tmp_path / "not-a-model")}))
    assert "not a transformers model folder" in line and "KGASSIST_LLM_MODEL" in line
    line = one_line_error(kgassist("ask", "What does lisinopril treat?",
                                   env={"KGASSIST_EMBEDDING_MODEL": str(tmp_path / "not-a-model")}))
    assert "not a sentence-transformers model folder" in line


def test_an_index_built_with_another_embedding_model_is_one_line(tmp_path):
    from ingestion.embed import model_path

    assert kgassist("ingest", str(SAMPLE / "medical")).exit_code == 0
    other = tmp_path / "other-minilm"  # a real model under another name
    shutil.copytree(model_path("all-MiniLM-L6-v2"), other)
    line = one_line_error(kgassist("ask", "What does lisinopril treat?", env={"KGASSIST_EMBEDDING_MODEL": str(other)}))
    assert "made with the embedding model 'all-MiniLM-L6-v2'" in line and "KGASSIST_EMBEDDING_MODEL" in line


def test_the_command_line_offers_exactly_the_names_the_settings_admit():
    options = {(c.name, p.name): tuple(p.type.choices) for c in [cli.commands["ask"], cli.commands["ingest"],
                                                                 cli.commands["finetune"].commands["kge"]]
               for p in c.params if hasattr(p.type, "choices")}
    assert options[("ask", "backend")] == choices(LLMBackend)
    assert options[("ask", "mode")] == choices(AnswerMode)
    assert options[("ingest", "extractors")] == choices(ExtractorName)
    assert options[("kge", "model")] == choices(KGEModelName)


def test_every_registry_implements_exactly_the_names_the_settings_admit():
    from assistant.answer import MODES
    from assistant.llm import LOADERS
    from finetune.kge import MODELS, PRESETS

    assert tuple(LOADERS) == choices(LLMBackend)
    assert MODES == choices(AnswerMode)
    assert MODELS == tuple(PRESETS) == choices(KGEModelName)
    assert all(isinstance(name, str) for kind in (LLMBackend, ExtractorName) for name in typing.get_args(kind))


def test_the_app_offers_the_settings_answer_modes():
    source = (Path(__file__).parents[1] / "ui" / "views" / "chat.py").read_text()
    assert '"hybrid", "graph", "retrieval"' not in source
