#!/usr/bin/env python3
"""Write the reference safetensors files that test/io/safetensors.test.ts compares against.

    python3 scripts/write_safetensors_reference.py [OUT_DIR]   # default: test/fixtures/safetensors

The official `safetensors` package is not installed here and PyPI is not reachable, so this
script re-implements its writer with the standard library only (json + struct), following the
layout rules of the Rust core that the Python package calls (`safetensors/src/tensor.rs`,
`prepare` and `serialize`):

  * u64 little-endian header length N, then N bytes of UTF-8 JSON, then the data buffer;
  * tensors sorted by dtype in *descending* order of the library's `Dtype` enum (BOOL < U8 <
    I8 < F8_E5M2 < F8_E4M3 < I16 < U16 < F16 < BF16 < I32 < U32 < F32 < F64 < I64 < U64),
    then by name (Rust `String` order = UTF-8 bytes = Python code-point order);
  * tensors stored back to back in that order, row-major, little-endian;
  * JSON compact (serde_json: no whitespace, non-ASCII unescaped), `__metadata__` first and
    omitted when metadata is None, each entry's keys in the order dtype, shape, data_offsets;
  * the header padded with spaces to a multiple of 8 bytes, so the data buffer is 8-aligned.

One deliberate difference: the library stores metadata in a Rust HashMap, so with more than one
metadata key its key order is random per process. We sort metadata keys (so does our TS writer);
with zero or one key the output is byte-identical to the library's.

Files written:
  reference.safetensors      every supported dtype, a 0-d scalar, an empty tensor, special floats,
                             non-ASCII and integer-like names, multi-key metadata (stdlib only)
  torch_conv_bn.safetensors  state_dict of a tiny Conv2d+BatchNorm2d, plus torch_conv_bn.json with
                             its names/dtypes/shapes/values; only when `import torch` works
"""
import json
import math
import os
import struct
import sys

DTYPE_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16",
               "I32", "U32", "F32", "F64", "I64", "U64"]
# struct codes; BF16 and F8 have none and are given as raw bit patterns (H / B).
STRUCT_CODE = {"BOOL": "?", "U8": "B", "I8": "b", "F8_E5M2": "B", "F8_E4M3": "B", "I16": "h",
               "U16": "H", "F16": "e", "BF16": "H", "I32": "i", "U32": "I", "F32": "f",
               "F64": "d", "I64": "q", "U64": "Q"}


def pack(dtype, values):
    return struct.pack("<%d%s" % (len(values), STRUCT_CODE[dtype]), *values)


def serialize(tensors, metadata=None):
    """tensors: {name: (dtype, shape, raw little-endian bytes)} -> safetensors file bytes."""
    names = sorted(tensors, key=lambda n: (-DTYPE_ORDER.index(tensors[n][0]), n))
    header = {}
    if metadata is not None:
        header["__metadata__"] = {k: metadata[k] for k in sorted(metadata)}
    offset = 0
    for name in names:
        dtype, shape, raw = tensors[name]
        count = math.prod(shape)
        assert len(raw) == count * struct.calcsize(STRUCT_CODE[dtype]), name
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    js = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    js += b" " * ((8 - len(js) % 8) % 8)
    return struct.pack("<Q", len(js)) + js + b"".join(tensors[n][2] for n in names)


def reference_tensors():
    """Values the TS test recomputes; keep in sync with test/io/safetensors.test.ts."""
    t = {}

    def add(name, dtype, shape, values):
        t[name] = (dtype, shape, pack(dtype, values))

    add("a.weight", "F32", [2, 3], [(i - 2) * 0.5 for i in range(6)])
    add("a.bias", "F32", [3], [0.25, -0.125, 1e-3])
    add("scalar", "F64", [], [math.pi])
    add("empty", "F32", [0, 4], [])
    add("specials", "F64", [4], [-0.0, math.inf, -math.inf, math.nan])
    add("steps", "I64", [2], [-1, 2**40 + 3])
    add("big", "U64", [1], [2**64 - 1])
    add("counts", "I32", [2, 2], [-(2**31), 0, 7, 2**31 - 1])
    add("u32", "U32", [1], [2**32 - 1])
    add("half", "F16", [2], [1.0, -2.5])  # bits 0x3c00, 0xc100
    add("bhalf", "BF16", [2], [0x3F80, 0xC000])  # 1.0, -2.0
    add("i16", "I16", [3], [-32768, -1, 32767])
    add("u16", "U16", [1], [65535])
    add("i8", "I8", [3], [-128, 0, 127])
    add("bytes", "U8", [4], [0, 1, 128, 255])
    add("mask", "BOOL", [3], [True, False, True])
    add("f8", "F8_E4M3", [2], [0x38, 0xB8])  # 1.0, -1.0 in E4M3
    # Name order is by code point: U+00E9 < U+FF21 < U+1F600 (UTF-16 would put the emoji first).
    add("\u00e9", "F32", [1], [1.0])
    add("\uff21", "F32", [1], [2.0])
    add("\U0001F600", "F32", [1], [3.0])
    # Integer-like names: JS objects would list these first, in numeric order.
    add("9", "U8", [1], [9])
    add("10", "U8", [1], [10])
    meta = {"format": "pt", "note": 'tab\there "quoted" \u00fcn\u00ef', "ctrl": "\x01\n"}
    return t, meta


def torch_conv_bn():
    import torch

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2))
    net.train()
    with torch.no_grad():
        net(torch.randn(4, 1, 5, 5))  # moves running stats off their defaults, num_batches_tracked = 1
    dtypes = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.int32: "I32",
              torch.uint8: "U8", torch.bool: "BOOL"}
    tensors, listing = {}, {}
    for name, value in {"net." + k: v for k, v in net.state_dict().items()}.items():
        dtype = dtypes[value.dtype]
        values = value.detach().cpu().contiguous().flatten().tolist()
        tensors[name] = (dtype, list(value.shape), pack(dtype, values))
        listing[name] = {"dtype": dtype, "shape": list(value.shape), "values": values}
    return tensors, listing


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "safetensors")
    os.makedirs(out, exist_ok=True)
    tensors, meta = reference_tensors()
    with open(os.path.join(out, "reference.safetensors"), "wb") as f:
        f.write(serialize(tensors, meta))
    try:
        import torch  # noqa: F401
    except ImportError:
        print("torch not importable: skipping torch_conv_bn.safetensors", file=sys.stderr)
        return
    tensors, listing = torch_conv_bn()
    with open(os.path.join(out, "torch_conv_bn.safetensors"), "wb") as f:
        # One metadata key, as safetensors.torch users typically pass: byte-identical to the library.
        f.write(serialize(tensors, {"format": "pt"}))
    with open(os.path.join(out, "torch_conv_bn.json"), "w") as f:
        f.write("{\n" + ",\n".join("%s: %s" % (json.dumps(k), json.dumps(v)) for k, v in listing.items()) + "\n}\n")


if __name__ == "__main__":
    main()
