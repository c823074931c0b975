/**
 * The demo page: this page owns a GPUDevice and a canvas, like any WebGPU app; the engine runs
 * as a guest on that device. A generated image lands in an RGBA texture (decodeToTexture), and
 * the page draws it with its own render pass. Uses only the package's public entry point.
 *
 * URL parameters (optional): sit=, sidenet=, vae= weight URLs (default: the shipped
 * Fashion-MNIST model under /models/, a pixel-space SiT that needs no VAE).
 * State for scripts and tests: window.demo = { state, error, lastRun }.
 *
 * The page draws every animation frame, as a game or an editor would, while the engine
 * generates on the same GPU queue: with a frame budget (the form's "Frame budget", in ms) each
 * sampling step is split into submits of about that much GPU work, and the page's frames keep
 * coming. lastRun records the gaps between the page's frames during the run.
 */
import { Engine, ImageGenerator, type ModelSources, type SolverName } from '../src/index.js';

const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const SHIPPED: ModelSources = { sit: '/models/fashion-sit.safetensors', sidenet: '/models/fashion-sidenet.safetensors' };
/** The canvas shows the image enlarged by an integer factor to about this many pixels. */
const CANVAS_TARGET = 320;

interface RunReport {
  label: number;
  solver: SolverName;
  nfe: number;
  guidance: number;
  seed: number;
  backboneCalls: number;
  /** From the click until the image is in the texture (GPU work finished). */
  totalMs: number;
  msPerNfe: number;
  /** GPU time of the sampling steps per backbone call (onStep's gpuMs). */
  gpuMsPerNfe: number;
  /** 0: each step is one submit. */
  frameBudgetMs: number;
  /** Milliseconds between the page's animation frames while the run was in flight. */
  frameGaps: number[];
  /** The longest single dispatch the engine measured (frame-budgeted runs), if any. */
  longestDispatchMs?: number;
  width: number;
  height: number;
}

interface DemoState {
  state: 'starting' | 'loading' | 'ready' | 'generating' | 'error';
  error?: string;
  lastRun?: RunReport;
  runs: number;
}

declare global {
  interface Window {
    demo: DemoState;
  }
}

const demo: DemoState = (window.demo = { state: 'starting', runs: 0 });
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>('controls');
const labelSelect = $<HTMLSelectElement>('label');
const solverSelect = $<HTMLSelectElement>('solver');
const nfeInput = $<HTMLInputElement>('nfe');
const guidanceInput = $<HTMLInputElement>('guidance');
const seedInput = $<HTMLInputElement>('seed');
const budgetInput = $<HTMLInputElement>('budget');
const generateButton = $<HTMLButtonElement>('generate');
const cancelButton = $<HTMLButtonElement>('cancel');
const loadButton = $<HTMLButtonElement>('load-files');
const canvas = $<HTMLCanvasElement>('canvas');
const statusLine = $('status');
const latencyLine = $('latency');

function setStatus(text: string, isError = false) {
  statusLine.textContent = text;
  statusLine.classList.toggle('error', isError);
}

function fail(err: unknown) {
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  demo.state = 'error';
  demo.error = message;
  setStatus(message, true);
  console.error(err instanceof Error ? err.stack : err);
}

/** The app's own drawing: a full-canvas triangle that shows a texture's texels enlarged, unfiltered. */
class TexturePresenter {
  private readonly context: GPUCanvasContext;
  private readonly format = navigator.gpu.getPreferredCanvasFormat();
  private readonly pipeline: GPURenderPipeline;
  private readonly uniforms: GPUBuffer;

  constructor(private readonly device: GPUDevice, canvas: HTMLCanvasElement) {
    this.context = canvas.getContext('webgpu')!;
    this.context.configure({ device, format: this.format, alphaMode: 'opaque' });
    const module = device.createShaderModule({
      code: /* wgsl */ `
        @group(0) @binding(0) var image: texture_2d<f32>;
        @group(0) @binding(1) var<uniform> canvasSize: vec2<f32>;
        @vertex fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4<f32> {
          let xy = vec2<f32>(f32((i << 1u) & 2u), f32(i & 2u));
          return vec4<f32>(xy * 2.0 - 1.0, 0.0, 1.0);
        }
        @fragment fn fs(@builtin(position) p: vec4<f32>) -> @location(0) vec4<f32> {
          let size = vec2<f32>(textureDimensions(image));
          return textureLoad(image, vec2<i32>(floor(p.xy * size / canvasSize)), 0);
        }`,
    });
    this.pipeline = device.createRenderPipeline({
      layout: 'auto',
      vertex: { module, entryPoint: 'vs' },
      fragment: { module, entryPoint: 'fs', targets: [{ format: this.format }] },
    });
    this.uniforms = device.createBuffer({ size: 8, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  }

  /** One frame: the image, or black before there is one. */
  draw(texture: GPUTexture | undefined) {
    if (!texture) {
      const encoder = this.device.createCommandEncoder();
      encoder.beginRenderPass({ colorAttachments: [{ view: this.context.getCurrentTexture().createView(), loadOp: 'clear', storeOp: 'store', clearValue: [0, 0, 0, 1] }] }).end();
      this.device.queue.submit([encoder.finish()]);
      return;
    }
    const scale = Math.max(1, Math.floor(CANVAS_TARGET / Math.max(texture.width, texture.height)));
    if (canvas.width !== texture.width * scale || canvas.height !== texture.height * scale) {
      canvas.width = texture.width * scale;
      canvas.height = texture.height * scale;
      canvas.style.width = `${canvas.width}px`;
      canvas.style.height = `${canvas.height}px`;
    }
    this.device.queue.writeBuffer(this.uniforms, 0, new Float32Array([canvas.width, canvas.height]));
    const bindGroup = this.device.createBindGroup({
      layout: this.pipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: texture.createView() }, { binding: 1, resource: { buffer: this.uniforms } }],
    });
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginRenderPass({
      colorAttachments: [{ view: this.context.getCurrentTexture().createView(), loadOp: 'clear', storeOp: 'store', clearValue: [0, 0, 0, 1] }],
    });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.draw(3);
    pass.end();
    this.device.queue.submit([encoder.finish()]);
  }
}

async function appDevice(): Promise<GPUDevice> {
  if (!navigator.gpu) throw new Error('this browser has no WebGPU (navigator.gpu is missing)');
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('navigator.gpu.requestAdapter() returned no adapter');
  // What the engine benefits from: half precision where offered, the adapter's buffer limits.
  return adapter.requestDevice({
    requiredFeatures: (['shader-f16', 'timestamp-query'] as const).filter((f) => adapter.features.has(f)),
    requiredLimits: { maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize, maxBufferSize: adapter.limits.maxBufferSize },
  });
}

const device = await appDevice().catch((err) => {
  fail(err);
  throw err;
});
const presenter = new TexturePresenter(device, canvas);
const engine = await Engine.create({ device });
let generator: ImageGenerator | undefined;
let texture: GPUTexture | undefined;
let running: AbortController | undefined;
/** Frame gaps are collected into this while a run is in flight. */
let frameGaps: number[] | undefined;
let lastFrame = performance.now();

function frame(now: number) {
  frameGaps?.push(now - lastFrame);
  lastFrame = now;
  presenter.draw(texture);
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

function fillClasses(classes: number, fashion: boolean) {
  const names = Array.from({ length: classes }, (_, i) => (fashion && classes === FASHION_CLASSES.length ? FASHION_CLASSES[i] : `class ${i}`));
  labelSelect.replaceChildren(...names.map((name, i) => new Option(name, String(i))), new Option('unconditional', String(classes)));
}

async function loadModels(sources: ModelSources, what: string, fashion: boolean) {
  demo.state = 'loading';
  generateButton.disabled = loadButton.disabled = true;
  try {
    const loaded = await ImageGenerator.load(engine, sources, {
      onProgress: (p) => setStatus(`Loading ${what}: ${p.model} ${((100 * p.loadedBytes) / p.totalBytes).toFixed(0)} %`),
    });
    if (loaded.decoder === 'none') {
      loaded.dispose();
      throw new Error(`${what} samples VAE latents (it has no pixel codec): choose its VAE file too`);
    }
    generator?.dispose();
    texture = undefined; // it belonged to the old generator
    generator = loaded;
    fillClasses(generator.classes, fashion);
    const { width, height } = generator.imageSize;
    setStatus(`Ready: ${what} (${width}×${height} images, ${generator.sidenet ? 'with' : 'no'} SideNet, ${generator.decoder === 'vae' ? 'VAE' : 'pixel'} decoder).`);
    if (!generator.sidenet) solverSelect.value = 'euler';
    demo.state = 'ready';
  } catch (err) {
    fail(err);
  } finally {
    generateButton.disabled = !generator;
    loadButton.disabled = false;
  }
}

async function generate() {
  if (!generator || running) return;
  const request = {
    label: Number(labelSelect.value),
    solver: solverSelect.value as SolverName,
    nfe: Math.round(Number(nfeInput.value)),
    guidance: Number(guidanceInput.value),
    seed: Math.round(Number(seedInput.value)),
    frameBudgetMs: Math.max(0, Number(budgetInput.value) || 0),
  };
  running = new AbortController();
  demo.state = 'generating';
  generateButton.disabled = true;
  cancelButton.disabled = false;
  const start = performance.now();
  let backboneCalls = 0;
  let gpuMs = 0;
  const gaps: number[] = (frameGaps = []);
  try {
    const latent = await generator.generate({
      labels: [request.label], solver: request.solver, nfe: request.nfe, guidance: request.guidance, seed: request.seed,
      frameBudgetMs: request.frameBudgetMs || undefined,
      signal: running.signal,
      // Called once the GPU has finished each step, with its GPU time.
      onStep: (s) => {
        backboneCalls = s.backboneCalls;
        gpuMs += s.gpuMs;
        setStatus(`Step ${s.step} of ${s.of}: ${s.gpuMs.toFixed(1)} ms on the GPU${s.submits > 1 ? ` in ${s.submits} submits` : ''}…`);
      },
    });
    try {
      // The first image makes a texture; later ones are written into it (the caller-texture path).
      texture = await generator.decodeToTexture(latent, texture ? { texture } : {});
    } finally {
      latent.dispose();
    }
    // Latency up to the image being in the texture; the next frame draws it.
    await device.queue.onSubmittedWorkDone();
    const totalMs = performance.now() - start;
    frameGaps = undefined;
    const longestGap = Math.max(0, ...gaps);
    demo.lastRun = {
      ...request, backboneCalls, totalMs, msPerNfe: totalMs / backboneCalls, gpuMsPerNfe: gpuMs / backboneCalls,
      frameGaps: gaps, longestDispatchMs: engine.longestDispatchMs, width: texture.width, height: texture.height,
    };
    demo.runs++;
    setStatus(`Done: ${request.solver}, ${backboneCalls} backbone calls, seed ${request.seed}.`);
    latencyLine.textContent = `${(gpuMs / backboneCalls).toFixed(1)} ms of GPU time per NFE, ${totalMs.toFixed(0)} ms in total; ` +
      `longest frame gap ${longestGap.toFixed(0)} ms (${request.frameBudgetMs ? `frame budget ${request.frameBudgetMs} ms` : 'no frame budget'})`;
    demo.state = 'ready';
  } catch (err) {
    if (err instanceof Error && err.name === 'AbortError') {
      setStatus('Cancelled.');
      demo.state = 'ready';
    } else fail(err);
  } finally {
    frameGaps = undefined;
    running = undefined;
    generateButton.disabled = false;
    cancelButton.disabled = true;
  }
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  void generate();
});
cancelButton.addEventListener('click', () => running?.abort());
$('random-seed').addEventListener('click', () => {
  seedInput.value = String(Math.floor(Math.random() * 2 ** 31));
});
loadButton.addEventListener('click', () => {
  const file = (id: string) => $<HTMLInputElement>(id).files?.[0];
  const sit = file('sit-file');
  if (!sit) return setStatus('Choose a SiT file first (the SideNet and the VAE are optional).', true);
  // Files are Blobs: the loader reads them as streams, one tensor at a time.
  void loadModels({ sit, sidenet: file('sidenet-file'), vae: file('vae-file') }, sit.name, false);
});

const params = new URLSearchParams(location.search);
const custom = params.get('sit');
await loadModels(
  custom ? { sit: custom, sidenet: params.get('sidenet') ?? undefined, vae: params.get('vae') ?? undefined } : SHIPPED,
  custom ? custom.split('/').pop()! : 'the Fashion-MNIST model',
  !custom,
);
