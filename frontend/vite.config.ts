import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [sveltekit()],
  // The platform package is TypeScript source: vite compiles it into the server bundle.
  // Its own dependencies (pino, prom-client, typebox, ajv) stay external node_modules imports.
  ssr: { noExternal: ['@marketshare/platform', 'ajv', 'ajv-formats'] },
  server: { host: '127.0.0.1' },
});
