#!/usr/bin/env python3
"""A straightforward PyTorch implementation of NNN-SPEC, for two jobs:

  eval RUNDIR [--data test|train] [--json]
      Loads a run's weights.pt with torch.load, rebuilds the forward pass from
      the spec and the run's config.yaml, and prints the per-step accuracy on
      the run's data (the same numbers `nnn eval RUNDIR --json` prints).
  bench [--device cpu|cuda] [--seconds S] [--threads N]
      Trains the `nnn bench` workloads the plain way (per-edge slices
      concatenated every step), Adam, cross-entropy on the last step, and
      prints samples/s: the baseline nnn's fast path is compared against.

Written from the spec alone; it shares no code with nnn.
"""
import argparse
import gzip
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F
import yaml

ACTIVATIONS = {
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "log_sigmoid": F.logsigmoid,
    "identity": lambda x: x,
}


class SpecNNN(torch.nn.Module):
    """NNN-SPEC, literally: per step, every cell concatenates x (if it is an
    input cell) and the channels routed to it, in ascending sender order."""

    def __init__(self, adjacency, inputs, output, d_in, d_out, steps, hidden,
                 hidden_activation="relu", output_activation="log_sigmoid"):
        super().__init__()
        self.a = adjacency
        self.n = len(adjacency)
        self.inputs = set(inputs)
        self.output = output
        self.d_in, self.d_out, self.steps = d_in, d_out, steps
        self.act_h = ACTIVATIONS[hidden_activation]
        self.act_o = ACTIVATIONS[output_activation]
        hidden = hidden if len(hidden) == self.n else hidden * self.n
        self.cells = torch.nn.ModuleList()
        for j in range(self.n):
            cell = torch.nn.Module()
            i_dim, o_dim = self.in_dim(j), self.out_dim(j)
            h = hidden[j]
            cell.register_parameter("w1", torch.nn.Parameter(torch.randn(i_dim, h) / math.sqrt(i_dim)))
            cell.register_parameter("b1", torch.nn.Parameter(torch.zeros(h)))
            cell.register_parameter("w2", torch.nn.Parameter(torch.randn(h, o_dim) / math.sqrt(h)))
            cell.register_parameter("b2", torch.nn.Parameter(torch.zeros(o_dim)))
            self.cells.append(cell)

    def in_dim(self, j):
        return (self.d_in if j in self.inputs else 0) + sum(self.a[i][j] for i in range(self.n))

    def out_dim(self, i):
        return (self.d_out if i == self.output else 0) + sum(self.a[i])

    def send_offset(self, i, j):
        return (self.d_out if i == self.output else 0) + sum(self.a[i][:j])

    def forward(self, x):
        frames = x if x.dim() == 3 else x.unsqueeze(0)
        batch = frames.shape[1]
        m = [torch.zeros(batch, self.out_dim(i), device=x.device, dtype=x.dtype) for i in range(self.n)]
        predictions = []
        for t in range(1, self.steps + 1):
            x_t = frames[min(t, frames.shape[0]) - 1]
            new = []
            for j in range(self.n):
                parts = [x_t] if j in self.inputs else []
                for i in range(self.n):
                    if self.a[i][j]:
                        o = self.send_offset(i, j)
                        parts.append(m[i][:, o:o + self.a[i][j]])
                u = torch.cat(parts, dim=1)
                c = self.cells[j]
                new.append(self.act_o(self.act_h(u @ c.w1 + c.b1) @ c.w2 + c.b2))
            m = new
            predictions.append(m[self.output][:, :self.d_out])
        return torch.stack(predictions)


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    assert raw[0] == 0 and raw[1] == 0, f"{path}: not an IDX file"
    dtype = {0x08: torch.uint8, 0x09: torch.int8, 0x0B: torch.int16, 0x0C: torch.int32,
             0x0D: torch.float32, 0x0E: torch.float64}[raw[2]]
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * k:8 + 4 * k], "big") for k in range(ndim)]
    body = bytearray(raw[4 + 4 * ndim:])
    t = torch.frombuffer(body, dtype=torch.uint8)
    if dtype != torch.uint8:
        size = torch.tensor([], dtype=dtype).element_size()
        t = t.view(-1, size).flip(1).reshape(-1).view(dtype)  # big-endian -> host
    return t.reshape(dims)


def find(folder, name):
    for candidate in (name + ".gz", name):
        path = os.path.join(folder, candidate)
        if os.path.exists(path):
            return path
    sys.exit(f"error: {name}(.gz) not found in {folder}")


def load_split(data, split):
    kind = data["dataset"]
    if kind in ("mnist", "fashion_mnist"):
        prefix = "train" if split == "train" else "t10k"
        images = find(data["path"], f"{prefix}-images-idx3-ubyte")
        labels = find(data["path"], f"{prefix}-labels-idx1-ubyte")
        train_images = find(data["path"], "train-images-idx3-ubyte")
    elif kind == "idx":
        images, labels = data[f"{split}_images"], data[f"{split}_labels"]
        train_images = data["train_images"]
    else:
        sys.exit(f"error: this script reads IDX datasets; the run uses '{kind}'")
    x = read_idx(images).float().reshape(read_idx(labels).shape[0], -1)
    y = read_idx(labels).long()
    limit = data.get(f"limit_{split}", 0)
    if limit:
        x, y = x[:limit], y[:limit]
    if data["normalize"] == "unit":
        x = x / 255.0
    elif data["normalize"] == "standard":
        train = read_idx(train_images).float()
        if data.get("limit_train", 0):
            train = train[:data["limit_train"]]
        x = (x - train.mean()) / train.std().clamp_min(1e-8)
    return x, y


def command_eval(args):
    with open(os.path.join(args.run, "config.yaml")) as f:
        config = yaml.safe_load(f)
    model_cfg = config["model"]
    wiring = model_cfg["wiring"]
    model = SpecNNN(wiring["adjacency"], wiring["inputs"], wiring["output"], model_cfg["input_size"],
                    model_cfg["output_size"], model_cfg["steps"], model_cfg["hidden"],
                    model_cfg["hidden_activation"], model_cfg["output_activation"])
    weights = torch.load(os.path.join(args.run, "weights.pt"))
    missing = set(dict(model.named_parameters())) ^ set(weights)
    if missing:
        sys.exit(f"error: weights.pt and the spec model disagree on {sorted(missing)}")
    model.load_state_dict(weights)
    x, y = load_split(config["data"], args.data)
    correct = torch.zeros(model.steps, dtype=torch.long)
    with torch.no_grad():
        for start in range(0, len(y), 1024):
            pred = model(x[start:start + 1024])
            correct += (pred.argmax(2) == y[start:start + 1024]).sum(1)
    accuracy = (correct.double() / len(y)).tolist()
    if args.json:
        print(json.dumps({"samples": len(y), "accuracy": accuracy}))
    else:
        for t, a in enumerate(accuracy, 1):
            print(f"step {t}: {100 * a:.2f}%")


def layered(layers, channels, feedback):
    n = sum(layers)
    a = [[0] * n for _ in range(n)]
    first = [sum(layers[:k]) for k in range(len(layers))]
    for l in range(len(layers) - 1):
        for i in range(first[l], first[l] + layers[l]):
            for j in range(first[l + 1], first[l + 1] + layers[l + 1]):
                a[i][j] = channels
                if feedback:
                    a[j][i] = channels
    return a, list(range(layers[0])), n - 1


def workloads():
    fully = [[0 if i == j else 8 for j in range(8)] for i in range(8)]
    for batch in (256, 32):
        yield ("layered[1,3,1]x16 h64 T4", *layered([1, 3, 1], 16, True), 64, 4, batch)
        yield ("layered[1,4,4,1]x16 h64 T6", *layered([1, 4, 4, 1], 16, True), 64, 6, batch)
        yield ("mlp 784-128-10", [[0]], [0], 0, 128, 1, batch)
        yield ("fully_connected(8)x8 h32 T8", fully, [0], 7, 32, 8, batch)


def command_bench(args):
    torch.set_num_threads(args.threads or os.cpu_count())
    device = torch.device(args.device)
    print(f"python reference, torch {torch.__version__}, device {device}, {torch.get_num_threads()} threads")
    for name, a, inputs, output, hidden, steps, batch in workloads():
        if args.only and args.only not in name:
            continue
        torch.manual_seed(0)
        model = SpecNNN(a, inputs, output, 784, 10, steps, [hidden]).to(device)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        x = torch.randn(batch, 784, device=device)
        y = torch.randint(0, 10, (batch,), device=device)

        def step():
            opt.zero_grad()
            F.cross_entropy(model(x)[-1], y).backward()
            opt.step()

        for _ in range(5):
            step()
        if device.type == "cuda":
            torch.cuda.synchronize()
        iterations, start = 0, time.perf_counter()
        while True:
            step()
            iterations += 1
            if iterations % 10 == 0:
                if device.type == "cuda":
                    torch.cuda.synchronize()
                if time.perf_counter() - start >= args.seconds:
                    break
        seconds = time.perf_counter() - start
        print(f"{name:<30} train {batch:>5} {iterations * batch / seconds:>10.0f} samples/s "
              f"{1e3 * seconds / iterations:>8.3f} ms/batch")
        sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    e = sub.add_parser("eval")
    e.add_argument("run")
    e.add_argument("--data", default="test", choices=["test", "train"])
    e.add_argument("--json", action="store_true")
    b = sub.add_parser("bench")
    b.add_argument("--device", default="cpu")
    b.add_argument("--seconds", type=float, default=2.0)
    b.add_argument("--threads", type=int, default=0)
    b.add_argument("--only", default="")
    args = parser.parse_args()
    command_eval(args) if args.command == "eval" else command_bench(args)


if __name__ == "__main__":
    main()
