#!/usr/bin/env python3
"""Writes test/fixtures/graph_vectors_more.json: SpikingJelly float64 references for the graph models
that test/fixtures/graph_vectors.json does not cover. One forward + backward per case:

- kind "sew", connect "AND": SpikingJelly's own SEW-ResNet BasicBlock (model/sew_resnet.py, cnf="AND")
  between the same conv-BN-PLIF stem and max-pool/linear/PLIF head as graph_vectors.json's ADD and IAND
  cases, in the same layout;
- kind "attention", block "spikformer" and block "preset": spiking self-attention without softmax, built
  here from SpikingJelly's PLIF and layers and torch ops exactly as spikeflow's `attention` layer kind
  computes it; "spikformer" is Spikformer's SSA block, "preset" the block of spikeflow's attention preset
  (see DESCRIPTION).

Inputs and parameters are drawn from the case's seed; a draw is kept only if every neuron's membrane
potential H stays at least MARGIN away from its threshold at every step (or, in the Spikformer block's
attention neuron, whose H is exact, lands exactly on it), every stage spikes and every
gradient is non-zero (the seed moves on otherwise), so float32 backends fire exactly the same spikes as
this float64 reference. The seed used is recorded in each case.

Needs PyTorch and SpikingJelly's source (0.0.0.0.14, commit 1ee14f17). Run from the repository root:

    PYTHONPATH=/opt/sj /usr/bin/python3 test/python/graph_vectors_more.py test/fixtures/graph_vectors_more.json
"""
import json
import sys

import torch
import torch.nn as nn

from spikingjelly.activation_based import functional, layer, neuron, surrogate
from spikingjelly.activation_based.model import sew_resnet

SCRIPT = "test/python/graph_vectors_more.py"
COMMAND = f"PYTHONPATH=/opt/sj /usr/bin/python3 {SCRIPT} test/fixtures/graph_vectors_more.json"
SPIKINGJELLY = "0.0.0.0.14 (source, commit 1ee14f17)"
MARGIN = 1e-4

DESCRIPTION = f"""Graph-model references from SpikingJelly {SPIKINGJELLY}, PyTorch float64: one forward + backward each.
Written by {SCRIPT} (command: {COMMAND}).

Case kind "sew", connect "AND" (SpikingJelly's SEW-ResNet BasicBlock, activation_based/model/sew_resnet.py, cnf="AND"):
  stem:  Conv2d(Cin->C, k3, pad 1, no bias) -> BatchNorm2d(C) -> PLIF            => s0 (spikes)
  block: Conv2d(C->C, k3, pad 1, no bias) -> BatchNorm2d(C) -> PLIF              => s1
         Conv2d(C->C, k3, pad 1, no bias) -> BatchNorm2d(C) -> PLIF              => s2
         connect(identity=s0, out=s2): AND s0*s2                                 (SpikingJelly's sew_function(identity, out))
  head:  MaxPool2d(2,2) -> Flatten -> Linear(C*(H/2)*(W/2) -> K, no bias) -> PLIF; output = mean firing rate over T
  input: the same static image [N, Cin, H, W] at each of T steps; BatchNorm in training mode (batch statistics over T*N).
Case kind "attention" (Spikformer-style spiking self-attention, SSA, Zhou et al. ICLR 2023, built from SpikingJelly's
PLIF and layers; there is no SSA module in SpikingJelly 0.0.0.0.14), tokens = the H*W pixels, features = the channels:
  stem:  Conv2d(Cin->C, k3, pad 1, no bias) -> BatchNorm2d(C) -> PLIF            => x (spikes) [N, C, H, W]
  q, k, v: each Conv2d(C->C, k1, no bias) -> BatchNorm2d(C) -> PLIF on x         => q, k, v (spikes)
  attention, per step and head (channel c belongs to head c // (C/heads), feature c % (C/heads)):
         scale * Q (K^T V), Q, K, V [tokens, C/heads]; no softmax (spikeflow's `attention` layer kind)
         -> PLIF with threshold attnThreshold                                    => a (spikes)
  block "spikformer" (Spikformer's SSA block):
    proj:  Conv2d(C->C, k1, no bias) -> BatchNorm2d(C) -> PLIF                   => y (spikes)
    residual: z = x + y
    head:  MaxPool2d(2,2) -> Flatten -> Linear(C*(H/2)*(W/2) -> K, no bias) -> PLIF
  block "preset" (the block of spikeflow's attention preset, apps/train/src/graph-presets.ts: no neuron after the
  projection, then an MLP block; the preset's own stem is a 2x2 stride-2 patch conv and its head averages the tokens):
    proj:  Conv2d(C->C, k1, no bias) -> BatchNorm2d(C)                           => y (real)
    residual: z = x + y
    mlp:   Conv2d(C->2C, k1, no bias) -> BatchNorm2d(2C) -> PLIF -> Conv2d(2C->C, k1, no bias) -> BatchNorm2d(C) => m
    residual: z2 = z + m
    head:  AvgPool2d(H) (every token) -> Flatten -> Linear(C -> K, no bias) -> PLIF
  output = mean firing rate over T; input and BatchNorm as for "sew".
  Block "spikformer" uses Spikformer's scale 0.125 and attention threshold 0.5: Q K^T V is a whole number, so the
  attention neuron's H is a multiple of 1/128, exact in float32 too, and lands exactly on the threshold
  `attentionTies` times; a spike there (H >= threshold, SpikingJelly's heaviside(0) = 1) is part of the check.
  Block "preset" uses threshold 1 and scale 0.3 (with 0.125 its attention neuron hardly fires at this size).
Every PLIF: init_tau 2 (w = 0 before training; the value used is recorded), ATan(alpha 2) surrogate,
detach_reset True, hard reset to 0, threshold 1 unless stated, decay_input True. Loss = MSE(output, one_hot(label))
(mean over N*K). Every draw keeps every neuron's H at least {MARGIN} from its threshold at every step (but for
the exact ties above), makes every stage spike and every gradient non-zero; "seed" is the seed it used.
Layouts are PyTorch's: conv weight [Cout, Cin, kh, kw], linear weight [out, in], flatten order (c, h, w)."""


class PLIF(neuron.ParametricLIFNode):
    """SpikingJelly's PLIF, recording how close H came to the threshold (the float32 safety margin).

    With exact_ties, an H exactly on the threshold is counted in `ties` instead: only for a neuron whose
    H is exact in float32 as well (a sum of spike counts times 1/8, halved at each step)."""

    def __init__(self, v_threshold=1.0, exact_ties=False):
        super().__init__(init_tau=2.0, decay_input=True, v_threshold=v_threshold, v_reset=0.0,
                         surrogate_function=surrogate.ATan(alpha=2.0), detach_reset=True, step_mode="m")
        self.closest = float("inf")
        self.exact_ties = exact_ties
        self.ties = 0

    def neuronal_fire(self):
        distance = (self.v - self.v_threshold).abs()
        if self.exact_ties:
            self.ties += int((distance == 0).sum())
            distance = distance[distance > 0]
        if distance.numel():
            self.closest = min(self.closest, distance.min().item())
        return super().neuronal_fire()

    def multi_step_forward(self, x_seq):
        self.spikes = super().multi_step_forward(x_seq)
        return self.spikes


def conv_bn_plif(cin, cout, k, threshold=1.0):
    return nn.Sequential(layer.Conv2d(cin, cout, k, padding=k // 2, bias=False), layer.BatchNorm2d(cout), PLIF(threshold))


def conv_bn(cin, cout):
    """A 1x1 conv and batch norm with no neuron after them."""
    return nn.Sequential(layer.Conv2d(cin, cout, 1, bias=False), layer.BatchNorm2d(cout))


def spike_attention(q, k, v, heads, scale):
    """spikeflow's `attention` kind on [T, N, C, H, W] spikes: scale * Q (K^T V) per step and head."""
    T, N, C, H, W = q.shape
    d = C // heads

    def split(s):  # [T, N, C, H, W] -> [T, N, heads, tokens, d]
        return s.flatten(3).transpose(2, 3).reshape(T, N, H * W, heads, d).transpose(2, 3)

    out = scale * split(q) @ (split(k).transpose(-1, -2) @ split(v))
    return out.transpose(2, 3).reshape(T, N, H * W, C).transpose(2, 3).reshape(T, N, C, H, W)


class SewNet(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.stem = conv_bn_plif(c["Cin"], c["C"], 3)
        self.block = sew_resnet.BasicBlock(c["C"], c["C"], cnf=c["connect"], spiking_neuron=PLIF)
        self.head = nn.Sequential(layer.MaxPool2d(2, 2), layer.Flatten(), layer.Linear(c["C"] * c["H"] * c["W"] // 4, c["K"], bias=False), PLIF())
        # The block's inner spikes, for spikeCounts.
        self.inner = {}
        self.block.sn1.register_forward_hook(lambda m, i, o: self.inner.__setitem__("s1", o))
        self.block.sn2.register_forward_hook(lambda m, i, o: self.inner.__setitem__("s2", o))

    def forward(self, x):
        s0 = self.stem(x)
        out = self.block(s0)
        self.counts = {"s0": s0, "s1": self.inner["s1"], "s2": self.inner["s2"], "connect": out}
        return self.head(out)

    def params(self, grads=False):
        get = (lambda t: t.grad) if grads else (lambda t: t.data)
        stages = {"stem": (self.stem[0], self.stem[1], self.stem[2]),
                  "conv1": (self.block.conv1, self.block.bn1, self.block.sn1),
                  "conv2": (self.block.conv2, self.block.bn2, self.block.sn2)}
        out = {name: conv_bn_plif_params(conv, bn, sn, get, grads) for name, (conv, bn, sn) in stages.items()}
        out["linearWeight"] = get(self.head[2].weight)
        out["headPlifW"] = get(self.head[3].w)
        return out

    def neurons(self):
        return [self.stem[2], self.block.sn1, self.block.sn2, self.head[3]]


class AttentionNet(nn.Module):
    """block "spikformer": Spikformer's SSA; block "preset": the block of spikeflow's attention preset."""

    def __init__(self, c):
        super().__init__()
        C = c["C"]
        self.c = c
        self.spikformer = c["block"] == "spikformer"
        self.stem = conv_bn_plif(c["Cin"], C, 3)
        self.q = conv_bn_plif(C, C, 1)
        self.k = conv_bn_plif(C, C, 1)
        self.v = conv_bn_plif(C, C, 1)
        # Spikformer's scale 1/8 puts H exactly on the threshold at times: both fire (H >= threshold).
        self.attn = PLIF(c["attnThreshold"], exact_ties=c["scale"] == 0.125)
        if self.spikformer:
            self.proj = conv_bn_plif(C, C, 1)
            self.head = nn.Sequential(layer.MaxPool2d(2, 2), layer.Flatten(), layer.Linear(C * c["H"] * c["W"] // 4, c["K"], bias=False), PLIF())
        else:
            self.proj = conv_bn(C, C)
            self.mlp1 = conv_bn_plif(C, 2 * C, 1)
            self.mlp2 = conv_bn(2 * C, C)
            self.head = nn.Sequential(layer.AvgPool2d(c["H"]), layer.Flatten(), layer.Linear(C, c["K"], bias=False), PLIF())

    def forward(self, x):
        s = self.stem(x)
        q, k, v = self.q(s), self.k(s), self.v(s)
        a = self.attn(spike_attention(q, k, v, self.c["heads"], self.c["scale"]))
        z = s + self.proj(a)
        self.counts = {"stem": s, "q": q, "k": k, "v": v, "attention": a}
        if self.spikformer:
            self.counts["proj"] = self.proj[2].spikes
        else:
            hidden = self.mlp1(z)
            z = z + self.mlp2(hidden)
            self.counts["mlp1"] = hidden
        return self.head(z)

    def params(self, grads=False):
        get = (lambda t: t.grad) if grads else (lambda t: t.data)
        stages = ("stem", "q", "k", "v", "proj") + (() if self.spikformer else ("mlp1", "mlp2"))
        out = {name: conv_bn_plif_params(*getattr(self, name), get=get, grads=grads) for name in stages}
        out["attnPlifW"] = get(self.attn.w)
        out["linearWeight"] = get(self.head[2].weight)
        out["headPlifW"] = get(self.head[3].w)
        return out

    def neurons(self):
        return [m for m in self.modules() if isinstance(m, PLIF)]


def conv_bn_plif_params(conv, bn, sn=None, get=None, grads=False):
    p = {"convWeight": get(conv.weight), "bnGamma": get(bn.weight), "bnBeta": get(bn.bias)}
    if sn is not None:
        p["plifW"] = get(sn.w)
    if not grads:
        p["bnEps"] = bn.eps
    return p


def draw(net, c, gen):
    """Random weights, BN affine and input (PLIF w stays at its init, 0)."""
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.Conv2d):
                m.weight.copy_(torch.randn(m.weight.shape, generator=gen, dtype=torch.float64) * (1.5 / m.weight[0].numel() ** 0.5))
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(0.6 + 0.8 * torch.rand(m.weight.shape, generator=gen, dtype=torch.float64))
                m.bias.copy_(0.1 + 0.8 * torch.rand(m.bias.shape, generator=gen, dtype=torch.float64))
            elif isinstance(m, nn.Linear):
                m.weight.copy_(torch.randn(m.weight.shape, generator=gen, dtype=torch.float64) * (3.0 / m.weight.shape[1] ** 0.5))
    x = torch.rand((c["N"], c["Cin"], c["H"], c["W"]), generator=gen, dtype=torch.float64)
    label = torch.randint(0, c["K"], (c["N"],), generator=gen)
    return x, label


def run_case(make, c):
    """Draws from c["seed"] upward until the margin holds; returns the filled case."""
    seed = c["seed"]
    while True:
        torch.manual_seed(seed)
        net = make(c).double()
        functional.set_step_mode(net, "m")
        net.train()
        x, label = draw(net, c, torch.Generator().manual_seed(seed))
        x_seq = x.unsqueeze(0).repeat(c["T"], 1, 1, 1, 1)
        rate = net(x_seq).mean(0)
        loss = nn.functional.mse_loss(rate, nn.functional.one_hot(label, c["K"]).double())
        closest = min(n.closest for n in net.neurons())
        counts = {k: float(v.sum()) for k, v in net.counts.items()}
        if closest >= MARGIN:
            loss.backward()
            # Every stage must spike and every gradient must be non-zero, or the case checks nothing there.
            silent = [k for k, v in net.counts.items() if not 0 < v.sum() < v.numel()]
            silent += [name for name, g in flat_items(net.params(grads=True)) if g.abs().max() == 0]
            if not silent:
                break
            print(f"seed {seed}: {', '.join(silent)} silent or saturated; next seed", file=sys.stderr)
        else:
            print(f"seed {seed}: an H came within {closest:.2e} of its threshold; next seed", file=sys.stderr)
        seed += 1
    ties = {"attentionTies": net.attn.ties} if isinstance(net, AttentionNet) else {}
    return {**c, "seed": seed, "input": x, "label": label, "params": net.params(), "spikeCounts": counts,
            "closestToThreshold": closest, **ties, "output": rate.detach(), "loss": loss.detach(), "grads": net.params(grads=True)}


def flat_items(tree, prefix=""):
    for k, v in tree.items():
        if isinstance(v, dict):
            yield from flat_items(v, f"{prefix}{k}.")
        else:
            yield f"{prefix}{k}", v


def plain(v):
    if isinstance(v, torch.Tensor):
        return v.tolist()
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    return v


def main(out_path):
    torch.set_default_dtype(torch.float64)
    cases = [
        run_case(SewNet, {"kind": "sew", "connect": "AND", "seed": 4, "T": 4, "N": 2, "Cin": 1, "C": 4, "H": 8, "W": 8, "K": 10}),
        run_case(AttentionNet, {"kind": "attention", "block": "spikformer", "seed": 5, "T": 4, "N": 2, "Cin": 1, "C": 8, "H": 8, "W": 8,
                                "K": 10, "heads": 2, "scale": 0.125, "attnThreshold": 0.5}),
        run_case(AttentionNet, {"kind": "attention", "block": "preset", "seed": 6, "T": 4, "N": 2, "Cin": 1, "C": 8, "H": 8, "W": 8,
                                "K": 10, "heads": 2, "scale": 0.3, "attnThreshold": 1.0}),
    ]
    doc = {
        "source": f"SpikingJelly {SPIKINGJELLY}, PyTorch {torch.__version__} float64",
        "generator": {"script": SCRIPT, "command": COMMAND, "spikingjelly": SPIKINGJELLY, "torch": torch.__version__,
                      "seeds": {f"{c['kind']} {c.get('connect', c.get('block'))}": c["seed"] for c in cases}, "margin": MARGIN},
        "description": DESCRIPTION,
        "cases": [plain(c) for c in cases],
    }
    # One line per header field and per case: a reviewer reads the header, a diff shows which case moved.
    header = ",\n".join(f" {json.dumps(k)}: {json.dumps(v)}" for k, v in doc.items() if k != "cases")
    cases = ",\n".join(f"  {json.dumps(c)}" for c in doc["cases"])
    with open(out_path, "w") as f:
        f.write(f"{{\n{header},\n \"cases\": [\n{cases}\n ]\n}}\n")
    for c in doc["cases"]:
        print(c["kind"], c.get("connect", c.get("block")), "seed", c["seed"], "loss", c["loss"], "spikes", c["spikeCounts"], "closest", c["closestToThreshold"])


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {COMMAND}")
    main(sys.argv[1])
