/**
 * A GPUDevice wrapper that counts the buffers and textures created through it and not yet
 * destroyed: hand it to Engine.create({ device }) and every GPU allocation the engine and the
 * generator make (pool buffers, uniform arena, staging, textures) is accounted for.
 */
export interface TrackedDevice {
  device: GPUDevice;
  liveBuffers(): number;
  liveBufferBytes(): number;
  liveTextures(): number;
  /** Buffers created so far (destroyed ones included). */
  createdBuffers(): number;
}

export function trackDevice(device: GPUDevice): TrackedDevice {
  const buffers = new Set<GPUBuffer>();
  const textures = new Set<GPUTexture>();
  let created = 0;
  const track = <R extends GPUBuffer | GPUTexture>(resource: R, live: Set<R>): R => {
    live.add(resource);
    const destroy = resource.destroy.bind(resource);
    resource.destroy = () => {
      live.delete(resource);
      destroy();
    };
    return resource;
  };
  const wrapped = new Proxy(device, {
    get(target, prop) {
      if (prop === 'createBuffer') {
        return (descriptor: GPUBufferDescriptor) => {
          created++;
          return track(target.createBuffer(descriptor), buffers);
        };
      }
      if (prop === 'createTexture') return (descriptor: GPUTextureDescriptor) => track(target.createTexture(descriptor), textures);
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return {
    device: wrapped,
    liveBuffers: () => buffers.size,
    liveBufferBytes: () => [...buffers].reduce((n, b) => n + b.size, 0),
    liveTextures: () => textures.size,
    createdBuffers: () => created,
  };
}
