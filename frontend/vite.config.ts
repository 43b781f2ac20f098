import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig(({ command }) => ({
  plugins: [sveltekit()],
  ssr: {
    // The platform package is TypeScript source: vite compiles it into the server bundle. The
    // build also bundles ajv: platform's ajv 8 sits in platform/node_modules, and from
    // frontend/build a bare `ajv` would find the root's (eslint's ajv 6). The dev server must not
    // inline ajv (CommonJS, which its module runner cannot evaluate inline); there the import
    // resolves from platform/src to platform's own copy.
    noExternal:
      command === 'build' ? ['@marketshare/platform', 'ajv', 'ajv-formats'] : ['@marketshare/platform'],
  },
  server: { host: '127.0.0.1' },
}));
