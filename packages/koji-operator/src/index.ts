// The package's public entry: the image contract, for tools that build or check koji images.
export * from './images/index.js';
