// The nnn serve page: plain JavaScript, no library, talks to /api only.
'use strict';

const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const state = { run: 0, info: null, trace: null, step: 1, timers: {}, drawn: null };

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
  runs.forEach((r) => {
    const option = document.createElement('option');
    option.value = r.index;
    option.textContent = `${r.index}: ${r.name} (${plural(r.cells, 'cell')}, ${r.parameters} parameters)`;
    select.appendChild(option);
  });
  select.onchange = () => loadRun(Number(select.value));
  await loadRun(0);
}

async function loadRun(index) {
  state.run = index;
  state.info = await api(`/api/runs/${index}`);
  const info = state.info;
  const accuracy = info.test_accuracy;
  const last = Array.isArray(accuracy) && accuracy.length ? percent(accuracy[accuracy.length - 1]) : 'n/a';
  const perStep = Array.isArray(accuracy) ? accuracy.map(percent).join(' · ') : 'no summary.json';
  $('run-info').innerHTML = '';
  $('run-info').append(
    `${info.name}: ${plural(info.wiring.cells, 'cell')}, ${plural(info.wiring.edges.length, 'edge')}, ` +
    `${info.parameters} parameters, ${info.steps} steps (d = ${info.distance}), feed ${info.feed}; ` +
    `test accuracy ${last} (per step: ${perStep})`);
  for (const id of ['frames-count', 'plate-count']) {
    $(id).max = info.max_frames;
    $(id).value = info.default_frames;
  }
  $('digit-index').max = Math.max(0, info.test_digits - 1);
  $('frames-note').textContent = info.test_digits ? (info.degraded ? '' :
    'This run was trained without degradation: its frames are clean copies.') :
    (info.test_digits_error || 'No test digits.');
  state.trace = null;
  drawNetwork();
  if (state.drawn) await readDrawing();
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
  try {
    const result = await api(`/api/runs/${state.run}/trace`, {
      method: 'POST', headers: { 'Content-Type': 'image/x-portable-graymap' }, body: state.drawn });
    status('');
    state.trace = result;
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
    status('reading the drawing failed: ' + error.message);
  }
}

function showStep() {
  const result = state.trace;
  if (!result) return;
  const i = state.step - 1;
  $('step-label').textContent = result.rows[i].label;
  renderBars($('bars'), result.rows, i);
  renderCurve($('curve'), result.confidence, i);
  drawNetwork();
}

// --- The network ---

function drawNetwork() {
  const svg = $('network');
  svg.innerHTML = '';
  const info = state.info;
  if (!info) return;
  const w = Number(svg.getAttribute('width')), h = Number(svg.getAttribute('height'));
  const margin = 40;
  const place = info.wiring.places.map((p) => [margin + p.x * (w - 2 * margin), margin + p.y * (h - 2 * margin)]);
  const trace = state.trace;
  const t = state.step - 1;
  let maxEdge = 0, maxCell = 0;
  if (trace) {
    trace.edge_norms.forEach((row) => row.forEach((v) => { maxEdge = Math.max(maxEdge, v); }));
    trace.cell_norms.forEach((row) => row.forEach((v) => { maxCell = Math.max(maxCell, v); }));
  }
  const defs = svgElement('defs', {}, svg);
  const marker = svgElement('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5,
                                        markerWidth: 5, markerHeight: 5, orient: 'auto-start-reverse' }, defs);
  svgElement('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#888' }, marker);
  const radius = 15;
  info.wiring.edges.forEach((edge, e) => {
    const strength = trace && maxEdge > 0 ? trace.edge_norms[t][e] / maxEdge : 0.15;
    const width = 0.8 + 7 * strength;
    const colour = `rgba(31, 95, 159, ${0.25 + 0.75 * strength})`;
    const [x1, y1] = place[edge.from], [x2, y2] = place[edge.to];
    let path;
    if (edge.from === edge.to) {
      path = `M ${x1 - 8} ${y1 - radius + 2} C ${x1 - 30} ${y1 - 55}, ${x1 + 30} ${y1 - 55}, ${x1 + 8} ${y1 - radius + 2}`;
    } else {
      const dx = x2 - x1, dy = y2 - y1, length = Math.hypot(dx, dy) || 1;
      const ux = dx / length, uy = dy / length;
      const bend = 18;  // both directions of a pair stay apart
      const mx = (x1 + x2) / 2 - uy * bend, my = (y1 + y2) / 2 + ux * bend;
      path = `M ${x1 + ux * radius} ${y1 + uy * radius} Q ${mx} ${my} ${x2 - ux * radius} ${y2 - uy * radius}`;
    }
    const line = svgElement('path', { d: path, fill: 'none', stroke: colour, 'stroke-width': width,
                                      'marker-end': 'url(#arrow)', class: 'edge' }, svg);
    const title = svgElement('title', {}, line);
    title.textContent = `${edge.from} → ${edge.to}: ${edge.channels} channels` +
      (trace ? `, norm ${trace.edge_norms[t][e].toFixed(3)} at step ${t + 1}` : '');
  });
  place.forEach(([x, y], c) => {
    const input = info.wiring.inputs.includes(c), output = c === info.wiring.output;
    const activity = trace && maxCell > 0 ? trace.cell_norms[t][c] / maxCell : 0;
    const shade = Math.round(255 - 150 * activity);
    svgElement('circle', { cx: x, cy: y, r: radius, class: 'cell',
                           fill: `rgb(${shade}, ${shade}, 255)`,
                           stroke: output ? '#d97706' : input ? '#17803d' : '#555',
                           'stroke-width': input || output ? 3 : 1.5 }, svg);
    svgElement('text', { x, y }, svg).textContent = c;
  });
  svgElement('text', { x: 60, y: h - 10 }, svg).textContent = 'green: input cells';
  svgElement('text', { x: 170, y: h - 10 }, svg).textContent = 'orange: output cell';
}

function play(name, count, show, done) {
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
  }, 600);
}

// --- Frames ---

async function generateFrames(useDrawing) {
  const request = { frames: Number($('frames-count').value), seed: Number($('frames-seed').value) };
  if (useDrawing) {
    if (!state.trace) { status('draw a digit first (Draw tab)'); return; }
    request.pixels = state.trace.input[0];
  } else {
    request.index = Number($('digit-index').value);
  }
  try {
    state.frames = await postJson(`/api/runs/${state.run}/frames`, request);
    status('');
  } catch (error) {
    status('frames failed: ' + error.message);
    return;
  }
  const result = state.frames;
  paintPixels($('frames-clean'), result.clean, 28, false);
  const strip = $('frames-strip');
  strip.innerHTML = '';
  result.frame_pixels.forEach((pixels) => {
    const canvas = document.createElement('canvas');
    canvas.width = 84; canvas.height = 84;
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

// --- Wiring up the page ---

function setupTabs() {
  document.querySelectorAll('nav button').forEach((button) => {
    button.onclick = () => {
      document.querySelectorAll('nav button').forEach((b) => b.classList.toggle('active', b === button));
      for (const tab of ['draw', 'frames', 'plate']) $('tab-' + tab).hidden = tab !== button.dataset.tab;
    };
  });
}

window.addEventListener('load', async () => {
  setupTabs();
  setupCanvas();
  $('step').oninput = () => { state.step = Number($('step').value); showStep(); };
  $('play').onclick = () => {
    if (!state.trace) { status('draw a digit first'); return; }
    play('network', state.trace.rows.length, (i) => {
      state.step = i + 1;
      $('step').value = state.step;
      showStep();
    });
  };
  $('frames-go').onclick = () => generateFrames(false);
  $('use-drawing').onclick = () => generateFrames(true);
  $('random-digit').onclick = () => {
    $('digit-index').value = Math.floor(Math.random() * Math.max(1, state.info.test_digits));
    generateFrames(false);
  };
  $('frames-play').onclick = () => {
    if (state.frames) play('frames', state.frames.rows.length, showFrameRow);
  };
  $('plate-go').onclick = generatePlate;
  $('plate-play').onclick = () => {
    if (state.plate) play('plate', state.plate.rows.length, showPlateRow);
  };
  try {
    await loadRuns();
  } catch (error) {
    status('could not load the runs: ' + error.message);
  }
});
