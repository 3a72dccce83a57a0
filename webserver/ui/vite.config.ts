/// <reference types="vitest/config" />
// Two entries: the app (every page at /, /runs, ...) and GraphiQL (only /graphql loads it); the boot
// script is a build of its own (vite.boot.config.ts). The
// webserver writes each page's HTML itself from the manifest, with its CSP nonce and root path, so
// the build emits no HTML; assets load relative to their own URL (base "./").
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { pureDocuments } from "./vite.pure-documents";

export default defineConfig({
  plugins: [react(), pureDocuments()],
  base: "./",
  build: {
    outDir: "../berth_webserver/static/ui",
    emptyOutDir: true,
    manifest: "manifest.json",
    target: "es2022",
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      input: { app: "src/main.tsx", graphiql: "src/graphiql/main.tsx" },
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
  },
});
