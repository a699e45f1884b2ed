"""LangChain chat models (``init_chat_model``) behind the core's ``ChatModel`` port.

Providers: any OpenAI-compatible server (``openai`` with a base URL: llama.cpp, vLLM,
Ollama, LM Studio), OpenAI, Anthropic (optional extra). The API key is read when the model
is first built and never logged or serialized.
"""

from __future__ import annotations

import logging
from typing import Any

from assistant.config import Settings
from assistant.errors import ConfigurationError, GeneratorError

log = logging.getLogger(__name__)


def response_format(local_server: bool, max_tokens: int) -> dict:
    """JSON constrained to the answer's schema on self-hosted OpenAI-compatible servers
    (llama.cpp, vLLM, Ollama, LM Studio), plain JSON mode on hosted OpenAI."""
    if not local_server:
        return {"type": "json_object"}
    from assistant.answering.llm import answer_schema

    return {"type": "json_schema", "json_schema": {"name": "answer", "schema": answer_schema(max_tokens)}}


class LangChainChatModel:
    def __init__(self, settings: Settings, model: Any | None = None) -> None:
        self._settings = settings
        self._model = model

    @property
    def name(self) -> str:
        return f"{self._settings.llm_provider}:{self._settings.llm_model or 'default'}"

    def _build(self) -> Any:
        if self._model is not None:
            return self._model
        s = self._settings
        if not s.llm_model:
            raise ConfigurationError("set AUDITPREP_LLM_MODEL to use the llm generator")
        from langchain.chat_models import init_chat_model

        kwargs: dict[str, Any] = {
            "model": s.llm_model,
            "model_provider": s.llm_provider,
            "temperature": s.llm_temperature,
            "timeout": s.llm_timeout_s,
            "max_tokens": s.llm_max_tokens,
            "max_retries": 0,
        }
        key = s.llm_api_key.get_secret_value()
        if s.llm_provider == "openai":
            kwargs["base_url"] = s.llm_base_url or None
            kwargs["api_key"] = key or "not-needed"  # local OpenAI-compatible servers ignore it
            kwargs["model_kwargs"] = {"response_format": response_format(bool(s.llm_base_url), s.llm_max_tokens)}
        elif key:
            kwargs["api_key"] = key
        try:
            self._model = init_chat_model(**kwargs)
        except ImportError as exc:
            raise ConfigurationError(f"the {s.llm_provider} provider needs an extra package: {exc.name}") from None
        except Exception as exc:
            raise ConfigurationError(f"cannot configure the {s.llm_provider} model: {type(exc).__name__}") from None
        return self._model

    def complete(self, system: str, user: str) -> str:
        from langchain_core.messages import HumanMessage, SystemMessage

        model = self._build()
        try:
            result = model.invoke([SystemMessage(content=system), HumanMessage(content=user)])
        except Exception as exc:  # timeouts, HTTP errors, malformed responses
            raise GeneratorError(f"{self.name} failed: {type(exc).__name__}") from None
        content = result.content if hasattr(result, "content") else result
        if isinstance(content, list):
            content = "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
        return str(content)
