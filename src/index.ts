export { Engine } from './gpu/engine.js';
