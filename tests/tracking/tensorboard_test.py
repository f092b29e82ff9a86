#!/usr/bin/env python3
"""nnn's TensorBoard event files read by TensorBoard itself.

    tensorboard_test.py NNN_BINARY SOURCE_DIR WORK_DIR [SCREENSHOT.png]

Run with the Python of .venv-torch2 (scripts/setup.sh installs tensorboard
there). Trains experiments/spiral.yaml with a SIGKILL in epoch 4
(NNN_TEST_KILL_AT_BATCH) and resumes it; TensorBoard's EventAccumulator
must then read every scalar tag at steps 1..E exactly once (one continuous
curve), each value equal to metrics.jsonl's, and the text summaries (the
config, the wiring as DOT, the per-step table). `nnn compare` gives its
from-scratch MLP the LibTorch runs' test/accuracy tag. A two-run `nnn sweep`
must give the HParams dashboard its experiment (the grid) and each run's
session (its values, ended). Then `tensorboard --logdir` itself serves on
127.0.0.1: its HTTP API lists the run's tags and values, and, with Chromium
and chromedriver, a screenshot of the scalars dashboard is saved
(NNN_TENSORBOARD_RUN=DIR serves that run instead: docs/tensorboard.png is
the main job's). Exit 77
(skipped, reason printed) without tensorboard in this Python.
"""
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request

# The browser test's helpers: checks, a free port, Chromium through chromedriver.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "serve"))
from browser_test import check, free_port, start_browser, wait_for  # noqa: E402

SKIP = 77


def accumulator(path):
    from tensorboard.backend.event_processing import event_accumulator as ea
    acc = ea.EventAccumulator(path, size_guidance={ea.SCALARS: 0, ea.TENSORS: 0})
    acc.Reload()
    return acc


def text_of(acc, tag):
    from tensorboard.util import tensor_util
    events = acc.Tensors(tag)
    return [tensor_util.make_ndarray(e.tensor_proto).item().decode() for e in events]


def close(a, b):
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))  # float32 in the event file


def expected_scalars(rows):
    """tag -> {epoch: value} from metrics.jsonl's rows."""
    out = {}

    def put(tag, epoch, value):
        if value is not None:
            out.setdefault(tag, {})[epoch] = value

    for row in rows:
        e = row["epoch"]
        put("train/loss", e, row["train_loss"])
        put("train/lr", e, row["lr"])
        put("train/samples_per_second", e, row["samples_per_s"])
        put("time/epoch_seconds", e, row["seconds"])
        put("test/loss", e, row["test_loss"])
        put("test/accuracy", e, row["test_accuracy"][-1])
        for t, v in enumerate(row["train_accuracy"]):
            put(f"train/accuracy/step_{t + 1}", e, v)
        for name in ["accuracy", "top3", "confidence", "ece"]:
            for t, v in enumerate(row["test_" + name]):
                put(f"test/{name}/step_{t + 1}", e, v)
    return out


def get_json(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def killed_and_resumed(nnn, source, work):
    run = os.path.join(work, "spiral")
    shutil.rmtree(run, ignore_errors=True)
    env = dict(os.environ, NNN_TEST_KILL_AT_BATCH="32")  # 9 batches an epoch: in epoch 4
    killed = subprocess.run([nnn, "train", "experiments/spiral.yaml", "train.epochs=8",
                             "train.batch_size=100", "--out", run],
                            cwd=source, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    check(killed.returncode == -9, f"the run was SIGKILLed in epoch 4 (exit {killed.returncode})")
    before = accumulator(os.path.join(run, "tensorboard"))
    steps = [e.step for e in before.Scalars("train/loss")]
    check(steps == [1, 2, 3], f"the killed run's file is readable, epochs 1-3 in it ({steps})")
    subprocess.run([nnn, "train", "--resume", run], cwd=source, check=True, stdout=subprocess.DEVNULL)

    files = os.listdir(os.path.join(run, "tensorboard"))
    check(len(files) == 1 and files[0].startswith("events.out.tfevents."),
          f"one event file, continued by the resumed run ({files})")
    acc = accumulator(os.path.join(run, "tensorboard"))
    with open(os.path.join(run, "metrics.jsonl")) as f:
        rows = [json.loads(line) for line in f]
    expected = expected_scalars(rows)
    tags = set(acc.Tags()["scalars"])
    check(tags == set(expected), f"the scalar tags are metrics.jsonl's fields ({len(tags)} tags)")
    for tag, values in sorted(expected.items()):
        got = acc.Scalars(tag)
        steps = [e.step for e in got]
        if steps != sorted(values):
            raise AssertionError(f"{tag}: steps {steps}, expected {sorted(values)} once each")
        for e in got:
            if not close(e.value, values[e.step]):
                raise AssertionError(f"{tag} step {e.step}: {e.value} != {values[e.step]}")
    check(True, "every tag has epochs 1-8 once (no repeat after the kill) with metrics.jsonl's values")
    texts = set(acc.Tags()["tensors"])
    check({"config", "wiring", "test/accuracy_per_step"} <= texts, f"text summaries: {sorted(texts)}")
    check("digraph nnn" in text_of(acc, "wiring")[0], "the wiring as Graphviz DOT")
    check("name: spiral" in text_of(acc, "config")[0], "the config as YAML")
    table = text_of(acc, "test/accuracy_per_step")
    last = rows[-1]["test_accuracy"]
    check(len(table) == 1 and f"| {len(last)} | {100 * last[-1]:.2f}% |" in table[0],
          "the per-step table ends with the last step's accuracy")
    return run


def sweep_hparams(nnn, source, work):
    from tensorboard.plugins.hparams import metadata
    out = os.path.join(work, "sweep")
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run([nnn, "sweep", "experiments/spiral.yaml", "train.lr=0.01,0.03", "train.epochs=2",
                    "--out", out], cwd=source, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    acc = accumulator(os.path.join(out, "tensorboard"))
    content = acc.PluginTagToContent(metadata.PLUGIN_NAME)
    experiment = metadata.parse_experiment_plugin_data(content[metadata.EXPERIMENT_TAG])
    names = [h.name for h in experiment.hparam_infos]
    lrs = [v.number_value for v in experiment.hparam_infos[0].domain_discrete.values]
    metrics = [m.name.tag for m in experiment.metric_infos]
    check(names == ["train.lr", "train.epochs", "seed"] and lrs == [0.01, 0.03] and
          "test/accuracy" in metrics,
          f"the sweep's HParams experiment: {names}, lr {lrs}, metrics {metrics}")
    for c, lr in [(0, 0.01), (1, 0.03)]:
        run = accumulator(os.path.join(out, f"c{c:03d}-s0", "tensorboard"))
        content = run.PluginTagToContent(metadata.PLUGIN_NAME)
        start = metadata.parse_session_start_info_plugin_data(content[metadata.SESSION_START_INFO_TAG])
        end = metadata.parse_session_end_info_plugin_data(content[metadata.SESSION_END_INFO_TAG])
        check(start.hparams["train.lr"].number_value == lr and end.status == 1 and
              len(run.Scalars("test/accuracy")) == 2,
              f"run c{c:03d}-s0: its session (train.lr {lr}), ended, with its test/accuracy")


def comparison(nnn, source, work):
    """nnn compare: its LibTorch runs and its from-scratch MLP side by side."""
    out = os.path.join(work, "compare")
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run([nnn, "compare", "experiments/spiral.yaml", "train.epochs=3", "--out", out],
                   cwd=source, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(os.path.join(out, "compare.json")) as f:
        rows = json.load(f)["rows"]
    for folder, row in [("nnn/tensorboard", rows[0]), ("torch_mlp/tensorboard", rows[1]),
                        ("from_scratch/tensorboard", rows[2])]:
        curve = accumulator(os.path.join(out, folder)).Scalars("test/accuracy")
        check([e.step for e in curve] == [1, 2, 3] and
              close(curve[-1].value, row["test_accuracy"][-1]),
              f"compare's {folder.split('/')[0]}: test/accuracy at epochs 1-3, the last as in "
              f"compare.json ({row['test_accuracy'][-1]:.4f})")


def served_by_tensorboard(work, run, screenshot):
    """`tensorboard --logdir` over a folder holding `run` (as its own name)."""
    port = free_port()
    logdir = os.path.join(work, "board")
    shutil.rmtree(logdir, ignore_errors=True)
    os.makedirs(logdir)
    name = os.path.basename(os.path.normpath(run))
    os.symlink(os.path.abspath(run), os.path.join(logdir, name))
    with open(os.path.join(run, "metrics.jsonl")) as f:
        epochs = sum(1 for _ in f)
    board = subprocess.Popen([sys.executable, "-m", "tensorboard.main", "--logdir", logdir,
                              "--host", "127.0.0.1", "--port", str(port), "--reload_interval", "1"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        tags = None
        for _ in range(600):  # progress, not time: until it answers with the run
            if board.poll() is not None:
                raise AssertionError("tensorboard exited: " + board.stderr.read()[-2000:])
            try:
                tags = get_json(base + "/data/plugin/scalars/tags")
                if name + "/tensorboard" in tags:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        check(tags and "test/accuracy/step_1" in tags.get(name + "/tensorboard", {}),
              "tensorboard --logdir serves the run's scalars")
        points = get_json(base + f"/data/plugin/scalars/scalars?run={name}/tensorboard&tag=train/loss")
        check([p[1] for p in points] == list(range(1, epochs + 1)),
              f"its train/loss curve: epochs 1-{epochs}")
        take_screenshot(base, screenshot, name)
    finally:
        board.terminate()
        board.wait(timeout=30)


def take_screenshot(base, screenshot, name):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    chromedriver = shutil.which("chromedriver")
    if not chromium or not chromedriver:
        print("note: no chromium/chromedriver, no screenshot of the dashboard")
        return
    driver, process = start_browser(chromium, chromedriver)
    try:
        driver.go(base + "/?tagFilter=train%2Floss%7Ctest%2Faccuracy#timeseries")
        # The cards' titles break lines at each '/': compare without spaces.
        wait_for(driver, "const text = document.body.innerText.replace(/\\s/g, '');"
                 "return document.querySelectorAll('canvas').length > 0 && "
                 "text.includes('test/accuracy/step_1') && text.includes(arguments[0])",
                 "the scalars of the nnn run drawn", timeout=120, args=[name + "/tensorboard"])
        # The charts draw their lines a moment after the cards appear; the
        # checks above do not depend on this wait, only the picture does.
        time.sleep(3)
        driver.screenshot(screenshot)
        check(os.path.getsize(screenshot) > 20000, f"screenshot of TensorBoard's scalars: {screenshot}")
    finally:
        driver.quit()
        process.terminate()


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    nnn, source, work = sys.argv[1], sys.argv[2], sys.argv[3]
    screenshot = sys.argv[4] if len(sys.argv) > 4 else os.path.join(work, "tensorboard.png")
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        print("SKIPPED: no tensorboard in " + sys.executable + " (scripts/setup.sh installs it "
              "into .venv-torch2)")
        return SKIP
    os.makedirs(work, exist_ok=True)
    run = killed_and_resumed(nnn, source, work)
    sweep_hparams(nnn, source, work)
    comparison(nnn, source, work)
    # NNN_TENSORBOARD_RUN=DIR: serve that run instead (the main job, for docs/tensorboard.png).
    served_by_tensorboard(work, os.environ.get("NNN_TENSORBOARD_RUN") or run, screenshot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
