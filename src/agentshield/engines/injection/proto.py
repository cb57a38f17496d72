"""Just enough of the ONNX protobuf format to read a model's weights and write a graph.

The `onnx` package is not a run-time dependency (onnxruntime and tokenizers only), and
onnxruntime takes a model as bytes, so the few messages needed are encoded here by hand.
Field numbers are those of onnx.proto (ModelProto, GraphProto, NodeProto, TensorProto, ...).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any

import numpy as np

# TensorProto.DataType
FLOAT, UINT8, INT8, INT32, INT64 = 1, 2, 3, 6, 7
_NUMPY = {FLOAT: np.float32, UINT8: np.uint8, INT8: np.int8, INT32: np.int32, INT64: np.int64}
_CODES = {np.dtype(v): k for k, v in _NUMPY.items()}


# --- reading -------------------------------------------------------------------------


def _varint(data: memoryview, position: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, position


def fields(data: memoryview) -> Iterator[tuple[int, int | memoryview]]:
    """(field number, value) for each field of one message: an int for a varint, a
    memoryview (no copy) for a length-delimited value; fixed-width values are skipped."""
    position = 0
    while position < len(data):
        key, position = _varint(data, position)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, position = _varint(data, position)
            yield number, value
        elif wire == 2:
            length, position = _varint(data, position)
            yield number, data[position : position + length]
            position += length
        elif wire in (1, 5):
            position += 8 if wire == 1 else 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")


def _messages(data: memoryview, number: int) -> list[memoryview]:
    return [v for n, v in fields(data) if n == number and isinstance(v, memoryview)]


def _strings(data: memoryview, number: int) -> list[str]:
    return [bytes(v).decode() for v in _messages(data, number)]


def read_model(raw: bytes) -> tuple[dict[str, np.ndarray], list[tuple[str, list[str]]]]:
    """A model's weights (initializers stored as raw data, by name) and its nodes (op type,
    input names), in graph order."""
    (graph,) = _messages(memoryview(raw), 7)
    nodes = [(_strings(n, 4)[0], _strings(n, 1)) for n in _messages(graph, 1)]
    tensors = (_read_tensor(t) for t in _messages(graph, 5))
    return {name: array for name, array in tensors if array is not None}, nodes


def _read_tensor(data: memoryview) -> tuple[str, np.ndarray | None]:
    dims: list[int] = []
    code, raw = 0, None
    for number, value in fields(data):
        if number == 1 and isinstance(value, int):
            dims.append(value)
        elif number == 1 and isinstance(value, memoryview):  # packed dims
            position = 0
            while position < len(value):
                dim, position = _varint(value, position)
                dims.append(dim)
        elif number == 2 and isinstance(value, int):
            code = value
        elif number == 9 and isinstance(value, memoryview):
            raw = value
    (name,) = _strings(data, 8)
    if raw is None or code not in _NUMPY:
        return name, None  # not a weight stored as raw data (none the graph needs)
    return name, np.frombuffer(raw, dtype=_NUMPY[code]).reshape(dims).copy()


# --- writing -------------------------------------------------------------------------


def _key(number: int, wire: int) -> bytes:
    return _uvarint(number << 3 | wire)


def _uvarint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative int64 as two's complement, as protobuf does
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _int(number: int, value: int) -> bytes:
    return _key(number, 0) + _uvarint(value)


def _bytes(number: int, value: bytes | str) -> bytes:
    data = value.encode() if isinstance(value, str) else value
    return _key(number, 2) + _uvarint(len(data)) + data


def external(name: str, array: np.ndarray) -> bytes:
    """An initializer whose data the session is handed separately, by name
    (`SessionOptions.add_external_initializers`), so large weights are never copied into
    the serialised graph."""
    dims = b"".join(_int(1, d) for d in array.shape)
    where = _bytes(13, _bytes(1, "location") + _bytes(2, "memory")) + _int(14, 1)  # EXTERNAL
    return dims + _int(2, _CODES[array.dtype]) + _bytes(8, name) + where


def node(op: str, inputs: list[str], outputs: list[str], domain: str = "", **attrs: Any) -> bytes:
    """A node; attributes are floats, ints or lists of ints. Named after its first output."""
    out = b"".join(_bytes(1, i) for i in inputs) + b"".join(_bytes(2, o) for o in outputs)
    out += _bytes(3, outputs[0]) + _bytes(4, op)
    for name, value in sorted(attrs.items()):
        if isinstance(value, float):
            attr = _key(2, 5) + struct.pack("<f", value) + _int(20, 1)
        elif isinstance(value, int):
            attr = _int(3, value) + _int(20, 2)
        else:
            attr = b"".join(_int(8, v) for v in value) + _int(20, 7)
        out += _bytes(5, _bytes(1, name) + attr)
    return out + (_bytes(7, domain) if domain else b"")


def value_info(name: str, code: int, shape: list[str | int]) -> bytes:
    dims = b"".join(_bytes(1, _bytes(2, d) if isinstance(d, str) else _int(1, d)) for d in shape)
    tensor_type = _int(1, code) + _bytes(2, dims)
    return _bytes(1, name) + _bytes(2, _bytes(1, tensor_type))


def model(
    nodes: list[bytes],
    initializers: list[bytes],
    inputs: list[bytes],
    outputs: list[bytes],
    opsets: dict[str, int],
) -> bytes:
    graph = b"".join(_bytes(1, n) for n in nodes) + _bytes(2, "graph")
    graph += b"".join(_bytes(5, t) for t in initializers)
    graph += b"".join(_bytes(11, i) for i in inputs) + b"".join(_bytes(12, o) for o in outputs)
    imports = b"".join(_bytes(8, _bytes(1, d) + _int(2, v)) for d, v in opsets.items())
    return _int(1, 8) + imports + _bytes(7, graph)  # IR version 8
