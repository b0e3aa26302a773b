// Builds the site's bundled browser code from the npm lockfile's packages into static/dist/.
// The output is committed, so running and testing the site needs no Node; tests rebuild it
// into a scratch directory and compare, so the committed files are what these sources build.
//
//   node assets/build.mjs [output directory, default static/dist]
import { build } from "esbuild";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = process.argv[2] ? process.argv[2] : join(root, "static", "dist");

async function sprite() {
  // One SVG sprite of the icons in use: one request, no inline style, currentColor strokes.
  const { icons } = JSON.parse(await readFile(join(root, "assets", "icons.json"), "utf8"));
  const names = Object.keys(icons).sort();
  const symbols = [];
  const strokes = 'fill="none" stroke="currentColor" stroke-width="2" ' +
    'stroke-linecap="round" stroke-linejoin="round"';
  for (const name of names) {
    const file = join(root, "node_modules", "lucide-static", "icons", `${icons[name]}.svg`);
    const svg = await readFile(file, "utf8");
    const body = svg.replace(/<!--[\s\S]*?-->/g, "").replace(/^[\s\S]*?<svg[^>]*>/, "")
      .replace(/<\/svg>\s*$/, "").split("\n").map((line) => line.trim()).filter(Boolean).join("");
    // Presentation attributes sit on a group inside each symbol: a <use> clone inherits
    // from the page, not from the sprite's root element.
    symbols.push(`<symbol id="${name}" viewBox="0 0 24 24"><g ${strokes}>${body}</g></symbol>`);
  }
  const head = '<svg xmlns="http://www.w3.org/2000/svg">';
  const license = "<!-- Icons: lucide-static (ISC licence), https://lucide.dev -->";
  return `${license}\n${head}\n${symbols.join("\n")}\n</svg>\n`;
}

await mkdir(out, { recursive: true });
for (const name of ["charts.js", "feedback.js"]) {
  await build({
    entryPoints: [join(root, "assets", "js", name)],
    bundle: true,
    minify: true,
    format: "esm",
    target: ["es2020"],
    legalComments: "eof",
    outfile: join(out, name),
    logLevel: "warning",
  });
}
await writeFile(join(out, "icons.svg"), await sprite());
