"""The encoder graph onnxruntime runs: all-MiniLM-L6-v2 rebuilt from the installed int8
export, with integer matrix products.

The export stores each weight matrix as int8 with one float scale per output column, and
dequantises it in the graph; onnxruntime folds that into float32 weights when it loads, so
the model ran as ~1 GMAC of float32 products for a 500-character text. Here the same int8
weights feed onnxruntime's integer kernels directly (`DynamicQuantizeMatMul`, and
`QAttention` for the query/key/value projection and the attention itself): the activations
are quantised to uint8 per call. That moves the vectors a little (cosine ~0.995 to the
float graph), so the classifier is trained on this graph's output and the pipeline
fingerprint names it (`GRAPH`).

onnxruntime would fuse each residual Add and LayerNormalization into its contrib
SkipLayerNormalization, whose CPU kernel is ~7x slower here (280 us against 40 us for 93
tokens): `UNFUSED` names that optimiser, for the session to disable.

The graph takes one window without padding (`input_ids` of shape (1, tokens)): the
activation scale is then a property of the window alone, so a text's vector never depends
on what it is batched with.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from agentshield.engines.injection import proto

GRAPH = "int8mm-1"  # changes whenever the graph below computes something different
HIDDEN, HEADS = 384, 12
EPSILON = 1e-12
_LAYER = "inner.encoder.layer.{}."
_EMBEDDINGS = "inner.embeddings."
MS = "com.microsoft"
UNFUSED = ["SkipLayerNormFusion"]


def build(model: Path, layers: int) -> tuple[bytes, dict[str, np.ndarray]]:
    """The first `layers` transformer layers of the model file: the serialised graph, whose
    output `last_hidden_state` has shape (1, tokens, 384), and its weights by name."""
    weights, nodes = proto.read_model(model.read_bytes())
    # The projection matrices, in graph order: query, key, value, output, FFN in, FFN out.
    matrices = [inputs[1] for op, inputs in nodes if op == "MatMul" and inputs[1] + "_q" in weights]
    if not 1 <= layers <= len(matrices) // 6:
        raise ValueError(f"layers must be 1 to {len(matrices) // 6}, not {layers}")
    graph = _Builder(weights)
    graph.embeddings()
    for layer in range(layers):
        graph.layer(layer, matrices[6 * layer : 6 * layer + 6], last=layer == layers - 1)
    return graph.serialise(), graph.arrays


class _Builder:
    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        self.weights = weights
        self.nodes: list[bytes] = []
        self.initializers: list[bytes] = []
        self.arrays: dict[str, np.ndarray] = {}
        self.x = "embedded"

    def const(self, name: str, array: np.ndarray) -> str:
        self.arrays[name] = np.ascontiguousarray(array)
        self.initializers.append(proto.external(name, self.arrays[name]))
        return name

    def node(self, op: str, inputs: list[str], output: str, domain: str = "", **attrs: Any) -> str:
        self.nodes.append(proto.node(op, inputs, [output], domain, **attrs))
        return output

    def embeddings(self) -> None:
        w, table = self.weights, _EMBEDDINGS + "word_embeddings.weight"
        # Every token has type 0, so its type embedding is folded into the positions.
        name = _EMBEDDINGS + "position_embeddings.weight"
        positions = w[name + "_q"].astype(np.float32) * w[name + "_scale"]
        positions += w[_EMBEDDINGS + "token_type_embeddings.weight"][0]
        # The word table stays int8 (12 MB, not 47): only the text's rows are dequantised,
        # with the same float32 product the export's graph computes.
        rows = self.node("Gather", [self.const("words", w[table + "_q"]), "input_ids"], "rows")
        scales = self.node(
            "Gather", [self.const("word_scales", w[table + "_scale"]), "input_ids"], "row_scales"
        )
        as_float = self.node("Cast", [rows], "rows_float", to=proto.FLOAT)
        words = self.node("Mul", [as_float, scales], "word_vectors")
        length = self.node("Shape", ["input_ids"], "length", start=1, end=2)
        zero = self.const("zero", np.array([0], np.int64))
        position = self.node(
            "Slice", [self.const("positions", positions), zero, length, zero], "position_vectors"
        )
        summed = self.node("Add", [words, position], "summed")
        self.x = self.layer_norm(summed, _EMBEDDINGS + "LayerNorm.", "embedded")

    def layer(self, index: int, matrices: list[str], *, last: bool) -> None:
        w, p, n = self.weights, _LAYER.format(index), f"l{index}."
        # uint8 input, its scale and zero point, as QAttention takes them
        scaled = [n + "xq", n + "xs", n + "xz"]
        self.nodes.append(proto.node("DynamicQuantizeLinear", [self.x], scaled))
        qkv = matrices[:3]
        attended = self.node(
            "QAttention",
            [
                scaled[0],
                self.const(n + "qkv.w", np.concatenate([w[m + "_q"] for m in qkv], axis=1)),
                self.const(
                    n + "qkv.b",
                    np.concatenate(
                        [w[f"{p}attention.self.{k}.bias"] for k in ("query", "key", "value")]
                    ),
                ),
                scaled[1],
                self.const(n + "qkv.s", np.concatenate([w[m + "_scale"].ravel() for m in qkv])),
                "",  # no mask: one window, no padding
                scaled[2],
            ],
            n + "attended",
            MS,
            num_heads=HEADS,
        )
        out = self.matmul(attended, matrices[3], p + "attention.output.dense.bias", n + "o")
        self.x = self.layer_norm(out, p + "attention.output.LayerNorm.", n + "x1", residual=self.x)
        inner = self.matmul(self.x, matrices[4], p + "intermediate.dense.bias", n + "ffn1")
        gelu = self.node("Gelu", [inner], n + "gelu", MS)
        out = self.matmul(gelu, matrices[5], p + "output.dense.bias", n + "ffn2")
        name = "last_hidden_state" if last else n + "x2"
        self.x = self.layer_norm(out, p + "output.LayerNorm.", name, residual=self.x)

    def matmul(self, x: str, matrix: str, bias: str, name: str) -> str:
        w = self.weights
        inputs = [
            x,
            self.const(name + ".w", w[matrix + "_q"]),
            self.const(name + ".s", w[matrix + "_scale"].ravel()),
            "",  # symmetric weights: no zero point
            self.const(name + ".b", w[bias]),
        ]
        return self.node("DynamicQuantizeMatMul", inputs, name, MS)

    def layer_norm(self, x: str, prefix: str, name: str, residual: str = "") -> str:
        if residual:
            x = self.node("Add", [x, residual], name + ".sum")
        gamma = self.const(name + ".g", self.weights[prefix + "weight"])
        beta = self.const(name + ".b", self.weights[prefix + "bias"])
        return self.node("LayerNormalization", [x, gamma, beta], name, axis=-1, epsilon=EPSILON)

    def serialise(self) -> bytes:
        """The graph; its initializers are declared, their data is in `self.arrays`."""
        inputs = [proto.value_info("input_ids", proto.INT64, [1, "tokens"])]
        outputs = [proto.value_info("last_hidden_state", proto.FLOAT, [1, "tokens", HIDDEN])]
        return proto.model(self.nodes, self.initializers, inputs, outputs, {"": 17, MS: 1})
