#!/usr/bin/env python3
"""The compiled peers of `nnn bench`: the bench workloads trained by
torch.compile (inductor) and by JAX under jit, each checked against the
spec implementation (nnn_spec.SpecNNN, eager PyTorch) before it is timed.

  table  JSON...   (nnn bench --json and peers.py bench --json files;
                   scripts/bench-peers.sh writes them)
      One Markdown table per loss: nnn's samples/s (`nnn bench --json`, 1
      and 2 threads) beside each peer's (1 and 2 threads), and the ratios
      nnn / best peer (each side at its best thread count) and per core
      (both at 1 thread).
  sweep  --nnn BINARY [--cells 8 32 128] [--steps 4 16 64] [--timeout S]
      Growing unrolled graphs at batch 256, one thread: sparse random
      wirings of more cells (each reads 8 channels from 3 others, h32, T8)
      and layered[1,3,1] over more steps; nnn (`nnn bench --model`) beside
      torch.compile and JAX, each peer in its own process with its compile
      time, cut off after --timeout seconds.
  check  [--only TEXT]
      Loss and every parameter's gradient of each peer against the spec's,
      in float64 on a batch of 8, for both losses; exits non-zero on a
      difference above --tolerance (relative to the largest gradient).
  bench  [--only TEXT] [--batch 256,32] [--loss last|all] [--seconds S]
         [--peers eager,compile,jax] [--json FILE]
      Training samples/s (forward, cross-entropy, backward, Adam) of each
      peer on float32, with its compile time measured apart. Threads: the
      process's own (run it under `taskset -c 0` for one core;
      scripts/bench-peers.sh does).

Losses: `last` is cross-entropy on the last step only (nnn bench's default);
a compiler then drops every cell and step whose output cannot reach the
output cell by the last step. `all` is the mean over the steps t >= d + 1
(NNN-SPEC's "all"), so every cell at every step is needed: the same work
nnn does. Both peers are written the way a performance-minded researcher
would: the whole training step (loss, gradients, Adam) in one compiled
function. Shares no code with nnn; the model is nnn_spec's.
"""
import argparse
import json
import os
import platform
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nnn_spec  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

LR = 1e-3
BETAS = (0.9, 0.999)
EPS = 1e-8


def distance(a, inputs, output):
    """Shortest input-to-output path length (edges), as nnn's plan has it."""
    frontier, seen, d = set(inputs), set(inputs), 0
    while output not in frontier:
        frontier = {j for i in frontier for j in range(len(a)) if a[i][j] and j not in seen}
        if not frontier:
            raise ValueError("the output cell cannot be reached")
        seen |= frontier
        d += 1
    return d


def spec_loss(predictions, y, loss, d):
    """predictions [T, B, C] -> the batch-mean loss of NNN-SPEC."""
    if loss == "last":
        return F.cross_entropy(predictions[-1], y)
    used = predictions[d:]
    return F.cross_entropy(used.reshape(-1, used.shape[-1]), y.repeat(used.shape[0]))


# ---------------------------------------------------------------- torch.compile


class CompiledPeer:
    """SpecNNN's forward, loss and backward through torch.compile, and Adam's
    update compiled too (torch.optim.Adam's step under torch.compile)."""

    def __init__(self, model, loss, d):
        self.model = model
        self.loss, self.d = loss, d
        self.opt = torch.optim.Adam(model.parameters(), lr=LR, betas=BETAS, eps=EPS)
        self.forward_loss = torch.compile(self._forward_loss, dynamic=False)
        self.opt_step = torch.compile(self.opt.step, dynamic=False)

    def _forward_loss(self, x, y):
        return spec_loss(self.model(x), y, self.loss, self.d)

    def gradients(self, x, y):
        self.opt.zero_grad(set_to_none=True)
        loss = self.forward_loss(x, y)
        loss.backward()
        return loss.detach(), [p.grad for p in self.model.parameters()]

    def step(self, x, y):
        self.opt.zero_grad(set_to_none=True)
        self.forward_loss(x, y).backward()
        self.opt_step()


class EagerPeer(CompiledPeer):
    """The spec itself, eager, torch.optim.Adam: the round-2 baseline."""

    def __init__(self, model, loss, d):
        self.model = model
        self.loss, self.d = loss, d
        self.opt = torch.optim.Adam(model.parameters(), lr=LR, betas=BETAS, eps=EPS)
        self.forward_loss = self._forward_loss
        self.opt_step = self.opt.step


# ------------------------------------------------------------------------- JAX


class JaxPeer:
    """NNN-SPEC written in JAX: the same concatenation per cell, every step
    unrolled under jit, the whole step (value_and_grad, Adam) one jitted
    function with its buffers donated."""

    def __init__(self, model, loss, d, dtype):
        import jax
        import jax.numpy as jnp

        self.jax, self.jnp = jax, jnp
        a, n = model.a, model.n
        inputs, output, steps, d_out = model.inputs, model.output, model.steps, model.d_out
        act_h, act_o = model.act_h, model.act_o
        names = {torch.relu: "relu", torch.sigmoid: "sigmoid", torch.tanh: "tanh",
                 F.logsigmoid: "log_sigmoid"}
        jax_act = {"relu": jax.nn.relu, "sigmoid": jax.nn.sigmoid, "tanh": jnp.tanh,
                   "log_sigmoid": jax.nn.log_sigmoid}
        h_fn = jax_act[names[act_h]] if act_h in names else (lambda v: v)
        o_fn = jax_act[names[act_o]] if act_o in names else (lambda v: v)
        offsets = {(i, j): model.send_offset(i, j) for i in range(n) for j in range(n) if a[i][j]}
        out_dims = [model.out_dim(i) for i in range(n)]

        def forward(params, x):
            batch = x.shape[0]
            m = [jnp.zeros((batch, out_dims[i]), x.dtype) for i in range(n)]
            predictions = []
            for _ in range(steps):
                new = []
                for j in range(n):
                    parts = [x] if j in inputs else []
                    for i in range(n):
                        if a[i][j]:
                            o = offsets[(i, j)]
                            parts.append(m[i][:, o:o + a[i][j]])
                    u = jnp.concatenate(parts, axis=1)
                    w1, b1, w2, b2 = params[j]
                    new.append(o_fn(h_fn(u @ w1 + b1) @ w2 + b2))
                m = new
                predictions.append(m[output][:, :d_out])
            return jnp.stack(predictions)

        def loss_fn(params, x, y):
            p = forward(params, x)
            used = p[-1:] if loss == "last" else p[d:]
            logp = jax.nn.log_softmax(used, axis=-1)
            picked = jnp.take_along_axis(logp, y[None, :, None], axis=-1)
            return -jnp.mean(picked)

        def train_step(params, mu, nu, count, x, y):
            value, grads = jax.value_and_grad(loss_fn)(params, x, y)
            count = count + 1
            mu = jax.tree_util.tree_map(lambda m_, g: BETAS[0] * m_ + (1 - BETAS[0]) * g, mu, grads)
            nu = jax.tree_util.tree_map(lambda v, g: BETAS[1] * v + (1 - BETAS[1]) * g * g, nu, grads)
            c1 = 1 - BETAS[0] ** count
            c2 = 1 - BETAS[1] ** count
            params = jax.tree_util.tree_map(
                lambda p_, m_, v: p_ - LR * (m_ / c1) / (jnp.sqrt(v / c2) + EPS), params, mu, nu)
            return params, mu, nu, count, value

        self.grad_fn = jax.jit(jax.value_and_grad(loss_fn))
        self.train_step = jax.jit(train_step, donate_argnums=(0, 1, 2))
        np_dtype = {torch.float32: jnp.float32, torch.float64: jnp.float64}[dtype]
        self.params = [tuple(jnp.asarray(getattr(c, k).detach().cpu().numpy(), np_dtype)
                             for k in ("w1", "b1", "w2", "b2")) for c in model.cells]
        self.mu = jax.tree_util.tree_map(jnp.zeros_like, self.params)
        self.nu = jax.tree_util.tree_map(jnp.zeros_like, self.params)
        self.count = jnp.asarray(0, np_dtype)
        self.dtype = np_dtype

    def to_jax(self, x, y):
        return self.jnp.asarray(x.numpy(), self.dtype), self.jnp.asarray(y.numpy())

    def gradients(self, x, y):
        value, grads = self.grad_fn(self.params, *self.to_jax(x, y))
        flat = [torch.from_numpy(self.jax.device_get(g).copy()) for cell in grads for g in cell]
        return torch.tensor(float(value), dtype=torch.float64), flat

    def step(self, x, y):
        self.params, self.mu, self.nu, self.count, value = self.train_step(
            self.params, self.mu, self.nu, self.count, *self.xy)
        self.last = value

    def block(self):
        self.jax.block_until_ready(self.params)


# --------------------------------------------------------------------- running


def build(name, a, inputs, output, hidden, steps, dtype):
    torch.manual_seed(0)
    model = nnn_spec.SpecNNN(a, inputs, output, 784, 10, steps, [hidden])
    return model.to(dtype)


def make_peer(kind, model, loss, d, dtype):
    if kind == "eager":
        return EagerPeer(model, loss, d)
    if kind == "compile":
        return CompiledPeer(model, loss, d)
    if kind == "jax":
        return JaxPeer(model, loss, d, dtype)
    raise SystemExit(f"error: --peers: unknown peer '{kind}' (expected eager, compile or jax)")


def selected(args):
    seen = set()
    for name, a, inputs, output, hidden, steps, _ in nnn_spec.workloads():
        if name in seen or (args.only and args.only not in name):
            continue
        seen.add(name)
        yield name, a, inputs, output, hidden, steps


def command_check(args):
    if "jax" in args.peers:
        import jax
        jax.config.update("jax_enable_x64", True)
    worst = 0.0
    for name, a, inputs, output, hidden, steps in selected(args):
        d = distance(a, inputs, output)
        for loss in ("last", "all"):
            if loss == "all" and d >= steps - 1:
                continue  # the same loss as "last"
            torch.manual_seed(1)
            x = torch.randn(8, 784, dtype=torch.float64)
            y = torch.randint(0, 10, (8,))
            ref = EagerPeer(build(name, a, inputs, output, hidden, steps, torch.float64), loss, d)
            ref_loss, ref_grads = ref.gradients(x, y)
            scale = max(g.abs().max().item() for g in ref_grads)
            for kind in args.peers:
                if kind == "eager":
                    continue
                model = build(name, a, inputs, output, hidden, steps, torch.float64)
                if args.mismatch:  # the check must be able to fail: one weight moved
                    with torch.no_grad():
                        model.cells[0].w1[0, 0] += 1e-3
                peer = make_peer(kind, model, loss, d, torch.float64)
                value, grads = peer.gradients(x, y)
                loss_diff = abs(value.item() - ref_loss.item()) / abs(ref_loss.item())
                grad_diff = max((g.double() - r).abs().max().item() for g, r in zip(grads, ref_grads)) / scale
                worst = max(worst, loss_diff, grad_diff)
                verdict = "ok" if max(loss_diff, grad_diff) <= args.tolerance else "DIFFERS"
                print(f"{name:<30} loss {loss:<4} {kind:<8} loss {loss_diff:.1e}  gradients {grad_diff:.1e}  {verdict}")
                sys.stdout.flush()
    if worst > args.tolerance:
        raise SystemExit(f"error: a peer differs from the spec by {worst:.2e} (tolerance {args.tolerance:.0e})")
    print(f"every peer equals the spec to {worst:.1e} (relative; tolerance {args.tolerance:.0e})")


def describe():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    parts = [f"cpu {cpu}", f"{len(os.sched_getaffinity(0))} cores allowed",
             f"torch {torch.__version__} (kernels: {torch.backends.cpu.get_cpu_capability()}, "
             f"{torch.get_num_threads()} threads)", f"python {platform.python_version()}"]
    try:
        import jax
        import jaxlib
        parts.append(f"jax {jax.__version__} / jaxlib {jaxlib.__version__} ({jax.default_backend()})")
    except ImportError:
        parts.append("jax not installed")
    return parts


def time_peer(kind, a, inputs, output, hidden, steps, loss, d, batch, seconds):
    """Training samples/s, ms per batch and the seconds of the first step
    (the compile) of one peer on float32 random data."""
    torch.manual_seed(0)
    model = nnn_spec.SpecNNN(a, inputs, output, 784, 10, steps, [hidden])
    peer = make_peer(kind, model, loss, d, torch.float32)
    torch.manual_seed(2)
    x = torch.randn(batch, 784)
    y = torch.randint(0, 10, (batch,))
    if kind == "jax":
        peer.xy = peer.to_jax(x, y)
    sync = peer.block if kind == "jax" else (lambda: None)
    start = time.perf_counter()
    peer.step(x, y)  # compiles
    sync()
    compile_seconds = time.perf_counter() - start
    rate, ms = time_steps(lambda: peer.step(x, y), batch, seconds, sync)
    return rate, ms, compile_seconds


def time_steps(step, batch, seconds, sync=lambda: None):
    """Samples/s and ms per batch of `step` (a training step on `batch`
    samples): 5 steps of warm-up, then at least `seconds` of steps, the
    clock read (after `sync`) every 10."""
    for _ in range(5):
        step()
    sync()
    iterations, start = 0, time.perf_counter()
    while True:
        step()
        iterations += 1
        if iterations % 10 == 0:
            sync()
            if time.perf_counter() - start >= seconds:
                break
    elapsed = time.perf_counter() - start
    return iterations * batch / elapsed, 1e3 * elapsed / iterations


def random_sparse(n, degree, channels, steps, seed):
    """Each cell reads `channels` from `degree` others picked at random, and
    one that sends nothing sends to one more (nnn refuses a cell with no
    input or no output); input cell 0, output n - 1, redrawn until the
    output is within steps - 1 of the input."""
    rng = random.Random(seed)
    while True:
        a = [[0] * n for _ in range(n)]
        for j in range(n):
            for i in rng.sample([k for k in range(n) if k != j], degree):
                a[i][j] = channels
        for i in range(n - 1):
            if not any(a[i]):
                a[i][rng.choice([k for k in range(n) if k != i])] = channels
        try:
            if distance(a, [0], n - 1) < steps:
                return a
        except ValueError:
            pass


def sweep_points(args):
    for n in args.cells:
        yield {"axis": "cells", "value": n, "name": f"random({n}, 3 in)x8 h32 T8",
               "a": random_sparse(n, 3, 8, 8, seed=n), "inputs": [0], "output": n - 1,
               "hidden": 32, "steps": 8}
    a, inputs, output = nnn_spec.layered([1, 3, 1], 16, True)
    for t in args.steps:
        yield {"axis": "steps", "value": t, "name": f"layered[1,3,1]x16 h64 T{t}", "a": a,
               "inputs": inputs, "output": output, "hidden": 64, "steps": t}


def command_sweep(args):
    """nnn, torch.compile and JAX on growing unrolled graphs, each peer in a
    process of its own with a bound on its compile and run."""
    import subprocess
    import tempfile
    work = tempfile.mkdtemp()
    print("sweep: " + "; ".join(describe()))
    print(f"{'axis':<6} {'value':>5} {'nnn':>10} {'compile':>10} {'compile s':>9} {'jax':>10} {'jax s':>7}")
    rows = []
    for point in sweep_points(args):
        cfg = os.path.join(work, "model.yaml")
        with open(cfg, "w") as f:
            f.write(f"name: sweep-{point['axis']}-{point['value']}\nmodel:\n  input_size: 784\n  output_size: 10\n"
                    f"  steps: {point['steps']}\n  hidden: {point['hidden']}\n  wiring:\n"
                    f"    adjacency: {json.dumps(point['a'])}\n    inputs: {point['inputs']}\n"
                    f"    output: {point['output']}\n")
        out = os.path.join(work, "nnn.json")
        subprocess.run([args.nnn, "bench", "--model", cfg, "--batch", str(args.batch), "--threads", "1",
                        "--seconds", str(args.seconds), "--json", out], check=True,
                       stdout=subprocess.DEVNULL)
        with open(out) as f:
            nnn_rate = next(r["samples_per_s"] for r in json.load(f)["results"] if r["mode"] == "train")
        row = dict(point, nnn=nnn_rate)
        del row["a"]
        spec = os.path.join(work, "point.json")
        with open(spec, "w") as f:
            json.dump(point, f)
        for kind in ("compile", "jax"):
            env = dict(os.environ, TORCHINDUCTOR_CACHE_DIR=tempfile.mkdtemp(dir=work))
            try:
                done = subprocess.run([sys.executable, os.path.abspath(__file__), "point", spec, "--peer", kind,
                                       "--batch", str(args.batch), "--seconds", str(args.seconds)],
                                      capture_output=True, text=True, timeout=args.timeout, env=env, check=True)
                row[kind], row[kind + "_compile_s"] = json.loads(done.stdout.strip().splitlines()[-1])
            except subprocess.TimeoutExpired:
                row[kind], row[kind + "_compile_s"] = None, f"> {args.timeout:.0f}"
        rows.append(row)

        def show(v):
            return "-" if v is None else f"{v:,.0f}"

        def secs(v):
            return v if isinstance(v, str) else f"{v:.1f}"
        print(f"{row['axis']:<6} {row['value']:>5} {show(row['nnn']):>10} {show(row['compile']):>10} "
              f"{secs(row['compile_compile_s']):>9} {show(row['jax']):>10} {secs(row['jax_compile_s']):>7}")
        sys.stdout.flush()
    if args.json:
        with open(args.json + ".tmp", "w") as f:
            json.dump({"machine": describe(), "rows": rows}, f, indent=1)
        os.replace(args.json + ".tmp", args.json)


def command_point(args):
    with open(args.spec) as f:
        p = json.load(f)
    torch.set_num_threads(len(os.sched_getaffinity(0)))
    d = distance(p["a"], p["inputs"], p["output"])
    rate, _, compile_seconds = time_peer(args.peer, p["a"], p["inputs"], p["output"], p["hidden"],
                                         p["steps"], "last", d, args.batch, args.seconds)
    print(json.dumps([rate, compile_seconds]))


def command_bench(args):
    threads = len(os.sched_getaffinity(0))
    torch.set_num_threads(threads)
    batches = [int(b) for part in args.batch for b in part.split(",") if b]
    info = describe()
    print("peers: " + "; ".join(info))
    print(f"{'workload':<30} {'loss':<4} {'peer':<8} {'batch':>5} {'samples/s':>10} {'ms/batch':>9} {'compile s':>9}")
    results = []
    for batch in batches:
        for name, a, inputs, output, hidden, steps in selected(args):
            d = distance(a, inputs, output)
            for kind in args.peers:
                if kind == "jax" and "jax not installed" in info:
                    continue
                rate, ms, compile_seconds = time_peer(kind, a, inputs, output, hidden, steps, args.loss,
                                                      d, batch, args.seconds)
                print(f"{name:<30} {args.loss:<4} {kind:<8} {batch:>5} {rate:>10.0f} "
                      f"{ms:>9.3f} {compile_seconds:>9.1f}")
                sys.stdout.flush()
                results.append({"workload": name, "loss": args.loss, "peer": kind, "batch": batch,
                                "threads": threads, "samples_per_s": rate,
                                "ms_per_batch": ms,
                                "compile_seconds": compile_seconds})
    if args.json:
        with open(args.json + ".tmp", "w") as f:
            json.dump({"machine": info, "results": results}, f, indent=1)
        os.replace(args.json + ".tmp", args.json)


def command_table(args):
    nnn, peers, machine = {}, {}, []
    for path in args.files:
        with open(path) as f:
            data = json.load(f)
        if isinstance(data.get("machine"), dict):  # nnn bench --json
            m = data["machine"]
            machine.append(f"nnn: {m.get('cpu', '?')}, {m['threads']} threads, LibTorch {m['libtorch']}, "
                           f"products {m['products']}, FMA peak {m.get('fma_peak_gflops_per_core', 0):.1f} "
                           f"GFLOP/s per core ({m.get('fma_isa', '?')}), sgemm {m['sgemm_gflops']:.1f}")
            for r in data["results"]:
                mode = r["mode"]
                if not mode.startswith("train") or "autograd" in mode or "torch-mm" in mode:
                    continue
                loss = "all" if ":loss-all" in mode else "last"
                variant = "all-cells" if ":all-cells" in mode else "nnn"
                nnn[(r["workload"], r["batch"], loss, variant, m["threads"])] = (
                    r["samples_per_s"], r.get("fraction_of_peak", 0.0))
        else:  # peers.py bench --json
            machine.append("peers: " + "; ".join(data["machine"]))
            for r in data["results"]:
                peers[(r["workload"], r["batch"], r["loss"], r["peer"], r["threads"])] = (
                    r["samples_per_s"], r["compile_seconds"])
    for line in dict.fromkeys(machine):
        print(f"- {line}")

    def k(v):
        return f"{v:,.0f}" if v else "-"

    keys = sorted({(w, b, loss) for (w, b, loss, _, _) in list(nnn) + list(peers)},
                  key=lambda x: (x[2] != "last", x[0], -x[1]))
    for loss in ("last", "all"):
        rows = [key for key in keys if key[2] == loss]
        if not rows:
            continue
        print(f"\nTraining samples/s, loss on {'the last step' if loss == 'last' else 'every step t >= d + 1'}:\n")
        print("| workload | batch | nnn 2 threads | nnn 1 thread | of peak (1 thread) | nnn, every cell, 1 / 2 threads "
              "| eager 1 thread | torch.compile 1 / 2 threads | JAX jit 1 / 2 threads | nnn / best peer | per core |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for w, b, _ in rows:
            def n(variant, t):
                return nnn.get((w, b, loss, variant, t), (0, 0))[0]

            def p(peer, t):
                return peers.get((w, b, loss, peer, t), (0, 0))[0]

            def c(peer, t):
                return peers.get((w, b, loss, peer, t), (0, 0))[1]
            best_peer = max(p("compile", 1), p("compile", 2), p("jax", 1), p("jax", 2))
            best_peer_1 = max(p("compile", 1), p("jax", 1))
            nnn_best = max(n("nnn", 1), n("nnn", 2))
            peak = nnn.get((w, b, loss, "nnn", 1), (0, 0))[1]
            ratio = f"**{nnn_best / best_peer:.2f}x**" if best_peer and nnn_best else "-"
            per_core = f"**{n('nnn', 1) / best_peer_1:.2f}x**" if best_peer_1 and n("nnn", 1) else "-"
            every = f"{k(n('all-cells', 1))} / {k(n('all-cells', 2))}" if n("all-cells", 1) else "(the same)"
            compile_s = f" ({c('compile', 1):.0f} s)" if c("compile", 1) else ""
            jax_s = f" ({c('jax', 1):.0f} s)" if c("jax", 1) else ""
            print(f"| {w} | {b} | {k(n('nnn', 2))} | {k(n('nnn', 1))} | {100 * peak:.0f}% | {every} | {k(p('eager', 1))} | "
                  f"{k(p('compile', 1))} / {k(p('compile', 2))}{compile_s} | {k(p('jax', 1))} / {k(p('jax', 2))}{jax_s} | "
                  f"{ratio} | {per_core} |")
    print("\nnnn / best peer: nnn at its faster thread count over the fastest peer at its faster one;"
          " per core: both at 1 thread. Compile seconds (cold cache) of the 1-thread run in brackets.")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("table")
    t.add_argument("files", nargs="+")
    w = sub.add_parser("sweep")
    w.add_argument("--nnn", required=True, help="the nnn binary")
    w.add_argument("--cells", type=int, nargs="*", default=[8, 32, 128])
    w.add_argument("--steps", type=int, nargs="*", default=[4, 16, 64])
    w.add_argument("--batch", type=int, default=256)
    w.add_argument("--seconds", type=float, default=2.0)
    w.add_argument("--timeout", type=float, default=300.0)
    w.add_argument("--json", default="")
    pt = sub.add_parser("point")
    pt.add_argument("spec")
    pt.add_argument("--peer", choices=["compile", "jax"], required=True)
    pt.add_argument("--batch", type=int, default=256)
    pt.add_argument("--seconds", type=float, default=2.0)
    for command in ("check", "bench"):
        p = sub.add_parser(command)
        p.add_argument("--only", default="")
        p.add_argument("--peers", default="eager,compile,jax" if command == "bench" else "compile,jax")
    c = sub.choices["check"]
    c.add_argument("--tolerance", type=float, default=1e-6)
    c.add_argument("--mismatch", action="store_true",
                   help="move one weight of each peer's copy by 1e-3: the check must then fail")
    b = sub.choices["bench"]
    b.add_argument("--batch", action="append", default=[])
    b.add_argument("--loss", default="last", choices=["last", "all"])
    b.add_argument("--seconds", type=float, default=2.0)
    b.add_argument("--json", default="")
    args = parser.parse_args()
    if args.command in ("table", "sweep", "point"):
        return {"table": command_table, "sweep": command_sweep, "point": command_point}[args.command](args)
    args.peers = [p for p in args.peers.split(",") if p]
    if args.command == "bench" and not args.batch:
        args.batch = ["256,32"]
    command_check(args) if args.command == "check" else command_bench(args)


if __name__ == "__main__":
    main()
