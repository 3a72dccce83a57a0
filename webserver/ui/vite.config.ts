/// <reference types="vitest/config" />
// Three entries: the boot script (the first query, started before React loads), the app (every page
// at /, /runs, ...) and GraphiQL (only /graphql loads it). The
// webserver writes each page's HTML itself from the manifest, with its CSP nonce and root path, so
// the build emits no HTML; assets load relative to their own URL (base "./").
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

export default defineConfig({
  plugins: [react()],
  base: "./",
  build: {
    outDir: "../berth_webserver/static/ui",
    emptyOutDir: true,
    manifest: "manifest.json",
    target: "es2022",
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      input: { boot: "src/boot.ts", app: "src/main.tsx", graphiql: "src/graphiql/main.tsx" },
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
  },
});
