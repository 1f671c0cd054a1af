"""An independent simulation of a NIR graph in numpy (float64), from NIR's definitions alone.

NIR's neurons are continuous-time; this steps them with forward Euler of step dt:
  IF:   v += dt * r * I
  LIF:  v += dt / tau * (v_leak - v + r * I)
  LI:   v += dt / tau * (v_leak - v + r * I)      (output: v)
  CubaLIF: i' = i + dt / tau_syn * (w_in * I - i),  v += dt / tau_mem * (v_leak - v + r * c), i = i'
        where c is i' (order "current-first": NIR's chain LI -> Linear -> LIF) or i (order "euler")
A neuron spikes when v > v_threshold (NIR's definition), then v = v_reset; files older than
NIR 1.0.6 have no v_reset and subtract the threshold instead. v starts at v_leak (LIF, LI) or at
v_reset (IF; 0 for the subtractive reset); CubaLIF's current starts at 0. Stateless nodes act on each
time step.

Graphs: a node sums the outputs of the nodes it has edges from. An edge that closes a cycle (found by
a depth-first walk from the Input) carries a one-step delay: at step t its target reads its source's
output of step t-1; before step 0 the source gives what it gives for a zero input (an Affine's bias),
as snnTorch's recurrent layers apply their w_rec to the zero spikes of step -1. Scale: y = scale * x.
Threshold: y = 1 where x > threshold, else 0.

Usage: python3 nir_sim.py FILE.nir INPUT.json DT OUT.json [CUBALIF_ORDER]
  INPUT.json: {"shape": [T, N, ...], "data": [...]}; OUT.json: each node's output over time
  ({"shape", "data"}, [T, N, ...]) and "margin:NAME", the smallest |v - v_threshold| of each
  spiking node.
"""
import json
import sys

import h5py
import numpy as np


def _value(d):
    v = d[()]
    return v.decode("utf8") if isinstance(v, bytes) else v


def load(path):
    with h5py.File(path, "r") as f:
        version = f["version"][()].decode("utf8")
        g = f["node"]
        nodes = {}
        for name, node in g["nodes"].items():
            nodes[name] = {k: _value(v) for k, v in node.items() if isinstance(v, h5py.Dataset)}
        edges = [(a.decode("utf8"), b.decode("utf8")) for a, b in g["edges"][()]]
    return version, nodes, edges


def order_and_delays(nodes, edges):
    """Nodes in the order a step computes them, and the edges that close a cycle.

    A depth-first walk from the Input: an edge into a node still open on the walk closes a cycle
    and carries a one-step delay (the node reads its source's output of the step before); the
    reverse post-order is an order where every other edge goes forward.
    """
    succ = {n: [] for n in nodes}
    for a, b in edges:
        succ[a].append(b)
    start = [n for n, d in nodes.items() if d["type"] == "Input"]
    assert len(start) == 1, "expected one Input node"
    seen, back, post = {}, set(), []

    def visit(n):
        seen[n] = "open"
        for m in succ[n]:
            if seen.get(m) == "open":
                back.add((n, m))
            elif m not in seen:
                visit(m)
        seen[n] = "done"
        post.append(n)

    visit(start[0])
    return post[::-1], back


def at_rest(node, n):
    """A feedback node's output for zero input: what a delayed edge carries into step 0."""
    typ = node["type"]
    if typ == "Affine":
        return np.broadcast_to(np.asarray(node["bias"], np.float64), (n,) + np.shape(node["bias"])).copy()
    if typ == "Linear":
        return np.zeros((n, np.shape(node["weight"])[0]))
    if typ == "Scale":
        return np.zeros((n,) + np.shape(node["scale"]))
    raise ValueError(f"node of type {typ} closes a cycle; this simulation feeds back Affine, Linear or Scale nodes")


def _pair(v):
    v = np.atleast_1d(np.asarray(v))
    return (int(v[0]), int(v[-1]))


def _windows(x, kh, kw, sh, sw, ph, pw):
    """Yields (ky, kx, patch [N, C, Ho, Wo]) over the window offsets of a padded NCHW input."""
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    ho = (xp.shape[2] - kh) // sh + 1
    wo = (xp.shape[3] - kw) // sw + 1
    for ky in range(kh):
        for kx in range(kw):
            yield ky, kx, xp[:, :, ky:ky + sh * ho:sh, kx:kx + sw * wo:sw]


def conv2d(x, node):
    w = np.asarray(node["weight"], np.float64)
    sh, sw = _pair(node["stride"])
    ph, pw = _pair(node["padding"])
    out = 0
    for ky, kx, patch in _windows(x, w.shape[2], w.shape[3], sh, sw, ph, pw):
        out = out + np.einsum("nihw,oi->nohw", patch, w[:, :, ky, kx])
    return out + np.asarray(node["bias"], np.float64)[None, :, None, None]


def sum_pool(x, node):
    kh, kw = _pair(node["kernel_size"])
    sh, sw = _pair(node["stride"])
    ph, pw = _pair(node["padding"])
    return sum(patch for _, _, patch in _windows(x, kh, kw, sh, sw, ph, pw))


def neuron_step(name, n, h, state, margins, dt, legacy, cubalif_order):
    """One step of a neuron node: its output (spikes, or v for LI), its state updated in place."""
    typ = n["type"]
    r = np.asarray(n["r"], np.float64)
    if typ == "IF":
        rest = np.asarray(n.get("v_reset", np.zeros_like(r)), np.float64)
    else:
        rest = np.asarray(n["v_leak"], np.float64)
    v = state.get(name, np.broadcast_to(rest, h.shape).copy())
    if typ == "IF":
        v = v + dt * r * h
    elif typ == "CubaLIF":
        i = state.get(name + ":i", np.zeros(h.shape))
        i_new = i + dt / np.asarray(n["tau_syn"], np.float64) * (np.asarray(n["w_in"], np.float64) * h - i)
        drive = i_new if cubalif_order == "current-first" else i
        v = v + dt / np.asarray(n["tau_mem"], np.float64) * (rest - v + r * drive)
        state[name + ":i"] = i_new
    else:
        v = v + dt / np.asarray(n["tau"], np.float64) * (rest - v + r * h)
    if typ == "LI":
        out = v
    else:
        th = np.asarray(n["v_threshold"], np.float64)
        margin = float(np.min(np.abs(v - th)))
        margins[name] = min(margins.get(name, np.inf), margin)
        s = (v > th).astype(np.float64)
        if "v_reset" in n:
            v = np.where(s > 0, np.asarray(n["v_reset"], np.float64), v)
        elif legacy:
            v = v - s * th
        else:
            v = np.where(s > 0, 0.0, v)
        out = s
    state[name] = v
    return out


def simulate(path, x, dt, cubalif_order="current-first"):
    version, nodes, edges = load(path)
    legacy = tuple(int(p) for p in version.split(".")[:3]) < (1, 0, 6)
    order, back = order_and_delays(nodes, edges)
    T, N = x.shape[:2]
    state = {}
    out = {name: [] for name in order}
    margins = {}
    previous = {a: at_rest(nodes[a], N) for a, _ in back}
    for t in range(T):
        current = {}
        for name in order:
            n = nodes[name]
            typ = n["type"]
            if typ == "Input":
                h = np.asarray(x[t], np.float64)
            else:
                # NIR sums the inputs of a node; an edge that closes a cycle brings the step before.
                h = sum(previous[a] if (a, b) in back else current[a] for a, b in edges if b == name)
            if typ == "Input" or typ == "Output":
                pass
            elif typ == "Affine":
                h = h @ np.asarray(n["weight"], np.float64).T + np.asarray(n["bias"], np.float64)
            elif typ == "Linear":
                h = h @ np.asarray(n["weight"], np.float64).T
            elif typ == "Scale":
                h = h * np.asarray(n["scale"], np.float64)
            elif typ == "Threshold":
                h = (h > np.asarray(n["threshold"], np.float64)).astype(np.float64)
            elif typ == "Conv2d":
                h = conv2d(h, n)
            elif typ == "Flatten":
                h = h.reshape(N, -1)
            elif typ == "SumPool2d":
                h = sum_pool(h, n)
            elif typ == "AvgPool2d":
                kh, kw = _pair(n["kernel_size"])
                h = sum_pool(h, n) / (kh * kw)
            elif typ in ("IF", "LIF", "LI", "CubaLIF"):
                h = neuron_step(name, n, h, state, margins, dt, legacy, cubalif_order)
            else:
                raise ValueError(f"node {name}: no simulation for {typ}")
            current[name] = h
            out[name].append(h)
        previous = {a: current[a] for a, _ in back}
    result = {name: np.stack(v) for name, v in out.items()}
    # Smallest distance of v to the threshold per spiking node: how far from a float tie the spikes are.
    result.update({f"margin:{name}": np.float64(m) for name, m in margins.items()})
    return result


if __name__ == "__main__":
    with open(sys.argv[2]) as fh:
        spec = json.load(fh)
    x = np.asarray(spec["data"], np.float64).reshape(spec["shape"])
    result = simulate(sys.argv[1], x, float(sys.argv[3]), *sys.argv[5:6])
    out = {k: float(v) if k.startswith("margin:") else {"shape": list(v.shape), "data": v.ravel().tolist()} for k, v in result.items()}
    with open(sys.argv[4], "w") as fh:
        json.dump(out, fh)
