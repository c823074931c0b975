/**
 * `ba-webgpu/eval`: measuring samples (a feature classifier, Fréchet distance) and reporting
 * them (PNG images and grids, line plots, Markdown tables). Runs in Node and browsers.
 */
/// <reference types="@webgpu/types" preserve="true" />
export { ImageClassifier, type Classification, type ClassifierDescription } from './classifier.js';
export { fitGaussian, frechetDistance, featureFrechetDistance, type GaussianFit } from './frechet.js';
export { encodePng, imageGridPng, rgbaGridPng, type ImageGridOptions, type PngChannels } from './png.js';
export { renderLinePlotPng, renderLinePlotSvg, type LinePlot, type PlotPoint, type PlotSeries, type ReferenceLine } from './plot.js';
export { markdownTable, metricTable, type Alignment, type MetricRow, type MetricTableOptions } from './report.js';
export { EvalInputError } from './errors.js';
