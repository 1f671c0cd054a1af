"""Checks that a file holds what Python NIR's reader (nir.read) expects, with h5py alone.

nir.read turns every dataset of a node group into a keyword argument of the node's class and then
type-checks the graph (shapes along every edge). This script checks the same: the root datasets,
each node's type and keys (required ones present, no unknown ones), dtypes (strings variable-length
UTF-8, integers int64, parameters float), parameter shapes, and the shapes along the chain of edges.

Usage: python3 check_layout.py FILE.nir   -> prints a JSON summary, exits 1 with the reason on failure.
"""
import json
import sys

import h5py
import numpy as np

# Keys each node type takes (NIR's dataclass fields; input_type/output_type are not stored except Flatten's).
REQUIRED = {
    "Input": {"shape"},
    "Output": {"shape"},
    "Affine": {"weight", "bias"},
    "Linear": {"weight"},
    "Conv2d": {"input_shape", "weight", "stride", "padding", "dilation", "groups", "bias"},
    "Flatten": {"start_dim", "end_dim"},
    "SumPool2d": {"kernel_size", "stride", "padding"},
    "AvgPool2d": {"kernel_size", "stride", "padding"},
    "IF": {"r", "v_threshold"},
    "LIF": {"tau", "r", "v_leak", "v_threshold"},
    "LI": {"tau", "r", "v_leak"},
}
OPTIONAL = {"Flatten": {"input_type"}, "IF": {"v_reset"}, "LIF": {"v_reset"}}
INTS = {"shape", "input_shape", "stride", "padding", "dilation", "groups", "start_dim", "end_dim", "kernel_size", "input_type"}


def fail(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)


def is_vlen_utf8(ds):
    info = h5py.check_string_dtype(ds.dtype)
    return info is not None and info.length is None and info.encoding == "utf-8"


def conv_out(size, pad, kernel, stride):
    return [(size[i] + 2 * pad[i] - kernel[i]) // stride[i] + 1 for i in range(2)]


def main(path):
    f = h5py.File(path, "r")
    if "version" not in f or not is_vlen_utf8(f["version"]) or f["version"].shape != ():
        fail("/version must be a scalar variable-length UTF-8 string")
    g = f["node"]
    if g["type"][()] != b"NIRGraph" or not is_vlen_utf8(g["type"]):
        fail("/node/type must be the variable-length UTF-8 string NIRGraph")
    edges_ds = g["edges"]
    if not is_vlen_utf8(edges_ds) or edges_ds.ndim != 2 or edges_ds.shape[1] != 2:
        fail(f"/node/edges must be [E, 2] variable-length UTF-8 strings, got {edges_ds.dtype} {edges_ds.shape}")
    edges = [(a.decode(), b.decode()) for a, b in edges_ds[()]]
    nodes = {}
    for name, node in g["nodes"].items():
        where = f"/node/nodes/{name}"
        typ = node["type"][()].decode()
        if not is_vlen_utf8(node["type"]) or typ not in REQUIRED:
            fail(f"{where}/type: {typ!r} is not a variable-length UTF-8 NIR type this check knows")
        keys = set(node.keys()) - {"type", "metadata"}
        if not REQUIRED[typ] <= keys:
            fail(f"{where}: {typ} lacks {sorted(REQUIRED[typ] - keys)}")
        if keys - REQUIRED[typ] - OPTIONAL.get(typ, set()):
            fail(f"{where}: {typ} has keys nir.read would reject: {sorted(keys - REQUIRED[typ] - OPTIONAL.get(typ, set()))}")
        values = {}
        for k in keys:
            ds = node[k]
            if k in INTS and not (k == "padding" and is_vlen_utf8(ds)):
                if ds.dtype != np.int64:
                    fail(f"{where}/{k}: integers must be int64, got {ds.dtype}")
            elif ds.dtype.kind != "f":
                fail(f"{where}/{k}: parameters must be float arrays, got {ds.dtype}")
            values[k] = ds[()]
        if "metadata" in node and not isinstance(node["metadata"], h5py.Group):
            fail(f"{where}/metadata must be a group")
        nodes[name] = (typ, values)
    names = set(nodes)
    for a, b in edges:
        if a not in names or b not in names:
            fail(f"edge ({a}, {b}) names a missing node")

    # Shapes along the chain, as NIRGraph's type check infers them.
    nxt = dict(edges)
    start = [n for n, (t, _) in nodes.items() if t == "Input"]
    if len(start) != 1:
        fail("expected exactly one Input node")
    order = [start[0]]
    while order[-1] in nxt:
        order.append(nxt[order[-1]])
    shape = list(nodes[start[0]][1]["shape"])
    for name in order[1:]:
        typ, v = nodes[name]
        where = f"/node/nodes/{name}"
        if typ == "Conv2d":
            w = v["weight"]
            if w.ndim != 4 or w.shape[1] != shape[0] or list(v["input_shape"]) != shape[1:] or v["bias"].shape != (w.shape[0],):
                fail(f"{where}: weight {w.shape} / input_shape {list(v['input_shape'])} / bias {v['bias'].shape} do not fit the input {shape}")
            shape = [w.shape[0]] + conv_out(shape[1:], list(v["padding"]), w.shape[2:], list(v["stride"]))
        elif typ in ("SumPool2d", "AvgPool2d"):
            shape = [shape[0]] + conv_out(shape[1:], list(v["padding"]), list(v["kernel_size"]), list(v["stride"]))
        elif typ == "Flatten":
            if "input_type" in v and list(v["input_type"]) != shape:
                fail(f"{where}: input_type {list(v['input_type'])} is not the incoming {shape}")
            s, e = int(v["start_dim"]), int(v["end_dim"])
            e = e if e >= 0 else len(shape) + e
            shape = shape[:s] + [int(np.prod(shape[s:e + 1]))] + shape[e + 1:]
        elif typ in ("Affine", "Linear"):
            w = v["weight"]
            if w.ndim != 2 or [w.shape[1]] != shape or (typ == "Affine" and v["bias"].shape != (w.shape[0],)):
                fail(f"{where}: weight {w.shape} does not take the incoming {shape}")
            shape = [w.shape[0]]
        elif typ in ("IF", "LIF", "LI"):
            for k, a in v.items():
                if list(a.shape) != shape:
                    fail(f"{where}/{k}: shape {list(a.shape)} is not the neuron shape {shape}")
        elif typ == "Output":
            if list(v["shape"]) != shape:
                fail(f"{where}/shape: {list(v['shape'])} is not the incoming {shape}")
    print(json.dumps({"version": f["version"][()].decode(), "chain": [nodes[n][0] for n in order], "output": shape}))


if __name__ == "__main__":
    main(sys.argv[1])
