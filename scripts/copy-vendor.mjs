// Copies the front-end libraries from node_modules into the (git-ignored) static vendor folder.
// Run by `npm install` (postinstall); run it again by hand with `node scripts/copy-vendor.mjs`.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const target = join(root, "src", "kassenwart", "web", "static", "vendor");
const files = [
  ["htmx.org", "dist", "htmx.min.js"],
  ["chart.js", "dist", "chart.umd.min.js"],
];

mkdirSync(target, { recursive: true });
for (const [pkg, ...path] of files) {
  const source = join(root, "node_modules", pkg, ...path);
  copyFileSync(source, join(target, path.at(-1)));
  console.log(`copied ${pkg}/${path.join("/")} -> src/kassenwart/web/static/vendor/`);
}
