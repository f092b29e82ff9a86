#!/usr/bin/env python3
"""nnn from Python, measured side by side in one script (issue 31):
training samples/s of a plain Python loop on nnn's operators (nnn.NNN,
torch.optim.Adam, cross-entropy on the last step) beside `nnn bench` (the
command line, run first by this script, on the same LibTorch), the eager
spec implementation (nnn_spec.SpecNNN) and torch.compile of it (peers.py's
CompiledPeer: forward, loss and Adam compiled; compile time apart), on the
bench workloads at batch 256 and 32, one thread each.

  python_bench.py --nnn BUILD/bin/nnn [--seconds S] [--batch 256,32]
                  [--only TEXT] [--json FILE] [--reference-nnn OTHER/bin/nnn]

Run it with .venv-torch2's Python after `pip install ./python`, and the
torch2 build's nnn (pip's LibTorch 2.13, like the operators): then the
command line and the operators run the same kernels. `nnn bench` is shown
twice: computing every cell at every step and skipping what cannot reach
the last step's loss (its default; torch.compile drops that work too); the
operators likewise, `model(x)` and `model(x, from_step=T)`. Ratios: each
side of the operators against the same work in `nnn bench`; against
torch.compile and eager, the operators from the last step.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nnn_spec  # noqa: E402
import peers  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import nnn  # noqa: E402


def time_operator(a, inputs, output, hidden, steps, batch, seconds, from_last):
    """A plain Python training loop on nnn's operators: torch.optim.Adam
    (fused), cross-entropy on the last step's prediction, every step
    computed or (from_last) only what reaches the last step."""
    torch.manual_seed(0)
    model = nnn.NNN(nnn.Wiring(a, inputs, output), 784, 10, hidden=hidden, steps=steps)
    optimizer = torch.optim.Adam(model.parameters(), lr=peers.LR, betas=peers.BETAS, eps=peers.EPS,
                                 fused=True)
    torch.manual_seed(2)
    x = torch.randn(batch, 784)
    y = torch.randint(0, 10, (batch,))
    from_step = steps if from_last else None

    def step():
        optimizer.zero_grad(set_to_none=True)
        F.cross_entropy(model(x, from_step=from_step)[-1], y).backward()
        optimizer.step()

    return peers.time_steps(step, batch, seconds)[0]


def nnn_bench(binary, seconds, batches, only):
    """`nnn bench` training rows, one thread: {(workload, batch, skip): samples/s}."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "bench.json")
        command = [binary, "bench", "--threads", "1", "--seconds", str(seconds),
                   "--skip-unreachable", "both", "--batch", ",".join(map(str, batches)),
                   "--json", path]
        if only:
            command += ["--only", only]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL,
                       env={**os.environ, "OMP_NUM_THREADS": "1"})
        with open(path) as f:
            report = json.load(f)
    rows = {}
    for r in report["results"]:
        # "train" skips what cannot reach the loss; "train:all-cells" does
        # not (only where there is something to skip).
        if r["mode"] in ("train", "train:all-cells"):
            rows[(r["workload"], r["batch"], r["mode"] == "train")] = r["samples_per_s"]
    return report, rows


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nnn", required=True, help="nnn's command line (the torch2 build's)")
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--batch", default="256,32")
    parser.add_argument("--only", default="")
    parser.add_argument("--json")
    parser.add_argument("--reference-nnn", help="another build's nnn (e.g. build/release's: "
                        "Debian's LibTorch with libxsmm), its `nnn bench` shown beside")
    args = parser.parse_args()
    batches = [int(b) for b in args.batch.split(",")]
    torch.set_num_threads(1)
    # A cold compile: an inductor cache of its own, removed at the end.
    cache = tempfile.mkdtemp(prefix="nnn-python-bench-inductor-")
    os.environ["TORCHINDUCTOR_CACHE_DIR"] = cache
    try:
        run(args, batches)
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def run(args, batches):

    report, bench = nnn_bench(args.nnn, args.seconds, batches, args.only)
    reference = {}
    if args.reference_nnn:
        reference_report, reference = nnn_bench(args.reference_nnn, args.seconds, batches,
                                                args.only)
    print("> nnn from Python, one thread each, training samples/s (forward, cross-entropy on the "
          "last step, backward, Adam)")
    for part in peers.describe():
        print(f"> {part}")
    machine = report.get("machine", {})
    print(f"> nnn bench: {json.dumps(machine)[:300]}")
    print("> nnn's operators: nnn's C++ library built against this Python's torch (pip's "
          "LibTorch: products through its mm)")
    if reference:
        print(f"> reference nnn bench: {json.dumps(reference_report.get('machine', {}))[:300]}")
    rows = []
    print("| workload | batch | nnn bench, every cell | nnn bench, skipping | Python on nnn's op, "
          "every cell | Python on nnn's op, from_step=T | eager spec | torch.compile (compile s) "
          "| op / nnn bench, every cell | op / nnn bench, skipping | op / torch.compile "
          "| op / eager |" + (" reference nnn bench, skipping |" if reference else ""))
    print("|" + "---|" * 2 + "---:|" * (11 if reference else 10))
    for name, a, inputs, output, hidden, steps, batch in nnn_spec.workloads():
        if batch not in batches or (args.only and args.only not in name):
            continue
        d = peers.distance(a, inputs, output)
        every_op = time_operator(a, inputs, output, hidden, steps, batch, args.seconds, False)
        last_op = time_operator(a, inputs, output, hidden, steps, batch, args.seconds, True)
        eager, _, _ = peers.time_peer("eager", a, inputs, output, hidden, steps, "last", d, batch,
                                      args.seconds)
        compiled, _, compile_seconds = peers.time_peer("compile", a, inputs, output, hidden,
                                                       steps, "last", d, batch, args.seconds)
        bench_name = next((w for (w, b, _) in bench if b == batch and
                           w.replace(" ", "") == name.replace(" ", "")), None)
        skipping = bench.get((bench_name, batch, True))
        every = bench.get((bench_name, batch, False), skipping)
        row = {"workload": name, "batch": batch, "nnn_bench_every_cell": every,
               "nnn_bench_skipping": skipping, "operator_every_cell": every_op,
               "operator_from_last": last_op, "eager": eager, "compile": compiled,
               "compile_seconds": compile_seconds}
        if reference:
            row["reference_nnn_bench_skipping"] = reference.get((bench_name, batch, True))
        rows.append(row)

        def ratio(x, y):
            return f"{x / y:.2f}x" if x and y else "-"

        def number(v):
            return f"{v:,.0f}" if v else "-"

        print(f"| {name} | {batch} | {number(every)} | {number(skipping)} | {number(every_op)} | "
              f"{number(last_op)} | {number(eager)} | {number(compiled)} ({compile_seconds:.0f} s) | "
              f"{ratio(every_op, every)} | {ratio(last_op, skipping)} | {ratio(last_op, compiled)} | "
              f"{ratio(last_op, eager)} |" +
              (f" {number(row['reference_nnn_bench_skipping'])} |" if reference else ""))
        sys.stdout.flush()
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": peers.describe(), "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
