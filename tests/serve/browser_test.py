#!/usr/bin/env python3
"""The nnn serve page in headless Chromium, driven through chromedriver's
WebDriver protocol (HTTP + JSON, Python's standard library only).

    browser_test.py NNN_BINARY SOURCE_DIR WORK_DIR [SCREENSHOT.png]

Trains two small runs on the MNIST digits of scripts/setup.sh (the main
job's config for 2 epochs, blurry_frames for 2; NNN_BROWSER_FULL_RUNS=1
trains both as configured, for the screenshots in docs/;
NNN_BROWSER_REUSE_RUNS=1 keeps runs WORK_DIR already holds), serves them on 127.0.0.1
with bounded requests and time, then in the browser: draws a 1 and a 0 with
pointer events on the canvas and checks the reading, the per-step bars and
the network; plays the steps; generates and plays blurry frames of a test
digit; generates a plate; and saves a screenshot of each tab. Before
that: the page opens on its showcase (the frames run's Frames tab, read),
the network drawing (rings, self-loop, arrowheads), picking test digits by
class, "Use my drawing" then "Generate", the note on what a run was
trained on. Exit 77
(skipped, reason printed) without Chromium, chromedriver or the data.
"""
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

SKIP = 77


def skip(reason):
    print("SKIPPED: " + reason)
    sys.exit(SKIP)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebDriver:
    """The few WebDriver commands the test needs."""

    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.session = None

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.load(response)["value"]
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"webdriver {method} {path}: {e.read().decode()[:400]}")

    def start(self, chromium):
        args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1500", "--no-first-run", "--disable-extensions"]
        value = self.call("POST", "/session", {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium, "args": args}}}})
        self.session = value["sessionId"]

    def s(self, path, method="POST", body=None):
        return self.call(method, f"/session/{self.session}{path}", body if method == "POST" else None)

    def go(self, url):
        self.s("/url", body={"url": url})

    def js(self, script, *args):
        return self.s("/execute/sync", body={"script": script, "args": list(args)})

    def js_async(self, script, *args):
        """Runs an async function body; its return value comes back."""
        wrapped = ("const done = arguments[arguments.length - 1];"
                   f"(async () => {{ {script} }})().then(done, (e) => done('error: ' + e));")
        return self.s("/execute/async", body={"script": wrapped, "args": list(args)})

    def send_file(self, css, path):
        self.s(f"/element/{self.element(css)}/value", body={"text": path})

    def element(self, css):
        value = self.s("/element", body={"using": "css selector", "value": css})
        return next(iter(value.values()))

    def click(self, css):
        self.s(f"/element/{self.element(css)}/click", body={})

    def stroke(self, css, points):
        """Press at points[0], move through the rest, release: pointer
        (mouse) actions relative to the element's centre."""
        origin = {"element-6066-11e4-a52e-4f735466cecf": self.element(css)}
        actions = [{"type": "pointerMove", "duration": 0, "origin": origin,
                    "x": points[0][0], "y": points[0][1]},
                   {"type": "pointerDown", "button": 0}]
        for x, y in points[1:]:
            actions.append({"type": "pointerMove", "duration": 15, "origin": origin, "x": x, "y": y})
        actions.append({"type": "pointerUp", "button": 0})
        self.s("/actions", body={"actions": [{"type": "pointer", "id": "mouse",
                                              "parameters": {"pointerType": "mouse"},
                                              "actions": actions}]})
        self.s("/actions", method="DELETE")

    def screenshot(self, path):
        png = base64.b64decode(self.s("/screenshot", method="GET"))
        with open(path, "wb") as f:
            f.write(png)

    def quit(self):
        if self.session:
            try:
                self.call("DELETE", f"/session/{self.session}")
            except Exception:
                pass


def served_port(server, what):
    """The port `nnn serve --port 0` (a Popen with stdout piped) says it
    serves on, from its first lines; checked as `what`."""
    port = None
    for _ in range(10):
        line = server.stdout.readline()
        if "serving" in line:
            port = int(line.split("127.0.0.1:")[1].split("/")[0])
            break
    check(port is not None, what)
    return port


def start_browser(chromium, chromedriver):
    """chromedriver on a free port (waited for: up to 100 tries of its
    /status) and a headless Chromium session: (driver, chromedriver's process)."""
    driver_port = free_port()
    process = subprocess.Popen([chromedriver, f"--port={driver_port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    driver = WebDriver(driver_port)
    for _ in range(100):
        try:
            driver.call("GET", "/status")
            break
        except Exception:
            time.sleep(0.1)
    try:
        driver.start(chromium)
    except Exception:
        process.terminate()
        raise
    return driver, process


def wait_for(driver, script, what, timeout=30, args=()):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = driver.js(script, *args)
        if value:
            return value
        time.sleep(0.2)
    status = driver.js("const s = document.getElementById('status'); return s && s.textContent")
    raise AssertionError(f"timed out waiting for {what} (page status: {status!r})")


def check(condition, message):
    if not condition:
        raise AssertionError(message)
    print("ok:", message)


def truth_boxes(video_dir):
    """The reading and per-frame boxes of a make-video truth.tsv."""
    with open(os.path.join(video_dir, "truth.tsv")) as f:
        header = f.readline().rstrip("\n").split("\t")
        rows = [dict(zip(header, line.rstrip("\n").split("\t"))) for line in f if line.strip()]
    boxes = [[float(r[k]) for k in ("box_x", "box_y", "box_w", "box_h")] for r in rows]
    return rows[0]["reading"], boxes


def iou(a, b):
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def drag_box(driver, box, size, zoom):
    """Drags a box (x, y, w, h in the frame's pixels) on the Label canvas,
    shown `zoom` times the frame's size: pointer positions in CSS pixels
    relative to its centre."""
    cx, cy = size[0] / 2, size[1] / 2
    x0, y0 = round((box[0] - cx) * zoom), round((box[1] - cy) * zoom)
    x1, y1 = round((box[0] + box[2] - cx) * zoom), round((box[1] + box[3] - cy) * zoom)
    driver.stroke("#label-canvas", [(x0, y0), ((x0 + x1) // 2, (y0 + y1) // 2), (x1, y1)])


def label_tab(driver, videos, labelled, screenshot):
    """The Label tab: open a served MP4, drag the plate's box on frame 1,
    type the reading, watch the track, correct frame 6, save; then upload
    the other video and let the detector start it."""
    driver.click("nav button[data-tab=label]")
    wait_for(driver, "return [...document.querySelectorAll('#label-video option')]"
             ".some(o => o.value === 'video_001/video.mp4')", "the served videos listed")
    driver.js("document.getElementById('label-video').value = 'video_001/video.mp4'")
    driver.click("#label-open")
    wait_for(driver, "return label.video && label.video.name === 'video_001/video.mp4'", "the video opened")
    size = driver.js("return [label.video.width, label.video.height]")
    shown = driver.js("const c = document.getElementById('label-canvas'); return [c.clientWidth, c.clientHeight]")
    check(shown == [2 * size[0], 2 * size[1]], f"the {size[0]}x{size[1]} video shown twice as large ({shown})")
    reading, boxes = truth_boxes(os.path.join(videos, "video_001"))
    driver.s(f"/element/{driver.element('#label-plate')}/value", body={"text": reading})
    # The plate's box on frame 1, dragged: tracking follows.
    drag_box(driver, boxes[0], size, 2)
    wait_for(driver, "return label.track && !label.busy && label.keys.size === 1", "the track from frame 1", 120)
    key = driver.js("return label.keys.get(1)")
    check(all(abs(a - b) <= 1.0 for a, b in zip(key, boxes[0])),
          f"the dragged box is frame 1's plate within a pixel ({key} vs {[round(v, 1) for v in boxes[0]]})")
    steps = driver.js("return label.track.steps.map(s => [s.box, s.lost])")
    ious = [iou(box, truth) for (box, lost), truth in zip(steps, boxes)]
    check(len(steps) == 10 and sum(v > 0.5 for v in ious) >= 9,
          f"the tracker follows the plate ({sum(v > 0.5 for v in ious)} of 10 frames at IoU > 0.5)")
    crops = driver.js("return document.querySelectorAll('#label-crops canvas').length")
    check(crops == 6 * 4, f"the 4 digits of the 6 frames a sample takes shown ({crops})")
    heads = driver.js("return [...document.querySelectorAll('#label-crops .crop-digit')].map(b => b.textContent).join('')")
    check(heads == reading, f"each column of crops under its digit of the reading ({heads})")
    # A correction on frame 6: the track starts again there.
    for _ in range(5):
        driver.click("#label-next")
    wait_for(driver, "return label.frame === 6", "frame 6")
    drag_box(driver, boxes[5], size, 2)
    wait_for(driver, "return label.track && !label.busy && label.keys.size === 2", "the track from frame 6", 120)
    sixth = driver.js("return label.track.steps[5].box")
    check(iou(sixth, boxes[5]) > 0.9, f"frame 6 starts from the corrected box (IoU {iou(sixth, boxes[5]):.3f})")
    driver.click("#label-play")
    wait_for(driver, "return label.frame === 10", "the video played to frame 10", 60)
    text = driver.js("return document.getElementById('label-frame-text').textContent")
    check(text.startswith("frame 10 of 10: tracked"), f"each frame says what the tracker did ({text!r})")
    driver.js("showLabelFrame(6)")
    wait_for(driver, "return document.getElementById('label-frame-text').textContent.endsWith('your box')",
             "frame 6 with the corrected box")
    driver.screenshot(screenshot.replace(".png", "-label.png"))
    # Saved: the dataset on disk has the 4 samples, from this video.
    driver.click("#label-save")
    wait_for(driver, "return label.saved !== null", "the save")
    with open(os.path.join(labelled, "part_0001", "manifest.tsv")) as f:
        lines = [l.rstrip("\n").split("\t") for l in f if not l.startswith("#")]
    rows = lines[1:]
    check(len(rows) == 4 and [r[0] for r in rows] == list(reading) and
          all(r[3].endswith("video_001/video.mp4") for r in rows),
          f"4 samples saved with their labels {reading} and the video's path")
    said = driver.js("return document.getElementById('label-dataset').textContent")
    check(said.startswith(f"Saved 4 samples of {reading}") and "holds 4 samples from 1 video" in said,
          f"the page says what was saved ({said!r})")
    # Uploaded: the other video's MP4 through the file picker; the detector starts it.
    driver.send_file("#label-upload", os.path.join(videos, "video_002", "video.mp4"))
    wait_for(driver, "return label.video && label.video.source.startsWith('upload:video.mp4#')",
             "the uploaded video opened", 60)
    reading2, boxes2 = truth_boxes(os.path.join(videos, "video_002"))
    driver.js("document.getElementById('label-plate').value = arguments[0]", reading2)
    driver.click("#label-track")
    wait_for(driver, "return label.track && !label.busy && label.track.detected", "the detector's track", 120)
    start = driver.js("return label.track.start")
    check(iou(start, boxes2[0]) > 0.5, f"the detector finds the uploaded video's plate (IoU {iou(start, boxes2[0]):.2f})")
    driver.click("#label-save")
    wait_for(driver, "return label.saved !== null && label.saved.id === label.video.id", "the second save")
    said = driver.js("return document.getElementById('label-dataset').textContent")
    check("holds 8 samples from 2 videos" in said, f"the dataset grows by video ({said!r})")
    status = driver.js("return document.getElementById('status').textContent")
    check(status == "", f"no error on the Label tab ({status!r})")


def training_tab(driver, nnn, source, live, screenshot):
    """The Training tab follows a run that trains while the page is open."""
    driver.click("nav button[data-tab=training]")
    wait_for(driver, "return [...document.querySelectorAll('#training-run option')]"
             ".some(o => o.value.endsWith('spiral_live'))", "the watched run listed")
    driver.js("const s = document.getElementById('training-run');"
              "s.value = [...s.options].find(o => o.value.endsWith('spiral_live')).value; s.onchange();")
    wait_for(driver, "return training.curves && training.curves.name.endsWith('spiral_live')",
             "the stopped run's curves")
    before = driver.js("return training.curves.rows.length")
    said = driver.js("return document.getElementById('training-status').textContent")
    check(1 <= before < 12 and said.startswith("in progress") and f"of 12" in said,
          f"the run part-way: {said!r}")
    lines = driver.js("return document.querySelectorAll('#training-accuracy polyline.series').length")
    check(lines == 4, f"one accuracy line per thinking step ({lines})")
    # It trains on while the page polls.
    subprocess.run([nnn, "train", "--resume", live], cwd=source, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(driver, "return training.curves && training.curves.status === 'finished'",
             "the page to follow the run to its end", 60)
    after = driver.js("return training.curves.rows.length")
    said = driver.js("return document.getElementById('training-status').textContent")
    check(after == 12 and said.startswith("finished: 12 epochs of 12"),
          f"the curves grew from {before} to {after} epochs as it trained: {said!r}")
    points = driver.js("return document.querySelector('#training-loss polyline.series')"
                       ".getAttribute('points').split(' ').length")
    check(points == 12, f"the training loss drawn at every epoch ({points})")
    driver.screenshot(screenshot.replace(".png", "-training.png"))
    status = driver.js("return document.getElementById('status').textContent")
    check(status == "", f"no error on the Training tab ({status!r})")


def label_only(driver, nnn, source, work, videos):
    """nnn serve without a run, for labelling: the page opens on the Label tab."""
    server = subprocess.Popen([nnn, "serve", "--label-out", os.path.join(work, "labelled_only"),
                               "--videos", videos, "--port", "0", "--exit-after-seconds", "120",
                               "--exit-after-requests", "60"],
                              stdout=subprocess.PIPE, text=True, cwd=source)
    try:
        port = served_port(server, "nnn serve without a run, for labelling, printed its address")
        driver.go(f"http://127.0.0.1:{port}/")
        wait_for(driver, "return state.opened === true", "the page to open")
        shown = driver.js("return [document.getElementById('tab-label').hidden, "
                          "document.querySelector('nav button[data-tab=draw]').hidden, "
                          "document.querySelectorAll('#label-video option').length, "
                          "document.getElementById('status').textContent]")
        check(shown == [False, True, 4, ""],
              f"it opens on the Label tab with the folder's videos, the reading tabs hidden ({shown})")
    finally:
        server.terminate()
        server.wait(timeout=30)


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    nnn, source, work = sys.argv[1], sys.argv[2], sys.argv[3]
    screenshot = sys.argv[4] if len(sys.argv) > 4 else os.path.join(work, "serve.png")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    chromedriver = shutil.which("chromedriver")
    if not chromium or not chromedriver:
        skip("no chromium/chromedriver (Debian: chromium chromium-driver; scripts/setup.sh "
             "installs them unless NNN_WITH_BROWSER=0)")
    if not os.path.exists(os.path.join(source, "data/mnist/t10k-images-idx3-ubyte.gz")):
        skip("no MNIST digits in data/mnist (scripts/setup.sh fetches them)")
    os.makedirs(work, exist_ok=True)
    runs = []
    full = os.environ.get("NNN_BROWSER_FULL_RUNS") == "1"
    reuse = os.environ.get("NNN_BROWSER_REUSE_RUNS") == "1"
    for name, config, epochs in [("mnist", "mnist_nnn.yaml", None if full else 2),
                                 ("blurry", "blurry_frames.yaml", None if full else 2)]:
        out = os.path.join(work, name)
        runs.append(out)
        if reuse and os.path.exists(os.path.join(out, "summary.json")):
            continue  # NNN_BROWSER_REUSE_RUNS=1: the runs of an earlier call, for screenshots
        shutil.rmtree(out, ignore_errors=True)
        settings = [] if epochs is None else [f"train.epochs={epochs}"]
        subprocess.run([nnn, "train", os.path.join(source, "experiments", config), *settings,
                        "--out", out], check=True, cwd=source, stdout=subprocess.DEVNULL)

    # Videos for the Label tab: two of training digits, as make-video writes them.
    videos = os.path.join(work, "label_videos")
    labelled = os.path.join(work, "labelled")
    shutil.rmtree(videos, ignore_errors=True)
    shutil.rmtree(labelled, ignore_errors=True)
    subprocess.run([nnn, "make-video", os.path.join(source, "experiments", "mnist_nnn.yaml"),
                    "--out", videos, "--videos", "2", "--frames", "10", "--digits", "4",
                    "--difficulty", "easy", "--split", "train", "--seed", "11"],
                   check=True, cwd=source, stdout=subprocess.DEVNULL)
    # A run for the Training tab, stopped (SIGINT) in epoch 5 of 12; the
    # test resumes it while the page is open.
    watch = os.path.join(work, "watch")
    live = os.path.join(watch, "spiral_live")
    shutil.rmtree(watch, ignore_errors=True)
    os.makedirs(watch)
    stopped = subprocess.run([nnn, "train", "experiments/spiral.yaml", "train.epochs=12",
                              "train.batch_size=100", "--out", live], cwd=source,
                             env=dict(os.environ, NNN_TEST_INTERRUPT_AT_BATCH="40"),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    check(stopped.returncode == 130 and not os.path.exists(os.path.join(live, "summary.json")),
          "a run stopped part-way, to resume while the page is open")
    server = subprocess.Popen([nnn, "serve", *runs, "--port", "0", "--exit-after-seconds", "300",
                               "--exit-after-requests", "900", "--label-out", labelled,
                               "--videos", videos, "--watch", watch],
                              stdout=subprocess.PIPE, text=True, cwd=source)
    port = served_port(server, "nnn serve printed its address")
    driver, chromedriver_process = start_browser(chromium, chromedriver)
    try:
        driver.go(f"http://127.0.0.1:{port}/")
        wait_for(driver, "return document.querySelectorAll('#run option').length === 2", "the run list")

        # The page opens on its showcase: the blurry-frames run's Frames tab,
        # a test digit already degraded and read, and what a step is.
        wait_for(driver, "return state.opened === true", "the page to open on its showcase")
        frames = driver.js("return document.querySelectorAll('#frames-strip canvas').length")
        check(frames == 6, f"the showcase's 6 frames shown ({frames})")
        intro = driver.js("return document.getElementById('intro').textContent")
        check("thinking step" in intro and "output cell" in intro, "two sentences say what a thinking step is")
        opened = driver.js("return [document.getElementById('run').value, "
                           "document.getElementById('tab-frames').hidden]")
        check(opened == ["1", False], f"opens on the frames run's Frames tab ({opened})")
        result = driver.js("return document.getElementById('frames-result').textContent")
        check(result.startswith("step 6") and "reads 7 " in result,
              f"the showcase is a 7 the run reads right: {result}")
        source = driver.js("return document.getElementById('frames-source').textContent")
        check("test digit #" in source and ", a 7" in source, f"it says what it reads: {source}")
        sizes = driver.js("return [...document.querySelectorAll('#frames-strip canvas, #frames-clean')]"
                          ".map(c => c.getBoundingClientRect().width)")
        check(min(sizes) >= 140, f"frames and the clean digit shown at 140 px or more ({min(sizes)})")
        clean_row = driver.js("const c = document.getElementById('frames-clean').getBoundingClientRect();"
                              "const f = document.querySelector('#frames-strip canvas').getBoundingClientRect();"
                              "return Math.abs(c.top - f.top) < 5 && c.right < f.left")
        check(clean_row, "the clean digit beside the frames")
        info = driver.js("return document.getElementById('run-info').textContent")
        check("trained on 6 degraded frames of each mnist digit" in info, f"run info says what it was trained on")

        # The network on the Frames tab: one cell, input and output, with a self-loop.
        cell = driver.js("const g = document.querySelector('#frames-network g.cell'); return g && g.getAttribute('class')")
        check(cell == "cell input output", f"the one cell is drawn as input and output ({cell})")
        rings = driver.js("return document.querySelector('#frames-network g.cell').querySelectorAll('circle').length")
        check(rings == 2, f"both rings drawn ({rings})")
        loop = driver.js("const p = document.querySelector('#frames-network path.self-loop'); if (!p) return null;"
                         "const b = p.getBBox(); return [b.width, b.height]")
        check(loop is not None and loop[0] >= 20 and loop[1] >= 30, f"the self-loop is a visible loop ({loop})")
        marker = driver.js("const m = document.querySelector('#frames-network marker');"
                           "return [m.getAttribute('markerUnits'), Number(m.getAttribute('markerWidth'))]")
        widest = driver.js("return Math.max(...[...document.querySelectorAll('path.edge')]"
                           ".map(e => Number(e.getAttribute('stroke-width'))))")
        check(marker[0] == "userSpaceOnUse" and widest < marker[1] <= 10,
              f"arrowheads of one small size, wider than any edge ({marker}, edges up to {widest:.2f})")
        widths = []
        for step in range(6):
            driver.js(f"showFrameRow({step})")
            widths.append(driver.js("return Number(document.querySelector('#frames-network path.edge')"
                                    ".getAttribute('stroke-width'))"))
        check(max(widths) > min(widths), f"the loop's width follows its message step by step ({widths[0]:.2f} .. {widths[-1]:.2f})")
        driver.screenshot(screenshot.replace(".png", "-frames.png"))

        # Pick by class: a 3, then a random 3.
        driver.js("const s = document.getElementById('digit-class'); s.value = '3'; s.onchange();")
        wait_for(driver, "return document.getElementById('frames-source').textContent.includes(', a 3')",
                 "frames of a 3")
        labels = set()
        for _ in range(3):
            driver.js("document.getElementById('frames-source').textContent = ''")
            driver.click("#random-digit")
            wait_for(driver, "return state.frames && state.frames.label === 3 && "
                     "document.getElementById('frames-source').textContent !== ''", "a random 3")
            labels.add(driver.js("return document.getElementById('frames-source').textContent"))
        check(all(", a 3 " in l for l in labels), f"random of this class stays a 3 ({len(labels)} different)")

        # Draw tab of the frames run: a note on what the run was trained on.
        driver.click("nav button[data-tab=draw]")
        note = driver.js("const n = document.getElementById('draw-note'); return n.hidden ? '' : n.textContent")
        check("degraded" in note and "clean drawing" in note, f"Draw tab says the run reads degraded frames: {note[:70]}...")

        # The main job's run: the Draw tab opens on a test digit read.
        driver.js("const s = document.getElementById('run'); s.value = '0'; s.onchange();")
        wait_for(driver, "return document.getElementById('run-info').textContent.startsWith('mnist_nnn') && "
                 "document.getElementById('draw-source').textContent.includes('test digit')", "the main run's example")
        info = driver.js("return document.getElementById('run-info').textContent")
        check("parameters" in info and "trained on clean mnist digits" in info, f"run info shown: {info[:90]}...")
        hidden = driver.js("return document.getElementById('draw-note').hidden")
        check(hidden, "no degraded-frames note for a run trained on clean digits")
        shown = driver.js("return [document.getElementById('prediction').textContent, "
                          "document.querySelectorAll('#bars .step-row').length]")
        check(shown[0] == "3" and shown[1] == 3, f"the example (a 3) is read at every step: {shown}")
        edges = driver.js("return document.querySelectorAll('#network path.edge').length")
        check(edges == 8, f"the wiring drawn with its 8 edges (found {edges})")
        roles = driver.js("return [...document.querySelectorAll('#network > g.cell')].map(g => g.getAttribute('class'))")
        check(roles.count("cell input") == 1 and roles.count("cell output") == 1,
              f"one input cell and one output cell drawn ({roles})")

        # Lesions: every edge and cell coloured by what removing it costs.
        driver.click("#lesion-view")
        wait_for(driver, "return state.lesions && state.lesions.run === 0 && "
                 "document.querySelectorAll('#network path.edge[data-lost]').length === 8",
                 "the lesion colouring", 120)
        lost = driver.js("return [...document.querySelectorAll('#network path.edge')]"
                         ".map(e => Number(e.getAttribute('data-lost')))")
        note = driver.js("return document.getElementById('lesion-note').textContent")
        check(max(lost) > 5 and min(lost) == 0 and "accuracy lost at the last step" in note,
              f"edges coloured by the accuracy their cut costs ({min(lost):.2f} .. {max(lost):.2f} points)")
        driver.screenshot(screenshot.replace(".png", "-lesions.png"))
        driver.click("#lesion-view")
        # A one: a vertical stroke.
        driver.js("document.getElementById('prediction').textContent = ''")
        driver.stroke("#canvas", [(4, -95 + 10 * i) for i in range(20)])
        wait_for(driver, "return document.getElementById('prediction').textContent !== ''",
                 "the reading of the drawn 1")
        one = driver.js("return document.getElementById('prediction').textContent")
        check(one == "1", f"the drawn 1 reads as {one}")
        source = driver.js("return document.getElementById('draw-source').textContent")
        check(source == "reading your drawing", f"the page says it reads the drawing ({source!r})")
        rows = driver.js("return document.querySelectorAll('#bars .step-row').length")
        check(rows == 3, f"bars for every one of the 3 steps ({rows})")
        widths = driver.js("return [...document.querySelectorAll('#network path.edge')]"
                           ".map(e => Number(e.getAttribute('stroke-width')))")
        check(max(widths) > min(widths), f"edge widths follow the messages ({min(widths):.2f} .. {max(widths):.2f})")
        top3 = driver.js("return document.getElementById('top3').textContent")
        check(top3.startswith("top 3: 1"), f"top 3 shown: {top3}")

        # The drawing as Chromium encodes it, PNG and JPEG (its own encoders,
        # not OpenCV's): the predict API reads both as the 1 it is.
        for kind in ["png", "jpeg"]:
            read = driver.js_async(
                "const blob = await new Promise((r) => document.getElementById('canvas')"
                f".toBlob(r, 'image/{kind}', 0.9));"
                f"const reply = await fetch('/api/runs/0/predict', {{method: 'POST', "
                f"headers: {{'Content-Type': 'image/{kind}'}}, body: blob}});"
                "return [reply.status, (await reply.json()).prediction];")
            check(read == [200, "1"], f"Chromium's {kind.upper()} of the drawing reads as 1 ({read})")
        # The photo picker: the drawing saved by Chromium as a PNG file, uploaded.
        data = driver.js("return document.getElementById('canvas').toDataURL('image/png')")
        photo = os.path.join(work, "one.png")
        with open(photo, "wb") as f:
            f.write(base64.b64decode(data.split(",", 1)[1]))
        driver.js("document.getElementById('prediction').textContent = ''")
        driver.send_file("#upload", photo)
        wait_for(driver, "return document.getElementById('prediction').textContent !== ''",
                 "the reading of the uploaded PNG")
        shown = driver.js("return [document.getElementById('prediction').textContent, "
                          "document.getElementById('draw-source').textContent]")
        check(shown == ["1", "reading your image one.png"], f"the uploaded PNG reads as 1 ({shown})")

        # "Use my drawing", then "Generate": still the drawing (main run, no degradation).
        driver.click("nav button[data-tab=frames]")
        driver.click("#use-drawing")
        wait_for(driver, "return document.getElementById('frames-source').textContent === 'frames of your drawing'",
                 "frames of the drawing")
        driver.js("document.getElementById('frames-source').textContent = ''")
        driver.click("#frames-go")
        wait_for(driver, "return document.getElementById('frames-source').textContent !== ''", "Generate again")
        source = driver.js("return document.getElementById('frames-source').textContent")
        check(source == "frames of your drawing", f"Generate after 'Use my drawing' keeps the drawing ({source!r})")
        driver.click("nav button[data-tab=draw]")

        # A zero: a closed loop.
        driver.click("#clear")
        import math
        loop = [(int(55 * math.sin(2 * math.pi * k / 36)), int(-80 * math.cos(2 * math.pi * k / 36)))
                for k in range(38)]
        driver.js("document.getElementById('prediction').textContent = ''")
        driver.stroke("#canvas", loop)
        wait_for(driver, "return document.getElementById('prediction').textContent !== ''",
                 "the reading of the drawn 0")
        zero = driver.js("return document.getElementById('prediction').textContent")
        check(zero == "0", f"the drawn 0 reads as {zero}")
        driver.click("#play")
        wait_for(driver, "return document.getElementById('step-label').textContent.startsWith('step 3')",
                 "the step player reaching step 3", timeout=10)
        driver.screenshot(screenshot)
        check(os.path.getsize(screenshot) > 10000, f"screenshot of the Draw tab saved: {screenshot}")

        # Frames of the blurry-frames run, played frame by frame.
        driver.js("const s = document.getElementById('run'); s.value = '1'; s.onchange();")
        wait_for(driver, "return document.getElementById('run-info').textContent.startsWith('blurry_frames')",
                 "the blurry-frames run")
        driver.click("nav button[data-tab=frames]")
        driver.js("const s = document.getElementById('digit-class'); s.value = '7'; s.onchange();")
        wait_for(driver, "return document.getElementById('frames-source').textContent.includes(', a 7')",
                 "frames of a 7")
        driver.click("#frames-play")
        wait_for(driver, "return document.getElementById('frames-result').textContent.startsWith('step 6')",
                 "the frames played to step 6", timeout=15)
        result = driver.js("return document.getElementById('frames-result').textContent")
        check("reads" in result and "true digit 7" in result, f"frames result: {result}")
        rows = driver.js("return document.querySelectorAll('#frames-bars .step-row').length")
        check(rows == 6, f"bars after each of the 6 frames ({rows})")

        # Plate: 4 digits, their frames and the best readings.
        driver.click("nav button[data-tab=plate]")
        driver.click("#plate-go")
        wait_for(driver, "return document.querySelectorAll('#plate-readings tr').length === 7",
                 "a readings table of 6 frames")
        truth = driver.js("return document.getElementById('plate-truth').textContent")
        check(truth.startswith("true plate "), f"plate: {truth}")
        driver.screenshot(screenshot.replace(".png", "-plate.png"))
        status = driver.js("return document.getElementById('status').textContent")
        check(status == "", f"no error on the page ({status!r})")

        label_tab(driver, videos, labelled, screenshot)
        training_tab(driver, nnn, sys.argv[2], live, screenshot)  # (`source` is reused above)
        label_only(driver, nnn, sys.argv[2], work, videos)
    finally:
        driver.quit()
        chromedriver_process.terminate()
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
