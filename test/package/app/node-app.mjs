// The Node app: renders with the shipped model (found through the package's exports), writes a
// PNG with ba-webgpu/eval and prints the pixels for the test to compare.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodePng } from 'ba-webgpu/eval';
import { render } from './render.js';

const model = (file) => fileURLToPath(import.meta.resolve(`ba-webgpu/models/${file}`));
const request = JSON.parse(process.argv[2]);
const { pixels, width, height } = await render({ sit: model('fashion-sit.safetensors'), sidenet: model('fashion-sidenet.safetensors') }, request);
writeFileSync('image.png', encodePng(width, height, 4, pixels));
console.log(JSON.stringify({ width, height, pixels: Buffer.from(pixels).toString('base64') }));
