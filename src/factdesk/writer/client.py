"""An OpenAI-compatible chat client (OpenAI, vLLM, llama.cpp's server, Ollama, ...).

Configuration comes from the environment:
  FACTDESK_LLM_BASE_URL   the server's /v1 URL (default: OpenAI's)
  FACTDESK_LLM_MODEL      the model name (required)
  FACTDESK_LLM_API_KEY    the key, else OPENAI_API_KEY (optional for a local server)
  FACTDESK_LLM_TIMEOUT    seconds to wait for one answer (default 60)
Every failure of the endpoint becomes a WriterError with a one-line message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_TIMEOUT = 60.0


class WriterError(Exception):
    """The language-model writer cannot be used; the message is one line for the user."""


@dataclass(slots=True)
class LLMConfig:
    model: str
    base_url: str | None = None
    api_key: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_env(cls) -> "LLMConfig":
        env = os.environ
        model = env.get("FACTDESK_LLM_MODEL", "").strip()
        if not model:
            raise WriterError("FACTDESK_LLM_MODEL is not set (the model name the server should use)")
        base_url = env.get("FACTDESK_LLM_BASE_URL", "").strip() or None
        api_key = env.get("FACTDESK_LLM_API_KEY") or env.get("OPENAI_API_KEY") or None
        if api_key is None and base_url is None:
            raise WriterError("set FACTDESK_LLM_API_KEY or OPENAI_API_KEY, "
                              "or FACTDESK_LLM_BASE_URL for a local OpenAI-compatible server")
        raw_timeout = env.get("FACTDESK_LLM_TIMEOUT", "").strip()
        try:
            timeout = float(raw_timeout) if raw_timeout else DEFAULT_TIMEOUT
        except ValueError:
            raise WriterError(f"FACTDESK_LLM_TIMEOUT must be a number of seconds, not {raw_timeout!r}") from None
        if timeout <= 0:
            raise WriterError(f"FACTDESK_LLM_TIMEOUT must be positive, not {raw_timeout!r}")
        return cls(model, base_url, api_key, timeout)


class ChatClient:
    """One chat completion per call; no automatic retries (the writer decides what to ask again)."""

    def __init__(self, config: LLMConfig):
        try:
            import openai
        except ImportError:
            raise WriterError("the llm writer needs the openai package: pip install 'factdesk[llm]'") from None
        self.config = config
        self._openai = openai
        # Local servers accept any key, but the openai package insists on one.
        self._client = openai.OpenAI(base_url=config.base_url, api_key=config.api_key or "unused",
                                     timeout=config.timeout, max_retries=0)

    @classmethod
    def from_env(cls) -> "ChatClient":
        return cls(LLMConfig.from_env())

    @property
    def model(self) -> str:
        return self.config.model

    @property
    def endpoint(self) -> str:
        return str(self._client.base_url).rstrip("/")

    def complete(self, messages: list[dict]) -> str:
        """The assistant's answer text; any failure raises WriterError."""
        openai = self._openai
        where = self.endpoint
        try:
            response = self._client.chat.completions.create(model=self.config.model, messages=messages,
                                                            temperature=0)
        except openai.APITimeoutError:
            raise WriterError(f"no answer from {where} within {self.config.timeout:g} s") from None
        except openai.APIConnectionError as err:
            raise WriterError(f"cannot reach {where}: {_cause(err)}") from None
        except openai.RateLimitError:
            raise WriterError(f"{where} refused the request: rate limit (HTTP 429)") from None
        except openai.APIStatusError as err:
            raise WriterError(f"{where} answered HTTP {err.status_code}: {_status_message(err)}") from None
        except openai.OpenAIError as err:
            raise WriterError(f"{where}: {_one_line(str(err))}") from None
        choices = getattr(response, "choices", None) or []
        content = choices[0].message.content if choices and choices[0].message else None
        if not content:
            raise WriterError(f"{where} returned an empty answer")
        return content


def _status_message(err) -> str:
    """The server's own error message when its body has one (OpenAI's {"error": {"message": ...}})."""
    body = err.body
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return _one_line(body["message"])
    return _one_line(err.message)


def _cause(err: BaseException) -> str:
    root = err.__cause__ or err.__context__ or err
    return _one_line(str(root) or type(root).__name__)


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
