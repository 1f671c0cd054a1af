#!/usr/bin/env python3
"""SpikingJelly's side of spikeflow's CPU training comparison (apps/train/bench/backends.bench.mjs).

The same network and step as spikeflow's benchmark CSNN: {Conv3x3(1->C)-BN-PLIF-MaxPool2}x2 ->
Linear(C*7*7->512) -> PLIF -> Linear(512->10) -> PLIF, T = 4, batch 64, the same input image at every
time step, MSE between the firing rate and the one-hot label, SGD lr 0.1 momentum 0.9. PLIF: init_tau 2,
v_threshold 1, v_reset 0, ATan surrogate (alpha 2), detach_reset. Multi-step mode, torch backend, on the
CPU with torch.set_num_threads(cores).

It also times what spikeflow's bench times beside the step: the ANN floor (ReLU instead of PLIF, T folded
into the batch) and the four PLIF layers alone (forward + backward at the step's shapes), and reads the
process's peak resident memory. Prints one line: RESULT {json}.

Needs: pip install torch spikingjelly
Usage: python3 apps/train/bench/spikingjelly_csnn.py [--steps 3] [--threads N] [--batch 64] [--T 4] [--channels 32]
"""
import argparse
import json
import os
import resource
import sys
import time


def cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--steps", type=int, default=3, help="timed steps (median reported), after one warm-up step")
    p.add_argument("--threads", type=int, default=0, help="torch threads (default: every core this process may use)")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--T", type=int, default=4)
    p.add_argument("--channels", type=int, default=32)
    args = p.parse_args(argv)
    for name in ("steps", "batch", "T", "channels"):
        if getattr(args, name) < 1:
            p.error(f"--{name} must be >= 1, got {getattr(args, name)}")
    if args.threads < 0:
        p.error(f"--threads must be >= 1 (or 0 for every core), got {args.threads}")
    return args


def package_version(name):
    try:
        from importlib.metadata import version
        return version(name)
    except Exception:  # installed from a source tree: no metadata
        return source_tree_version(name)


def source_tree_version(name):
    """The version in the setup.py beside the package (a source checkout on PYTHONPATH), else "unknown"."""
    import importlib
    import re
    try:
        package_dir = os.path.dirname(importlib.import_module(name).__file__)
        with open(os.path.join(package_dir, "..", "setup.py"), encoding="utf8") as f:
            m = re.search(r"version\s*=\s*[\"']([^\"']+)[\"']", f.read())
        return m.group(1) + " (source)" if m else "unknown"
    except Exception:
        return "unknown"


def peak_rss_mb():
    # Linux reports ru_maxrss in KiB, macOS in bytes.
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def main(argv):
    args = parse_args(argv)
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    from spikingjelly.activation_based import functional, layer, neuron, surrogate

    threads = args.threads or cores()
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    T, N, C, classes = args.T, args.batch, args.channels, 10

    def plif():
        return neuron.ParametricLIFNode(
            init_tau=2.0, v_threshold=1.0, v_reset=0.0, surrogate_function=surrogate.ATan(alpha=2.0),
            detach_reset=True, step_mode="m", backend="torch")

    # SeqToANNContainer folds [T, N, ...] into [T*N, ...] for stateless layers: multi-step mode.
    # The first conv and norm see the same image at every step: run once per image and repeated T
    # times, as spikeflow's direct encoder and SpikingJelly's own conv_fashion_mnist example do.
    static = nn.Sequential(nn.Conv2d(1, C, 3, padding=1, bias=False), nn.BatchNorm2d(C))
    snn = nn.Sequential(
        plif(),
        layer.SeqToANNContainer(nn.MaxPool2d(2, 2), nn.Conv2d(C, C, 3, padding=1, bias=False), nn.BatchNorm2d(C)),
        plif(),
        layer.SeqToANNContainer(nn.MaxPool2d(2, 2), nn.Flatten(), nn.Linear(C * 7 * 7, 512, bias=False)),
        plif(),
        layer.SeqToANNContainer(nn.Linear(512, classes, bias=False)),
        plif(),
    )
    functional.set_step_mode(snn, "m")
    ann = nn.Sequential(
        nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(C, C, 3, padding=1, bias=False), nn.BatchNorm2d(C), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Flatten(), nn.Linear(C * 7 * 7, 512, bias=False), nn.ReLU(), nn.Linear(512, classes, bias=False), nn.ReLU(),
    )

    gen = torch.Generator().manual_seed(7)
    x = torch.rand(N, 1, 28, 28, generator=gen)
    target = F.one_hot(torch.randint(0, classes, (N,), generator=gen), classes).float()

    def trainer(net, forward):
        opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)

        def step():
            opt.zero_grad(set_to_none=True)
            loss = F.mse_loss(forward(), target)
            loss.backward()
            opt.step()
            functional.reset_net(net)
            return loss.item()
        return step

    def snn_forward():
        x_seq = static(x).unsqueeze(0).repeat(T, 1, 1, 1, 1)
        return snn(x_seq).mean(0)

    def ann_forward():
        return ann(static(x).repeat(T, 1, 1, 1)).reshape(T, N, classes).mean(0)

    def median_ms(fn):
        fn()  # warm-up
        times = []
        for _ in range(args.steps):
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1000)
        return sorted(times)[len(times) // 2]

    rss_before = peak_rss_mb()
    snn_ms = median_ms(trainer(nn.Sequential(static, snn), snn_forward))
    rss_snn = peak_rss_mb()  # read before the ANN and the layer timings can raise it
    ann_ms = median_ms(trainer(nn.Sequential(static, ann), ann_forward))

    # The four PLIF layers alone at the step's shapes, forward + backward.
    node = plif()
    neuron_ms = 0.0
    for shape in ((T, N, C, 28, 28), (T, N, C, 14, 14), (T, N, 512), (T, N, classes)):
        xs = (torch.rand(shape, generator=gen) * 1.5).requires_grad_(True)
        gs = torch.randn(shape, generator=gen)

        def layer_step():
            xs.grad = None
            (node(xs) * gs).sum().backward()
            functional.reset_net(node)
        neuron_ms += median_ms(layer_step)

    result = {
        "framework": "spikingjelly",
        "version": package_version("spikingjelly"),
        "torch": torch.__version__,
        "device": "CPU (PyTorch, torch backend)",
        "neuronImpl": "torch",
        "threads": torch.get_num_threads(),
        "steps": args.steps,
        "T": T,
        "batch": N,
        "snnMs": snn_ms,
        "snnImagesPerSecond": N / snn_ms * 1000,
        "annMs": ann_ms,
        "annImagesPerSecond": N / ann_ms * 1000,
        "ratio": snn_ms / ann_ms,
        "neuronMs": neuron_ms,
        "neuronShare": neuron_ms / snn_ms,
        "peakRssMB": rss_snn,
        "rssBeforeTrainingMB": rss_before,
    }
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
