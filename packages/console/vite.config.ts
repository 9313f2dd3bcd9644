import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// Built files only: the gateway serves dist/ at `/` under a strict CSP (no inline script, nothing remote).
export default defineConfig({
  plugins: [react()],
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
});
