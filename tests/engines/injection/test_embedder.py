"""Real all-MiniLM-L6-v2 embeddings: unit vectors, meaning-preserving, cached, windowed."""

from __future__ import annotations

import numpy as np

from agentshield.engines.injection.embedder import DIMENSIONS, Embedder


def test_vectors_are_unit_length_and_deterministic(embedder: Embedder) -> None:
    texts = ["The cat sat on the mat.", "Quarterly revenue grew by 4%."]
    first = embedder.embed(texts)
    assert first.shape == (2, DIMENSIONS)
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(embedder.embed(texts), first, atol=1e-6)


def test_paraphrases_are_closer_than_unrelated_texts(embedder: Embedder) -> None:
    a, b, c = embedder.embed(
        ["How do I reset my password?", "I forgot my password, how can I change it?", "Pasta"]
    )
    assert a @ b > 0.6 > a @ c


def test_batch_matches_one_by_one(embedder: Embedder) -> None:
    texts = ["short", "a somewhat longer sentence about the weather in Lisbon", ""]
    fresh = Embedder(embedder.files, cache_size=0, batch_size=2)
    together = fresh.embed(texts)
    alone = np.vstack([fresh.embed([t]) for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-4)


def test_cache_is_bounded_and_keyed_by_text(embedder: Embedder) -> None:
    small = Embedder(embedder.files, cache_size=2)
    small.embed(["one", "two", "three"])
    assert len(small._cache) == 2
    vector = small.embed(["three"])
    np.testing.assert_allclose(vector, embedder.embed(["three"]), atol=1e-6)


def test_long_text_is_read_in_windows(embedder: Embedder) -> None:
    long_text = " ".join(f"sentence number {i} about rivers." for i in range(200))
    (windows,) = embedder.embed_windows([long_text])
    assert windows.shape[0] > 1
    assert embedder.embed_windows(["short"])[0].shape[0] == 1


def test_identity_names_model_and_tokenizer(embedder: Embedder) -> None:
    assert embedder.identity.startswith("all-MiniLM-L6-v2-onnx-int8@")
    assert "|tok:" in embedder.identity


def test_thread_count_does_not_change_vectors(embedder: Embedder) -> None:
    # The session's threading (and its non-spinning workers) only schedule the work: scores
    # must be the same whatever the machine's core count.
    text = ("Quarterly figures: revenue rose in every region while costs held steady. " * 8)[:500]
    one = Embedder(embedder.files, cache_size=0, threads=1).embed_windows([text])[0]
    two = Embedder(embedder.files, cache_size=0, threads=2).embed_windows([text])[0]
    np.testing.assert_array_equal(one, two)
