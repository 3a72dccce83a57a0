// The boot script, built on its own into one self-contained file (static/ui/boot.js) that the
// webserver inlines in the app's page under the page's CSP nonce: the page's first query leaves as
// soon as the HTML is parsed, before any of the app's scripts has arrived. Run after the app's
// build (which empties the folder).
import { defineConfig } from "vite";
import { pureDocuments } from "./vite.pure-documents";

export default defineConfig({
  plugins: [pureDocuments()],
  build: {
    outDir: "../berth_webserver/static/ui",
    emptyOutDir: false,
    copyPublicDir: false,
    target: "es2022",
    lib: { entry: "src/boot.ts", formats: ["iife"], name: "berthBoot", fileName: () => "boot.js" },
  },
});
