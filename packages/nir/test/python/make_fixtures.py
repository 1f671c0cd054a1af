"""Writes the NIR fixtures of packages/nir/test/fixtures and the spikes they must produce.

Python NIR is not installed here, so the files are written with h5py exactly as nir.write lays
them out (nir/serialization.py): each node becomes the dict its to_dict() returns (dataclass fields
minus input_type/output_type, plus "type"; Input/Output store "shape", Flatten "input_type"), and
the dict is written recursively: strings as variable-length UTF-8 (h5py.string_dtype()), numpy
arrays with their dtype and gzip compression, nested dicts as groups, other values (ints, tuples,
the edge list) through h5py's defaults (int64, [E, 2] UTF-8 strings); empty metadata is skipped;
/version is a variable-length UTF-8 string beside /node.

The expected spikes come from nir_sim.py (numpy, independent of spikeflow). Inputs are drawn until
every spiking node stays at least MARGIN away from its threshold, so float32 and float64 agree.

Run: /usr/bin/python3 packages/nir/test/python/make_fixtures.py
"""
import json
import os

import h5py
import numpy as np

from nir_sim import simulate

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures")
MARGIN = 1e-3


def write_recursive(group, node):
    for k, v in node.items():
        if k == "metadata":
            if v != {}:
                write_recursive(group.create_group(k), v)
        elif isinstance(v, str):
            group.create_dataset(k, data=v, dtype=h5py.string_dtype())
        elif isinstance(v, np.ndarray):
            group.create_dataset(k, data=v, dtype=v.dtype, compression="gzip")
        elif isinstance(v, dict):
            write_recursive(group.create_group(str(k)), v)
        else:
            group.create_dataset(k, data=v)


def write(path, version, nodes, edges):
    graph = {"nodes": nodes, "edges": edges, "metadata": {}, "type": "NIRGraph"}
    with h5py.File(path, "w") as f:
        f.create_dataset("version", data=version, dtype=h5py.string_dtype())
        write_recursive(f.create_group("node"), graph)


# The dicts NIR's to_dict() produces for each node type (field order as in nir/ir/*.py).
def input_node(shape):
    return {"metadata": {}, "type": "Input", "shape": np.array(shape)}


def output_node(shape):
    return {"metadata": {}, "type": "Output", "shape": np.array(shape)}


def conv2d(weight, bias, input_shape, stride, padding):
    return {"input_shape": tuple(input_shape), "weight": weight, "stride": tuple(stride), "padding": tuple(padding),
            "dilation": (1, 1), "groups": 1, "bias": bias, "metadata": {}, "type": "Conv2d"}


def lif(tau, r, v_leak, v_threshold, v_reset):
    return {"tau": tau, "r": r, "v_leak": v_leak, "v_threshold": v_threshold, "v_reset": v_reset, "metadata": {}, "type": "LIF"}


def if_node(r, v_threshold, v_reset=None):
    d = {"r": r, "v_threshold": v_threshold}
    if v_reset is not None:  # files before NIR 1.0.6 have no v_reset
        d["v_reset"] = v_reset
    d.update({"metadata": {}, "type": "IF"})
    return d


def pool(kind, k):
    return {"kernel_size": np.array([k, k]), "stride": np.array([k, k]), "padding": np.array([0, 0]), "metadata": {}, "type": kind}


def flatten(input_type):
    return {"start_dim": 0, "end_dim": -1, "input_type": np.array(input_type), "metadata": {}, "type": "Flatten"}


def affine(weight, bias):
    return {"weight": weight, "bias": bias, "metadata": {}, "type": "Affine"}


def linear(weight):
    return {"weight": weight, "metadata": {}, "type": "Linear"}


def cubalif(tau_syn, tau_mem, r, v_leak, v_threshold, v_reset, w_in):
    return {"tau_syn": tau_syn, "tau_mem": tau_mem, "r": r, "v_leak": v_leak, "v_threshold": v_threshold, "v_reset": v_reset,
            "w_in": w_in, "metadata": {}, "type": "CubaLIF"}


def li(tau, r, v_leak):
    return {"tau": tau, "r": r, "v_leak": v_leak, "metadata": {}, "type": "LI"}


def subgraph(nodes, edges):
    """A nested NIRGraph node, as NIR writes one: its nodes and edges under the node's group."""
    return {"nodes": nodes, "edges": edges, "metadata": {}, "type": "NIRGraph"}


def chain_edges(names):
    return [(a, b) for a, b in zip(names, names[1:])]


def spikes_ok(sim):
    return all(v >= MARGIN for k, v in sim.items() if k.startswith("margin:"))


def draw_input(rng, path, dt, shape, scale, neurons, cubalif_order="current-first"):
    for attempt in range(200):
        x = rng.uniform(0, scale, size=shape)
        sim = simulate(path, x, dt, cubalif_order)
        if spikes_ok(sim) and all(sim[n].sum() > 0 for n in neurons):
            return x, sim
    raise RuntimeError(f"{path}: no input with every spiking node {MARGIN} from its threshold")


def conv_lif(rng):
    """NIR 1.0.7 layout, float32, dt = 1e-3 s: conv -> LIF with per-channel r and thresholds ->
    SumPool2d + IF(0.5, reset 0) (max pooling of spikes) -> flatten -> affine -> IF with per-neuron
    thresholds."""
    f32 = np.float32
    c, h = 3, 6
    shape = (c, h, h)
    per_channel = lambda v: np.broadcast_to(np.array(v, f32)[:, None, None], shape).copy()  # noqa: E731
    r = per_channel([1.0, 2.0, 0.5])
    nodes = {
        "input": input_node([2, h, h]),
        "conv": conv2d(rng.normal(0, 0.6, (c, 2, 3, 3)).astype(f32), rng.normal(0.1, 0.1, c).astype(f32), (h, h), (1, 1), (1, 1)),
        "lif": lif(np.full(shape, 0.004, f32), r, np.zeros(shape, f32), per_channel([0.9, 1.1, 1.0]), np.zeros(shape, f32)),
        "pool": pool("SumPool2d", 2),
        "pool_or": if_node(np.full((c, 3, 3), 1000.0, f32), np.full((c, 3, 3), 0.5, f32), np.zeros((c, 3, 3), f32)),
        "flat": flatten([c, 3, 3]),
        "fc": affine(rng.normal(0, 0.5, (4, 27)).astype(f32), rng.normal(0.1, 0.1, 4).astype(f32)),
        "out_if": if_node(np.full(4, 1000.0, f32), rng.uniform(0.8, 1.2, 4).astype(f32), np.zeros(4, f32)),
        "output": output_node([4]),
    }
    return nodes, "1.0.7", 1e-3, (5, 2, 2, h, h), 1.5, ["lif", "out_if"]


def legacy_linear_if(rng):
    """NIR 0.2.0 layout (before v_reset: the IF resets by subtracting its threshold), float64,
    per-neuron thresholds, dt = 1."""
    nodes = {
        "in": input_node([5]),
        "linear": linear(rng.normal(0.2, 0.5, (3, 5))),
        "if": if_node(np.ones(3), np.array([1.0, 1.5, 0.75])),
        "out": output_node([3]),
    }
    return nodes, "0.2.0", 1.0, (6, 2, 5), 1.0, ["if"]


def cuba_li(rng):
    """NIR 1.0.7, float32, dt = 1 ms: Affine -> a nested NIRGraph holding a CubaLIF (per-neuron w_in,
    folded into the Affine on import) -> Affine -> LI readout. The outer edges enter the subgraph by
    its name ("sub") and leave by a dotted name ("sub.output"), as NIR allows. Simulated flat (the
    nesting changes no dynamics); the file written is the nested one."""
    f32 = np.float32
    n = 6
    cuba = cubalif(np.full(n, 0.003, f32), np.full(n, 0.004, f32), np.full(n, 1.5, f32), np.zeros(n, f32), np.ones(n, f32),
                   np.zeros(n, f32), rng.uniform(0.6, 1.4, n).astype(f32))
    head = {"input": input_node([4]), "fc": affine(rng.normal(0.3, 0.6, (n, 4)).astype(f32), rng.normal(0.2, 0.1, n).astype(f32))}
    tail = {"readout_fc": affine(rng.normal(0, 0.8, (2, n)).astype(f32), np.zeros(2, f32)),
            "li": li(np.full(2, 0.003, f32), np.ones(2, f32), np.zeros(2, f32)), "output": output_node([2])}
    flat = {**head, "sub.cuba": cuba, **tail}
    nested = {**head, "sub": subgraph({"input": input_node([n]), "cuba": cuba, "output": output_node([n])}, [("input", "cuba"), ("cuba", "output")]), **tail}
    nested_edges = [("input", "fc"), ("fc", "sub"), ("sub.output", "readout_fc"), ("readout_fc", "li"), ("li", "output")]
    return flat, (nested, nested_edges), "1.0.7", 1e-3, (10, 2, 4), 1.5, ["sub.cuba"], ["li"]


def conv_pad(rng):
    """NIR 1.0.7, float32, dt = 1: a 5x5 Conv2d with stride 2 and explicit padding 1 on 9x9 (output
    4x4; TensorFlow's 'same' would give 5x5), as sinabs writes its CNNs -> LIF -> Flatten -> Affine -> IF."""
    f32 = np.float32
    c = 3
    shape = (c, 4, 4)
    nodes = {
        "input": input_node([2, 9, 9]),
        "conv": conv2d(rng.normal(0, 0.4, (c, 2, 5, 5)).astype(f32), rng.normal(0.1, 0.1, c).astype(f32), (9, 9), (2, 2), (1, 1)),
        "lif": lif(np.full(shape, 3.0, f32), np.ones(shape, f32), np.zeros(shape, f32), np.ones(shape, f32), np.zeros(shape, f32)),
        "flat": flatten([c, 4, 4]),
        "fc": affine(rng.normal(0, 0.4, (4, 48)).astype(f32), rng.normal(0.2, 0.1, 4).astype(f32)),
        "out_if": if_node(np.ones(4, f32), np.ones(4, f32), np.zeros(4, f32)),
        "output": output_node([4]),
    }
    return nodes, "1.0.7", 1.0, (6, 2, 2, 9, 9), 1.5, ["lif", "out_if"]


def refused_files():
    """Files spikeflow refuses, each with one line naming the node (the test checks the lines)."""
    f32 = np.float32
    files = {}
    # snnTorch's RLeaky as NIR writes it: a subgraph with the neuron and a w_rec Linear in a cycle; a
    # file from before NIR 1.0.6 (no v_reset), as the braille files are.
    rec = subgraph({"input": input_node([3]), "lif": lif(np.full(3, 0.005, f32), np.ones(3, f32), np.zeros(3, f32), np.ones(3, f32), None),
                    "w_rec": linear(rng_fixed().normal(0, 0.3, (3, 3)).astype(f32)), "output": output_node([3])},
                   [("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")])
    rec["nodes"]["lif"].pop("v_reset")
    files["recurrent_subgraph"] = ("0.5.0", {"input": input_node([2]), "fc": affine(np.ones((3, 2), f32), np.zeros(3, f32)), "rlif": rec, "output": output_node([3])},
                                   [("input", "fc"), ("fc", "rlif.input"), ("rlif.output", "output")])
    # A node type spikeflow has no layer for.
    delay = {"delay": np.full(2, 2.0, f32), "metadata": {}, "type": "Delay"}
    files["unknown_type"] = ("1.0.7", {"input": input_node([2]), "delay": delay, "output": output_node([2])}, None)
    # A branch: one node feeding two.
    files["branch"] = ("1.0.7", {"input": input_node([2]), "a": affine(np.eye(2, dtype=f32), np.zeros(2, f32)), "b": affine(np.eye(2, dtype=f32), np.zeros(2, f32)), "output": output_node([2])},
                       [("input", "a"), ("input", "b"), ("a", "output"), ("b", "output")])
    # LIF parameters a spikeflow layer cannot hold: tau varying per neuron.
    files["varying_tau"] = ("1.0.7", {"input": input_node([3]), "fc": affine(np.eye(3, dtype=f32), np.zeros(3, f32)),
                                      "lif": lif(np.array([0.002, 0.003, 0.004], f32), np.ones(3, f32), np.zeros(3, f32), np.ones(3, f32), np.zeros(3, f32)),
                                      "output": output_node([3])}, None)
    return files


def rng_fixed():
    return np.random.default_rng(7)


def chain_fixture(rng, make):
    """Writes a chain graph and returns its expected entry: an input and the numpy spikes."""
    nodes, version, dt, in_shape, scale, neurons = make(rng)
    path = os.path.join(OUT, f"{make.__name__}.nir")
    write(path, version, nodes, chain_edges(list(nodes)))
    x, sim = draw_input(rng, path, dt, in_shape, scale, neurons)
    return {
        "version": version,
        "dt": dt,
        "input": {"shape": list(x.shape), "data": x.astype(np.float32).ravel().tolist()},
        "spikes": {n: {"shape": list(sim[n].shape), "data": sim[n].ravel().astype(int).tolist()} for n in neurons},
        "margin": {n: float(sim["margin:" + n]) for n in neurons},
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(2021)
    expected = {}
    for make in (conv_lif, legacy_linear_if):
        expected[make.__name__] = chain_fixture(rng, make)
    for make in (cuba_li,):
        flat, (nested, nested_edges), version, dt, in_shape, scale, neurons, readouts = make(rng)
        flat_path = os.path.join(OUT, f"{make.__name__}.flat.tmp")
        write(flat_path, version, flat, chain_edges(list(flat)))
        entry = {}
        for order in ("current-first", "euler"):
            x, sim = draw_input(rng, flat_path, dt, in_shape, scale, neurons, order) if order == "current-first" else (x, simulate(flat_path, x, dt, order))
            assert spikes_ok(sim), f"{make.__name__} ({order}): a spike is within {MARGIN} of its threshold"
            entry[order] = {
                "version": version,
                "dt": dt,
                "file": f"{make.__name__}.nir",
                "cubalif_order": order,
                "input": {"shape": list(x.shape), "data": x.astype(np.float32).ravel().tolist()},
                "spikes": {n: {"shape": list(sim[n].shape), "data": sim[n].ravel().astype(int).tolist()} for n in neurons},
                "outputs": {n: {"shape": list(sim[n].shape), "data": sim[n].ravel().tolist()} for n in readouts},
                "margin": {n: float(sim["margin:" + n]) for n in neurons},
            }
        os.remove(flat_path)
        write(os.path.join(OUT, f"{make.__name__}.nir"), version, nested, nested_edges)
        expected[make.__name__] = entry["current-first"]
        expected[make.__name__ + "_euler"] = entry["euler"]
    expected["conv_pad"] = chain_fixture(rng, conv_pad)
    for name, (version, nodes, edges) in refused_files().items():
        write(os.path.join(OUT, f"{name}.nir"), version, nodes, edges if edges is not None else chain_edges(list(nodes)))
    # A CubaLIF whose time constants are below one step at the default dt = 1.
    f32 = np.float32
    cuba = {"tau_syn": np.full(2, 0.01, f32), "tau_mem": np.full(2, 0.02, f32), "r": np.ones(2, f32), "v_leak": np.zeros(2, f32),
            "v_threshold": np.ones(2, f32), "v_reset": np.zeros(2, f32), "w_in": np.ones(2, f32), "metadata": {}, "type": "CubaLIF"}
    nodes = {"input": input_node([2]), "fc": affine(np.eye(2, dtype=f32), np.zeros(2, f32)), "cuba": cuba, "output": output_node([2])}
    write(os.path.join(OUT, "cubalif.nir"), "1.0.7", nodes, chain_edges(list(nodes)))
    with open(os.path.join(OUT, "expected.json"), "w") as fh:
        json.dump(expected, fh)
        fh.write("\n")
    print({k: v["margin"] for k, v in expected.items()})


if __name__ == "__main__":
    main()
