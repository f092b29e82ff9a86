// The nnn serve page: plain JavaScript, no library, talks to /api only.
'use strict';

const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
// drawn: the drawing as PGM bytes (null when the canvas is empty);
// framesFrom: what the Frames tab degrades, 'test' (a test digit picked by
// class) or 'drawing'.
const state = { run: 0, info: null, trace: null, step: 1, timers: {}, drawn: null,
                framesFrom: 'test' };

function status(message) { $('status').textContent = message || ''; }

async function api(path, options) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => ({ error: 'HTTP ' + response.status }));
  if (!response.ok) throw new Error(body.error || 'HTTP ' + response.status);
  return body;
}

function postJson(path, value) {
  return api(path, { method: 'POST', headers: { 'Content-Type': 'application/json' },
                     body: JSON.stringify(value) });
}

function plural(n, word) { return `${n} ${word}${n === 1 ? '' : 's'}`; }

function percent(p) { return (100 * p).toFixed(1) + '%'; }

function svgElement(name, attributes, parent) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

// Values in [0, 1] (light ink on dark), side x side, into a canvas.
function paintPixels(canvas, values, side, dark_on_light) {
  const small = document.createElement('canvas');
  small.width = side; small.height = side;
  const context = small.getContext('2d');
  const image = context.createImageData(side, side);
  for (let i = 0; i < side * side; ++i) {
    let v = Math.round(255 * Math.min(1, Math.max(0, values[i])));
    if (dark_on_light) v = 255 - v;
    image.data.set([v, v, v, 255], 4 * i);
  }
  context.putImageData(image, 0, 0);
  const target = canvas.getContext('2d');
  target.imageSmoothingEnabled = false;
  target.clearRect(0, 0, canvas.width, canvas.height);
  target.drawImage(small, 0, 0, canvas.width, canvas.height);
}

// --- Runs ---

async function loadRuns() {
  const { runs } = await api('/api/runs');
  const select = $('run');
  select.innerHTML = '';
  if (runs.length === 0) {
    // Served for labelling or following training only: the tabs that read
    // with a run are hidden, and the page opens on Label (or Training).
    for (const tab of ['draw', 'frames', 'plate']) {
      document.querySelector(`nav button[data-tab=${tab}]`).hidden = true;
    }
    $('run').parentElement.hidden = true;
    $('run-info').textContent = 'no trained run served (nnn serve RUN ... to read digits)';
    return false;
  }
  runs.forEach((r) => {
    const option = document.createElement('option');
    option.value = r.index;
    option.textContent = `${r.index}: ${r.name} (${plural(r.cells, 'cell')}, ${r.parameters} parameters)`;
    select.appendChild(option);
  });
  select.onchange = async () => {
    await loadRun(Number(select.value));
    if ($('lesion-view').checked) toggleLesions();  // the new run's lesions
  };
  // The showcase: a run that reads a sequence of degraded frames, on the
  // Frames tab, else the first run reading a test digit on the Draw tab.
  const infos = await Promise.all(runs.map((r) => api(`/api/runs/${r.index}`)));
  const frames = infos.findIndex((i) => i.feed === 'sequence' && i.degraded && i.max_frames > 1 &&
                                        i.test_digits > 0);
  const first = frames >= 0 ? frames : 0;
  select.value = String(first);
  await loadRun(first);
  if (frames >= 0) {
    showTab('frames');
    // The first few 7s until one the run reads right after every frame,
    // said so on the page: an example of the idea, not of the accuracy.
    const sevens = (infos[frames].test_classes || [])[7] || 0;
    for (let nth = 0; nth < Math.min(10, sevens); ++nth) {
      $('digit-nth').value = nth;
      await generateFrames();
      if (!state.frames || state.frames.prediction === String(state.frames.label)) break;
    }
    if (state.frames && Number($('digit-nth').value) > 0) {
      const missed = Number($('digit-nth').value);
      $('frames-source').textContent += `; the page opens on the first 7 this run reads right ` +
        `(it misreads the ${missed === 1 ? 'one' : missed} before it)`;
    }
  }
  return true;
}

async function loadRun(index) {
  state.run = index;
  state.trace = null;
  for (const id of ['draw-source', 'prediction', 'top3', 'step-label']) $(id).textContent = '';
  $('bars').innerHTML = '';
  state.info = await api(`/api/runs/${index}`);
  const info = state.info;
  const accuracy = info.test_accuracy;
  const last = Array.isArray(accuracy) && accuracy.length ? percent(accuracy[accuracy.length - 1]) : 'n/a';
  const perStep = Array.isArray(accuracy) ? accuracy.map(percent).join(' · ') : 'no summary.json';
  $('run-info').innerHTML = '';
  $('run-info').append(
    `${info.name}: ${plural(info.wiring.cells, 'cell')}, ${plural(info.wiring.edges.length, 'edge')}, ` +
    `${info.parameters} parameters, ${info.steps} steps (d = ${info.distance}), feed ${info.feed}; ` +
    `${info.trained_on}; test accuracy ${last} (per step: ${perStep})`);
  for (const id of ['frames-count', 'plate-count']) {
    $(id).max = info.max_frames;
    $(id).value = info.default_frames;
  }
  const classes = $('digit-class');
  const previous = classes.value;
  classes.innerHTML = '';
  (info.test_classes || []).forEach((count, c) => {
    const option = document.createElement('option');
    option.value = c;
    option.textContent = c;
    option.disabled = count === 0;
    classes.appendChild(option);
  });
  if (previous !== '' && Number(previous) < classes.options.length) classes.value = previous;
  else if (classes.options.length > 7) classes.value = '7';
  showClassRange();
  $('frames-note').textContent = info.test_digits ? (info.degraded ? '' :
    'This run was trained without degradation: its frames are clean copies.') :
    (info.test_digits_error || 'No test digits.');
  // What a clean drawing means to a run trained on degraded frames.
  $('draw-note').hidden = !info.degraded;
  $('draw-note').textContent = info.degraded ?
    `This run was ${info.trained_on}. A clean drawing is not what it learned to read, so it is ` +
    'less sure of one than of its own frames (Frames tab).' : '';
  state.trace = null;
  showStep();
  if (state.drawn) await readDrawing();
  else await readTestDigit();
}

// The Draw tab before anything is drawn: a test digit read, so the page
// never opens on empty panels.
async function readTestDigit() {
  const info = state.info;
  if (!info.test_digits) {
    $('draw-source').textContent = 'draw a digit on the left';
    return;
  }
  const counts = info.test_classes;
  const c = counts.length > 3 && counts[3] > 0 ? 3 : counts.findIndex((n) => n > 0);
  try {
    const digit = await postJson(`/api/runs/${state.run}/frames`, { class: c, frames: 1 });
    await readInput({ pixels: digit.clean },
                    `a test digit (#${digit.index}, a ${digit.label}); draw your own on the left`);
  } catch (error) {
    status('reading a test digit failed: ' + error.message);
  }
}

function showClassRange() {
  const counts = (state.info && state.info.test_classes) || [];
  const n = counts[Number($('digit-class').value)] || 0;
  $('digit-nth').max = Math.max(0, n - 1);
  if (Number($('digit-nth').value) > n - 1) $('digit-nth').value = 0;
  $('digit-of').textContent = n ? `of ${n}` : '';
}

// --- Bars, top 3, confidence curve ---

function barsRow(row, current, digit) {
  const p = row.digits[digit || 0].probabilities;
  const best = p.indexOf(Math.max(...p));
  const div = document.createElement('div');
  div.className = 'step-row' + (current ? ' current' : '');
  const label = document.createElement('span');
  label.className = 'label';
  label.textContent = row.label;
  const cols = document.createElement('div');
  cols.className = 'cols';
  p.forEach((v, c) => {
    const bar = document.createElement('div');
    bar.className = 'bar' + (c === best ? ' best' : '');
    bar.title = `${c}: ${percent(v)}`;
    const fill = document.createElement('div');
    fill.style.height = Math.max(1, Math.round(26 * v)) + 'px';
    const name = document.createElement('span');
    name.textContent = c;
    bar.append(fill, name);
    cols.appendChild(bar);
  });
  const top = document.createElement('span');
  top.className = 'top';
  top.textContent = row.digits[digit || 0].top.map((t) => `${t.class} ${percent(t.p)}`).join('   ');
  div.append(label, cols, top);
  return div;
}

function renderBars(container, rows, current) {
  container.innerHTML = '';
  rows.forEach((row, i) => container.appendChild(barsRow(row, i === current)));
}

function renderCurve(svg, values, current) {
  svg.innerHTML = '';
  const w = Number(svg.getAttribute('width')), h = Number(svg.getAttribute('height'));
  const left = 34, bottom = 20, top = 8, right = 8;
  const x = (i) => left + (values.length > 1 ? i / (values.length - 1) : 0.5) * (w - left - right);
  const y = (v) => top + (1 - v) * (h - top - bottom);
  for (const v of [0, 0.5, 1]) {
    svgElement('line', { x1: left, x2: w - right, y1: y(v), y2: y(v), stroke: '#ddd' }, svg);
    svgElement('text', { x: 2, y: y(v) + 4, 'font-size': 10 }, svg).textContent = percent(v);
  }
  const points = values.map((v, i) => `${x(i)},${y(v)}`).join(' ');
  svgElement('polyline', { points, fill: 'none', stroke: '#1f5f9f', 'stroke-width': 2 }, svg);
  values.forEach((v, i) => {
    svgElement('circle', { cx: x(i), cy: y(v), r: i === current ? 5 : 3,
                           fill: i === current ? '#b42318' : '#1f5f9f' }, svg);
    svgElement('text', { x: x(i) - 3, y: h - 5, 'font-size': 10 }, svg).textContent = i + 1;
  });
}

// --- Drawing ---

function setupCanvas() {
  const canvas = $('canvas');
  const context = canvas.getContext('2d');
  const clear = () => {
    context.fillStyle = 'white';
    context.fillRect(0, 0, canvas.width, canvas.height);
    state.drawn = null;
  };
  clear();
  let drawing = false, last = null;
  const at = (event) => {
    const r = canvas.getBoundingClientRect();
    return [(event.clientX - r.left) * canvas.width / r.width,
            (event.clientY - r.top) * canvas.height / r.height];
  };
  canvas.addEventListener('pointerdown', (event) => {
    drawing = true;
    last = at(event);
    canvas.setPointerCapture(event.pointerId);
    context.fillStyle = 'black';
    context.beginPath();
    context.arc(last[0], last[1], 9, 0, 2 * Math.PI);
    context.fill();
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!drawing) return;
    const point = at(event);
    context.strokeStyle = 'black';
    context.lineWidth = 18;
    context.lineCap = 'round';
    context.beginPath();
    context.moveTo(last[0], last[1]);
    context.lineTo(point[0], point[1]);
    context.stroke();
    last = point;
  });
  const release = () => {
    if (!drawing) return;
    drawing = false;
    state.drawn = canvasPgm(canvas);
    readDrawing();
  };
  canvas.addEventListener('pointerup', release);
  canvas.addEventListener('pointercancel', release);
  $('clear').onclick = () => { clear(); };
  $('upload').onchange = () => {
    const file = $('upload').files[0];
    if (file) readUpload(file);
  };
}

// The drawing as an 8-bit PGM (140x140, dark ink on white): the server
// crops, centres and scales it exactly as `nnn predict` does a photo.
function canvasPgm(canvas) {
  const side = 140;
  const small = document.createElement('canvas');
  small.width = side; small.height = side;
  const context = small.getContext('2d');
  context.drawImage(canvas, 0, 0, side, side);
  const rgba = context.getImageData(0, 0, side, side).data;
  const header = new TextEncoder().encode(`P5\n${side} ${side}\n255\n`);
  const bytes = new Uint8Array(header.length + side * side);
  bytes.set(header);
  let ink = 0;
  for (let i = 0; i < side * side; ++i) {
    const v = Math.round((rgba[4 * i] + rgba[4 * i + 1] + rgba[4 * i + 2]) / 3);
    bytes[header.length + i] = v;
    if (v < 128) ++ink;
  }
  return ink > 0 ? bytes : null;
}

async function readDrawing() {
  if (!state.drawn) return;
  await readInput(state.drawn, 'your drawing');
}

// A photo from the file picker (PNG, JPEG, BMP or PGM): the server tells
// the format from its bytes and reads it as `nnn predict` reads a file.
async function readUpload(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const type = file.type && file.type.startsWith('image/') ? file.type : 'image/x-portable-graymap';
  await readInput(bytes, `your image ${file.name}`, type);
}

// Reads `body` (image bytes of `type`, PGM by default, or {pixels}) with
// the message trace and shows it.
async function readInput(body, source, type = 'image/x-portable-graymap') {
  const image = body instanceof Uint8Array;
  try {
    const result = await api(`/api/runs/${state.run}/trace`, {
      method: 'POST', headers: { 'Content-Type': image ? type : 'application/json' },
      body: image ? body : JSON.stringify(body) });
    status('');
    state.trace = result;
    $('draw-source').textContent = 'reading ' + source;
    paintPixels($('input'), result.input[0], 28, false);
    $('prediction').textContent = result.prediction;
    const lastRow = result.rows[result.rows.length - 1];
    $('top3').textContent = 'top 3: ' + lastRow.digits[0].top.map((t) => `${t.class} (${percent(t.p)})`).join(', ');
    const slider = $('step');
    slider.max = result.rows.length;
    state.step = result.rows.length;
    slider.value = state.step;
    showStep();
  } catch (error) {
    status(`reading ${source} failed: ` + error.message);
  }
}

function showStep() {
  const result = state.trace;
  if (!result) {
    drawNetwork($('network'), null, 0);
    return;
  }
  const i = state.step - 1;
  $('step-label').textContent = result.rows[i].label;
  renderBars($('bars'), result.rows, i);
  renderCurve($('curve'), result.confidence, i);
  drawNetwork($('network'), result, i);
}

// --- The network ---

// The wiring into `svg`: cells at nnn's places, edges as arrows. With a
// trace (edge_norms [T][E], cell_norms [T][N]), step t's message norms set
// each edge's width and shade and each cell's fill.
function drawNetwork(svg, trace, t) {
  svg.innerHTML = '';
  const info = state.info;
  if (!info) return;
  const w = Number(svg.getAttribute('width')), h = Number(svg.getAttribute('height'));
  const margin = 44, legend = 26;
  const place = info.wiring.places.map((p) => [margin + p.x * (w - 2 * margin),
                                                margin + p.y * (h - 2 * margin - legend)]);
  let maxEdge = 0, maxCell = 0;
  if (trace) {
    trace.edge_norms.forEach((row) => row.forEach((v) => { maxEdge = Math.max(maxEdge, v); }));
    trace.cell_norms.forEach((row) => row.forEach((v) => { maxCell = Math.max(maxCell, v); }));
  }
  // Arrowheads of one size in the drawing's units, whatever an edge's width.
  const defs = svgElement('defs', {}, svg);
  const marker = svgElement('marker', { id: svg.id + '-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5,
                                        markerUnits: 'userSpaceOnUse', markerWidth: 10, markerHeight: 10,
                                        orient: 'auto' }, defs);
  svgElement('path', { d: 'M 0 1 L 10 5 L 0 9 z', fill: '#35608c' }, marker);
  const radius = 15;
  // Where an edge meets a cell: outside the output cell's outer ring.
  const rim = (c) => radius + (c === info.wiring.output ? 5 : 1);
  // With "colour by what a lesion costs": accuracy lost at the last step
  // when an edge is cut or a cell silenced (GET /api/runs/RUN/lesions).
  const lesion = state.lesionView && state.lesions && state.lesions.run === state.run
    ? state.lesions : null;
  const lostOf = (accuracy) => lesion ? 100 * (lesion.intact[lesion.intact.length - 1] -
                                              accuracy[accuracy.length - 1]) : 0;
  let mostLost = 0;
  if (lesion) {
    for (const item of [...lesion.edges, ...lesion.cells]) mostLost = Math.max(mostLost, lostOf(item.accuracy));
  }
  const heat = (lost) => {
    const f = mostLost > 0 ? Math.min(1, Math.max(0, lost / mostLost)) : 0;
    return `rgb(${Math.round(221 - 7 * f)}, ${Math.round(221 - 182 * f)}, ${Math.round(221 - 181 * f)})`;
  };
  const edgeLesion = (edge) => lesion && lesion.edges.find((l) => l.from === edge.from && l.to === edge.to);
  info.wiring.edges.forEach((edge, e) => {
    const strength = trace && maxEdge > 0 ? trace.edge_norms[t][e] / maxEdge : 0.15;
    const width = 0.8 + 5 * strength;  // thinner than the arrowhead
    const cut = edgeLesion(edge);
    const colour = cut ? heat(lostOf(cut.accuracy)) : `rgba(31, 95, 159, ${0.25 + 0.75 * strength})`;
    const [x1, y1] = place[edge.from], [x2, y2] = place[edge.to];
    let path;
    if (edge.from === edge.to) {
      // A loop above the cell, leaving at 10 o'clock and coming back at 2.
      const a = (angle) => [x1 + rim(edge.to) * Math.cos(angle), y1 - rim(edge.to) * Math.sin(angle)];
      const [sx, sy] = a(Math.PI * 0.7), [ex, ey] = a(Math.PI * 0.3);
      const lift = 3.4 * radius;
      path = `M ${sx} ${sy} C ${sx - 1.2 * radius} ${sy - lift}, ${ex + 1.2 * radius} ${ey - lift}, ${ex} ${ey}`;
    } else {
      const dx = x2 - x1, dy = y2 - y1, length = Math.hypot(dx, dy) || 1;
      const ux = dx / length, uy = dy / length;
      const bend = 18;  // both directions of a pair stay apart
      const mx = (x1 + x2) / 2 - uy * bend, my = (y1 + y2) / 2 + ux * bend;
      // Leave and enter each circle towards the curve's control point.
      const toward = (x, y) => { const l = Math.hypot(mx - x, my - y) || 1; return [(mx - x) / l, (my - y) / l]; };
      const [ax, ay] = toward(x1, y1), [bx, by] = toward(x2, y2);
      path = `M ${x1 + ax * rim(edge.from)} ${y1 + ay * rim(edge.from)} Q ${mx} ${my} ` +
             `${x2 + bx * rim(edge.to)} ${y2 + by * rim(edge.to)}`;
    }
    const line = svgElement('path', { d: path, fill: 'none', stroke: colour, 'stroke-width': width,
                                      'marker-end': `url(#${svg.id}-arrow)`,
                                      class: edge.from === edge.to ? 'edge self-loop' : 'edge' }, svg);
    const title = svgElement('title', {}, line);
    title.textContent = `${edge.from} → ${edge.to}: ${edge.channels} channels` +
      (trace ? `, norm ${trace.edge_norms[t][e].toFixed(3)} at step ${t + 1}` : '') +
      (cut ? `; cutting it costs ${lostOf(cut.accuracy).toFixed(2)} points at the last step` : '');
    if (cut) line.setAttribute('data-lost', lostOf(cut.accuracy).toFixed(2));
  });
  // Input cells ringed green, the output cell ringed orange outside: a cell
  // that is both shows both rings.
  const cellRings = (x, y, input, output, fill, parent, kind = 'cell') => {
    const classes = [kind];
    if (input) classes.push('input');
    if (output) classes.push('output');
    const group = svgElement('g', { class: classes.join(' ') }, parent);
    if (output) svgElement('circle', { cx: x, cy: y, r: radius + 4, fill: 'none', stroke: '#d97706', 'stroke-width': 3 }, group);
    svgElement('circle', { cx: x, cy: y, r: radius, fill, stroke: input ? '#17803d' : '#555',
                           'stroke-width': input ? 3 : 1.5 }, group);
    return group;
  };
  place.forEach(([x, y], c) => {
    const input = info.wiring.inputs.includes(c), output = c === info.wiring.output;
    const activity = trace && maxCell > 0 ? trace.cell_norms[t][c] / maxCell : 0;
    const shade = Math.round(255 - 150 * activity);
    const silenced = lesion && lesion.cells.find((l) => l.cell === c);
    const fill = silenced ? heat(lostOf(silenced.accuracy)) : `rgb(${shade}, ${shade}, 255)`;
    const cell = cellRings(x, y, input, output, fill, svg);
    svgElement('text', { x, y }, cell).textContent = c;
    const title = svgElement('title', {}, cell);
    title.textContent = `cell ${c}` + (input && output ? ': input and output' : input ? ': input' : output ? ': output' : '') +
      (silenced ? `; silencing it costs ${lostOf(silenced.accuracy).toFixed(2)} points at the last step` : '');
  });
  let lx = 16;
  for (const [label, input, output] of [['input cell', true, false], ['output cell', false, true],
                                        ['both', true, true]]) {
    cellRings(lx + 4, h - 14, input, output, 'white', svg, 'legend-cell').setAttribute('transform',
      `translate(${lx + 4} ${h - 14}) scale(0.45) translate(${-(lx + 4)} ${-(h - 14)})`);
    svgElement('text', { x: lx + 16, y: h - 14, class: 'legend' }, svg).textContent = label;
    lx += 28 + 7 * label.length;
  }
}

// The lesion colouring of the network drawings: fetched once per run.
async function toggleLesions() {
  state.lesionView = $('lesion-view').checked;
  if (state.lesionView && (!state.lesions || state.lesions.run !== state.run)) {
    $('lesion-note').textContent = 'cutting every edge and silencing every cell in turn...';
    try {
      const lesions = await api(`/api/runs/${state.run}/lesions`);
      lesions.run = state.run;
      state.lesions = lesions;
    } catch (error) {
      status('could not measure the lesions: ' + error.message);
      $('lesion-view').checked = false;
      state.lesionView = false;
    }
  }
  $('lesion-note').textContent = state.lesionView && state.lesions
    ? `red: the accuracy lost at the last step when that edge is cut or that cell silenced ` +
      `(on ${state.lesions.samples} test digits; nnn lesion has every step)` : '';
  showStep();
}

function play(name, count, show, done, ms = 600) {
  clearInterval(state.timers[name]);
  let i = 0;
  show(i);
  state.timers[name] = setInterval(() => {
    i += 1;
    if (i >= count) {
      clearInterval(state.timers[name]);
      if (done) done();
      return;
    }
    show(i);
  }, ms);
}

// --- Frames ---

// Degrades what the Frames tab reads (a test digit of the chosen class, or
// the drawing after "Use my drawing") into frames and reads them.
async function generateFrames() {
  const request = { frames: Number($('frames-count').value), seed: Number($('frames-seed').value) };
  const fromDrawing = state.framesFrom === 'drawing';
  if (fromDrawing) {
    if (!state.trace || !state.drawn) { status('draw a digit first (Draw tab)'); return; }
    request.pixels = state.trace.input[0];
  } else {
    request.class = Number($('digit-class').value);
    request.nth = Number($('digit-nth').value);
  }
  try {
    state.frames = await postJson(`/api/runs/${state.run}/frames`, request);
    status('');
  } catch (error) {
    status('frames failed: ' + error.message);
    return;
  }
  const result = state.frames;
  $('frames-source').textContent = fromDrawing ? 'frames of your drawing' :
    `frames of test digit #${result.index}, a ${result.label} (example ${request.nth} of its class)`;
  paintPixels($('frames-clean'), result.clean, 28, false);
  const strip = $('frames-strip');
  strip.innerHTML = '';
  result.frame_pixels.forEach((pixels) => {
    const canvas = document.createElement('canvas');
    canvas.width = 140; canvas.height = 140;
    paintPixels(canvas, pixels, 28, false);
    strip.appendChild(canvas);
  });
  showFrameRow(result.rows.length - 1);
}

// How many frames a row has seen: "frames 1-3" -> 3, "frame 1" -> 1.
function framesSeen(label) {
  const range = label.match(/frames 1-(\d+)/);
  if (range) return Number(range[1]);
  return /frame 1\b/.test(label) ? 1 : 0;
}

function showFrameRow(i) {
  const result = state.frames;
  const row = result.rows[i];
  const seen = framesSeen(row.label);
  [...$('frames-strip').children].forEach((canvas, f) => {
    canvas.className = f < seen ? 'seen' : 'unseen';
  });
  const best = row.digits[0].top[0];
  const truth = result.label === null ? '' : ` (true digit ${result.label})`;
  $('frames-result').innerHTML = '';
  const verdict = document.createElement('span');
  verdict.className = result.label === null ? '' : best.class === result.label ? 'right' : 'wrong';
  verdict.textContent = `${row.label}: reads ${best.class} at ${percent(best.p)}${truth}; top 3 ` +
    row.digits[0].top.map((t) => `${t.class} ${percent(t.p)}`).join(', ');
  $('frames-result').appendChild(verdict);
  renderBars($('frames-bars'), result.rows, i);
  renderCurve($('frames-curve'), result.confidence, i);
  // A sequence feed reads all frames in one pass: row i is its step i.
  // Other feeds make a pass per row; the messages are those of the last.
  const steps = result.edge_norms.length;
  drawNetwork($('frames-network'), result, result.rows.length === steps ? i : steps - 1);
}

// --- Plates ---

async function generatePlate() {
  const request = { digits: Number($('plate-digits').value), frames: Number($('plate-count').value),
                    seed: Number($('plate-seed').value) };
  try {
    state.plate = await postJson(`/api/runs/${state.run}/plate`, request);
    status('');
  } catch (error) {
    status('plate failed: ' + error.message);
    return;
  }
  const result = state.plate;
  const strip = $('plate-frames');
  strip.innerHTML = '';
  strip.classList.add('plate');
  result.strips.forEach((s) => {
    const canvas = document.createElement('canvas');
    canvas.width = s.width * 2; canvas.height = s.height * 2;
    const small = document.createElement('canvas');
    small.width = s.width; small.height = s.height;
    const context = small.getContext('2d');
    const image = context.createImageData(s.width, s.height);
    s.pixels.forEach((v, i) => image.data.set([v, v, v, 255], 4 * i));
    context.putImageData(image, 0, 0);
    const target = canvas.getContext('2d');
    target.imageSmoothingEnabled = false;
    target.drawImage(small, 0, 0, canvas.width, canvas.height);
    strip.appendChild(canvas);
  });
  showPlateRow(result.rows.length - 1);
}

function showPlateRow(i) {
  const result = state.plate;
  const seen = framesSeen(result.rows[i].label);
  [...$('plate-frames').children].forEach((canvas, f) => {
    canvas.className = f < seen ? 'seen' : 'unseen';
  });
  const best = result.rows[i].readings[0];
  $('plate-truth').innerHTML = '';
  const verdict = document.createElement('span');
  verdict.className = best.digits === result.reading ? 'right' : 'wrong';
  verdict.textContent = `true plate ${result.reading}; ${result.rows[i].label}: best reading ` +
    `${best.digits} (${percent(best.p)})`;
  $('plate-truth').appendChild(verdict);
  const table = document.createElement('table');
  table.className = 'readings';
  const head = table.insertRow();
  head.innerHTML = '<th>after</th><th>1st</th><th>2nd</th><th>3rd</th><th>4th</th><th>5th</th>';
  result.rows.forEach((row, r) => {
    const tr = table.insertRow();
    if (r === i) tr.className = 'current';
    tr.insertCell().textContent = row.label;
    row.readings.forEach((reading) => {
      const cell = tr.insertCell();
      cell.textContent = `${reading.digits} ${percent(reading.p)}`;
      if (reading.digits === result.reading) cell.className = 'right';
    });
  });
  $('plate-readings').innerHTML = '';
  $('plate-readings').appendChild(table);
}

// --- Label ---

// The Label tab: open a video, draw the plate's box, track, correct, save.
// label.keys: the boxes the person drew, frame (1-based) -> [x, y, w, h] in
// the video's pixels as the server holds them.
const label = { video: null, keys: new Map(), track: null, frame: 1, images: new Map(),
                drag: null, busy: false, saved: null, playing: false };

async function loadVideos() {
  let listing;
  try {
    listing = await api('/api/videos');
  } catch (error) {
    $('label-off').hidden = false;
    $('label-on').hidden = true;
    return;
  }
  $('label-off').hidden = true;
  $('label-on').hidden = false;
  const select = $('label-video');
  select.innerHTML = '';
  for (const name of listing.videos) {
    const option = document.createElement('option');
    option.value = name;
    option.textContent = name;
    select.appendChild(option);
  }
  $('label-open').disabled = listing.videos.length === 0;
  if (listing.videos.length === 0) {
    const option = document.createElement('option');
    option.textContent = '(no served folder: upload a video)';
    select.appendChild(option);
  }
  showDataset(listing.dataset);
}

function showDataset(dataset) {
  if (!dataset) return;
  $('label-dataset').textContent = dataset.samples > 0
    ? `The dataset ${dataset.path} holds ${plural(dataset.samples, 'sample')} of ` +
      `${plural(dataset.frames, 'frame')} from ${plural(dataset.videos, 'video')}.`
    : `Saving makes the dataset ${dataset.path}.`;
}

async function openVideo(request) {
  status('opening the video...');
  try {
    const info = await request;
    label.video = info;
    label.keys = new Map();
    label.track = null;
    label.images = new Map();
    label.saved = null;
    const canvas = $('label-canvas');
    canvas.width = info.width;
    canvas.height = info.height;
    // Shown at least 640 pixels wide or high (a small video scaled up whole).
    const zoom = Math.max(1, 640 / Math.max(info.width, info.height));
    canvas.style.width = `${Math.round(info.width * zoom)}px`;
    canvas.style.height = `${Math.round(info.height * zoom)}px`;
    $('label-frame').max = info.frames;
    $('label-frames').max = Math.min(64, info.frames);
    $('label-source').textContent = `${info.name}: ${plural(info.frames, 'frame')} of ` +
      `${info.width}x${info.height}` + (info.scale < 1 ? ` (shrunk by ${info.scale.toFixed(3)})` : '');
    $('label-track-info').textContent = '';
    $('label-crops').innerHTML = '';
    await showLabelFrame(1);
    status('');
  } catch (error) {
    status('could not open the video: ' + error.message);
  }
}

function frameImage(n) {
  const id = label.video.id;
  if (!label.images.has(n)) {
    label.images.set(n, new Promise((resolve, reject) => {
      const image = new Image();
      image.onload = () => resolve(image);
      image.onerror = () => reject(new Error(`frame ${n} could not be loaded`));
      image.src = `/api/videos/${id}/frames/${n}`;
    }));
  }
  return label.images.get(n);
}

// Draws frame n, its tracked box and the person's box on it.
async function showLabelFrame(n) {
  if (!label.video) return;
  label.frame = n;
  $('label-frame').value = n;
  const image = await frameImage(n);
  if (label.frame !== n) return;  // a later frame was asked for meanwhile
  const canvas = $('label-canvas');
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const step = label.track ? label.track.steps[n - 1] : null;
  let text = `frame ${n} of ${label.video.frames}`;
  if (step) {
    drawBox(context, step.box, step.degrees, step.lost ? '#e03030' : '#20c040', step.lost);
    text += step.lost ? ': lost' : ': tracked' +
      (step.score === null ? '' : `, NCC ${step.score.toFixed(2)}`);
    if (label.track.used.includes(n)) text += ', in the sample';
  }
  const key = label.keys.get(n);
  if (key) {
    drawBox(context, key, 0, '#ff9900', false);
    text += ', your box';
  }
  if (label.drag) drawBox(context, label.drag.box, 0, '#ff9900', true);
  $('label-frame-text').textContent = text;
}

function drawBox(context, box, degrees, colour, dashed) {
  const [x, y, w, h] = box;
  context.save();
  context.translate(x + w / 2, y + h / 2);
  context.rotate(degrees * Math.PI / 180);
  context.strokeStyle = colour;
  context.lineWidth = Math.max(2, context.canvas.width / 320);
  context.setLineDash(dashed ? [6, 4] : []);
  context.strokeRect(-w / 2, -h / 2, w, h);
  context.restore();
}

// The canvas point of a pointer event, in the video's pixels.
function canvasPoint(event) {
  const canvas = $('label-canvas');
  const rect = canvas.getBoundingClientRect();  // the border box: the border is clientLeft wide
  return [(event.clientX - rect.left - canvas.clientLeft) * canvas.width / canvas.clientWidth,
          (event.clientY - rect.top - canvas.clientTop) * canvas.height / canvas.clientHeight];
}

function setupLabelCanvas() {
  const canvas = $('label-canvas');
  canvas.addEventListener('pointerdown', (event) => {
    if (!label.video) return;
    canvas.setPointerCapture(event.pointerId);
    const [x, y] = canvasPoint(event);
    label.drag = { from: [x, y], box: [x, y, 0, 0] };
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!label.drag) return;
    const [x, y] = canvasPoint(event);
    const [x0, y0] = label.drag.from;
    label.drag.box = [Math.min(x, x0), Math.min(y, y0), Math.abs(x - x0), Math.abs(y - y0)];
    showLabelFrame(label.frame);
  });
  const release = () => {
    if (!label.drag) return;
    const box = label.drag.box.map((v) => Math.round(v * 10) / 10);
    label.drag = null;
    if (box[2] >= 4 && box[3] >= 4) {
      label.keys.set(label.frame, box);
      trackLabel(false);
    } else {
      showLabelFrame(label.frame);
    }
  };
  canvas.addEventListener('pointerup', release);
  canvas.addEventListener('pointercancel', release);
}

function labelRequest() {
  const plate = $('label-plate').value.trim();
  const request = {
    keys: [...label.keys.entries()].sort((a, b) => a[0] - b[0])
      .map(([frame, box]) => ({ frame, box })),
    frames: Number($('label-frames').value),
    tracker: $('label-tracker').value,
  };
  if (plate) request.plate = plate;
  return request;
}

// Tracks from the person's boxes (or the detector's, without one on frame
// 1); `play`: then plays the video with the track.
async function trackLabel(play) {
  if (!label.video) { status('open a video first'); return; }
  status('tracking...');
  label.busy = true;
  try {
    const track = await postJson(`/api/videos/${label.video.id}/track`, labelRequest());
    label.track = track;
    const lost = track.steps.filter((s) => s.lost).length;
    $('label-track-info').textContent =
      `Tracked in ${track.tracked} of ${plural(track.steps.length, 'frame')}` +
      (lost ? ` (${lost} lost)` : '') +
      (track.detected ? '; frame 1\'s box found by the detector: drag to correct it' : '') +
      (track.enough ? `; a sample takes frames ${track.used.join(', ')}`
                    : `; fewer than the ${track.frames} frames a sample needs: draw a box where it was lost`);
    showCrops(track);
    status('');
    if (play) playLabel(); else await showLabelFrame(label.frame);
  } catch (error) {
    status('tracking failed: ' + error.message);
  } finally {
    label.busy = false;
  }
}

function showCrops(track) {
  const container = $('label-crops');
  container.innerHTML = '';
  const plate = $('label-plate').value.trim();
  if (track.crops.length > 0 && plate.length === track.crops[0].length) {
    const row = document.createElement('div');
    row.className = 'crop-row';
    row.appendChild(document.createElement('span'));
    for (const digit of plate) {
      const cell = document.createElement('b');
      cell.className = 'crop-digit';
      cell.textContent = digit;
      row.appendChild(cell);
    }
    container.appendChild(row);
  }
  track.crops.forEach((digits, f) => {
    const row = document.createElement('div');
    row.className = 'crop-row';
    const name = document.createElement('span');
    name.textContent = `frame ${track.used[f]}`;
    row.appendChild(name);
    digits.forEach((bytes, k) => {
      const canvas = document.createElement('canvas');
      canvas.width = 56; canvas.height = 56;
      canvas.title = plate.length === digits.length ? `digit ${k + 1}: ${plate[k]}` : `digit ${k + 1}`;
      paintPixels(canvas, bytes.map((b) => b / 255), 28, false);
      row.appendChild(canvas);
    });
    container.appendChild(row);
  });
}

function playLabel() {
  if (!label.video) return;
  play('label', label.video.frames, (i) => showLabelFrame(i + 1), null, 150);
}

async function saveLabel() {
  if (!label.video) { status('open a video first'); return; }
  const plate = $('label-plate').value.trim();
  if (!/^[0-9]{1,12}$/.test(plate)) { status('type the plate\'s reading (its digits) first'); return; }
  status('saving...');
  try {
    const saved = await postJson(`/api/videos/${label.video.id}/label`, labelRequest());
    label.saved = saved;
    status('');
    $('label-dataset').textContent =
      `Saved ${plural(saved.samples, 'sample')} of ${plate} (frames ${saved.frames.join(', ')}) ` +
      `as ${saved.part}. The dataset ${saved.dataset.path} holds ` +
      `${plural(saved.dataset.samples, 'sample')} from ${plural(saved.dataset.videos, 'video')}.`;
  } catch (error) {
    status('could not save: ' + error.message);
  }
}

function setupLabel() {
  setupLabelCanvas();
  $('label-open').onclick = () => {
    const name = $('label-video').value;
    openVideo(postJson('/api/videos/open', { name }));
  };
  $('label-upload').onchange = () => {
    const file = $('label-upload').files[0];
    if (!file) return;
    openVideo(api(`/api/videos?name=${encodeURIComponent(file.name)}`, {
      method: 'POST', headers: { 'Content-Type': file.type || 'application/octet-stream' },
      body: file }));
  };
  $('label-frame').oninput = () => showLabelFrame(Number($('label-frame').value));
  $('label-prev').onclick = () => showLabelFrame(Math.max(1, label.frame - 1));
  $('label-next').onclick = () => {
    if (label.video) showLabelFrame(Math.min(label.video.frames, label.frame + 1));
  };
  $('label-unkey').onclick = () => {
    if (label.keys.delete(label.frame)) trackLabel(false);
  };
  $('label-track').onclick = () => trackLabel(true);
  $('label-play').onclick = playLabel;
  $('label-save').onclick = saveLabel;
}

// --- Training ---

// The Training tab: a run's loss and per-step test accuracy per epoch, read
// again every two seconds while the tab is shown (a run still training grows).
const training = { name: null, timer: null, curves: null, polls: 0 };

// Lines of [epoch, value] points on shared axes: x from 1 to the last
// epoch (or the planned ones), y from 0 to the largest value (or [0, 1]).
function lineChart(svg, series, epochs, unitRange) {
  svg.innerHTML = '';
  const w = Number(svg.getAttribute('width')), h = Number(svg.getAttribute('height'));
  const left = 44, bottom = 24, top = 10, right = 110;
  const values = series.flatMap((s) => s.points.map((p) => p[1]));
  const high = unitRange ? 1 : Math.max(1e-9, ...values) * 1.05;
  const x = (e) => left + (epochs > 1 ? (e - 1) / (epochs - 1) : 0.5) * (w - left - right);
  const y = (v) => top + (1 - v / high) * (h - top - bottom);
  for (const f of [0, 0.25, 0.5, 0.75, 1]) {
    const v = f * high;
    svgElement('line', { x1: left, x2: w - right, y1: y(v), y2: y(v), stroke: '#e5e5e5' }, svg);
    svgElement('text', { x: 2, y: y(v) + 4, 'font-size': 10 }, svg).textContent =
      unitRange ? percent(v) : v.toPrecision(2);
  }
  for (const e of [1, Math.round((1 + epochs) / 2), epochs]) {
    svgElement('text', { x: x(e) - 4, y: h - 6, 'font-size': 10 }, svg).textContent = e;
  }
  svgElement('text', { x: w - right + 16, y: h - 6, 'font-size': 10 }, svg).textContent = 'epoch';
  series.forEach((s, i) => {
    if (s.points.length === 0) return;
    const points = s.points.map(([e, v]) => `${x(e)},${y(v)}`).join(' ');
    svgElement('polyline', { points, fill: 'none', stroke: s.colour, 'stroke-width': 2,
                             class: 'series' }, svg);
    const [le, lv] = s.points[s.points.length - 1];
    svgElement('circle', { cx: x(le), cy: y(lv), r: 3, fill: s.colour }, svg);
    svgElement('text', { x: w - right + 6, y: top + 12 + 13 * i, 'font-size': 11, fill: s.colour },
               svg).textContent = s.name;
  });
}

// Step t's colour: from light (step 1) to dark (the last step).
function stepColour(t, steps) {
  const f = steps > 1 ? t / (steps - 1) : 1;
  return `hsl(212, 65%, ${Math.round(78 - 52 * f)}%)`;
}

function drawTraining(curves) {
  const rows = curves.rows;
  const planned = curves.epochs || rows.length || 1;
  const epochs = Math.max(planned, rows.length, 1);
  const pick = (key) => rows.filter((r) => r[key] !== null).map((r) => [r.epoch, r[key]]);
  lineChart($('training-loss'), [
    { name: 'train', colour: '#d97706', points: pick('train_loss') },
    { name: 'test', colour: '#1f5f9f', points: pick('test_loss') },
  ], epochs, false);
  const steps = rows.length > 0 && rows[0].test_accuracy ? rows[0].test_accuracy.length : 0;
  const series = [];
  for (let t = 0; t < steps; ++t) {
    series.push({ name: `step ${t + 1}`, colour: stepColour(t, steps),
                  points: rows.filter((r) => r.test_accuracy && r.test_accuracy[t] !== null)
                    .map((r) => [r.epoch, r.test_accuracy[t]]) });
  }
  lineChart($('training-accuracy'), series, epochs, true);
  const option = [...$('training-run').options].find((o) => o.value === curves.name);
  if (option) option.textContent = `${curves.name} (${curves.status}, ${plural(rows.length, 'epoch')})`;
  const last = rows[rows.length - 1];
  const said = curves.status === 'finished' ? 'finished'
    : curves.status === 'in progress' ? 'in progress (no summary.json yet)' : 'starting';
  $('training-status').textContent =
    `${said}: ${plural(rows.length, 'epoch')}` + (curves.epochs ? ` of ${curves.epochs}` : '') +
    (last && last.test_accuracy ? `; test accuracy at the last step ${percent(last.test_accuracy[steps - 1])}` : '');
}

async function pollTraining() {
  if (!training.name) return;
  try {
    const curves = await api(`/api/training/run?name=${encodeURIComponent(training.name)}`);
    if (curves.name !== training.name) return;  // another run was picked meanwhile
    training.curves = curves;
    training.polls += 1;
    drawTraining(curves);
  } catch (error) {
    status('could not read the run: ' + error.message);
  }
}

async function loadTrainingRuns() {
  const { runs } = await api('/api/training');
  const select = $('training-run');
  const keep = select.value;
  select.innerHTML = '';
  for (const r of runs) {
    const option = document.createElement('option');
    option.value = r.name;
    option.textContent = `${r.name} (${r.status}, ${plural(r.epochs_done, 'epoch')})`;
    select.appendChild(option);
  }
  if (runs.some((r) => r.name === keep)) select.value = keep;
  training.name = select.value || null;
}

// Polls while the Training tab is shown, stops when it is left.
async function startTraining() {
  clearInterval(training.timer);
  try {
    await loadTrainingRuns();
  } catch (error) {
    status('could not list the runs: ' + error.message);
    return;
  }
  await pollTraining();
  training.timer = setInterval(pollTraining, 2000);
}

function stopTraining() { clearInterval(training.timer); training.timer = null; }

function setupTraining() {
  $('training-run').onchange = () => {
    training.name = $('training-run').value;
    training.curves = null;
    pollTraining();
  };
}

// --- Wiring up the page ---

function showTab(name) {
  document.querySelectorAll('nav button').forEach((b) => b.classList.toggle('active', b.dataset.tab === name));
  for (const tab of ['draw', 'frames', 'plate', 'label', 'training']) $('tab-' + tab).hidden = tab !== name;
  if (name === 'training') startTraining(); else stopTraining();
}

function setupTabs() {
  document.querySelectorAll('nav button').forEach((button) => {
    button.onclick = () => showTab(button.dataset.tab);
  });
}

window.addEventListener('load', async () => {
  setupTabs();
  setupCanvas();
  setupLabel();
  setupTraining();
  $('lesion-view').onchange = toggleLesions;
  $('step').oninput = () => { state.step = Number($('step').value); showStep(); };
  $('play').onclick = () => {
    if (!state.trace) { status('draw a digit first'); return; }
    play('network', state.trace.rows.length, (i) => {
      state.step = i + 1;
      $('step').value = state.step;
      showStep();
    });
  };
  $('frames-go').onclick = () => generateFrames();
  $('use-drawing').onclick = () => { state.framesFrom = 'drawing'; generateFrames(); };
  // Picking a test digit makes the Frames tab read test digits again.
  const pickTest = () => { state.framesFrom = 'test'; showClassRange(); generateFrames(); };
  $('digit-class').onchange = pickTest;
  $('digit-nth').onchange = pickTest;
  $('random-digit').onclick = () => {
    const n = state.info.test_classes[Number($('digit-class').value)] || 1;
    $('digit-nth').value = Math.floor(Math.random() * n);
    pickTest();
  };
  $('frames-play').onclick = () => {
    if (state.frames) play('frames', state.frames.rows.length, showFrameRow);
  };
  $('plate-go').onclick = generatePlate;
  $('plate-play').onclick = () => {
    if (state.plate) play('plate', state.plate.rows.length, showPlateRow);
  };
  let reading = true;
  try {
    reading = await loadRuns();
  } catch (error) {
    status('could not load the runs: ' + error.message);
  }
  await loadVideos();
  if (!reading) showTab($('label-on').hidden ? 'training' : 'label');
  state.opened = true;  // the showcase is read (tests wait for this)
});
