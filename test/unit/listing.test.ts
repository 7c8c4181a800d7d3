// The Marketplace and Open VSX pages are the README and the files of the .vsix. vsce rewrites the README's
// relative links to the repository (pages read the screenshots from GitHub; the package carries them too), refuses SVG
// images, and packages what .vscodeignore lets through: these checks catch a broken or oversized picture, a
// link to a file that is not there, and source or tests slipping into the package.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = join(__dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const SCREENSHOTS = 'media/screenshots';
const MAX = { width: 1280, height: 800, bytes: 250 * 1024 };

const images = [...readme.matchAll(/!\[([^\]]*)\]\(([^)\s]+)\)/g)].map((m) => ({ alt: m[1], target: m[2] }));
const links = [...readme.matchAll(/(?<!!)\[[^\]]+\]\(([^)\s]+)\)/g)].map((m) => m[1]);

/** Width and height from a PNG's IHDR chunk (bytes 16-23), or undefined when the file is not a PNG. */
function pngSize(file: string): { width: number; height: number } | undefined {
  const head = readFileSync(file).subarray(0, 24);
  if (head.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a' || head.subarray(12, 16).toString('latin1') !== 'IHDR') return undefined;
  return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
}

describe('the listing: README pictures, links and the packaged files', () => {
  it('every README image is a committed PNG under media/screenshots, small, with a description', () => {
    assert.ok(images.length >= 5, `only ${images.length} images in the README`);
    for (const { alt, target } of images) {
      assert.ok(
        target.startsWith(`${SCREENSHOTS}/`),
        `${target}: pictures live in ${SCREENSHOTS}/ (relative, so vsce points them at the repository)`,
      );
      const file = join(root, target);
      assert.ok(existsSync(file), `${target} does not exist: run bash scripts/screenshots.sh`);
      const size = pngSize(file);
      assert.ok(size, `${target} is not a PNG (vsce refuses SVG images in a README)`);
      assert.ok(size.width <= MAX.width && size.height <= MAX.height, `${target} is ${size.width}×${size.height}`);
      assert.ok(statSync(file).size <= MAX.bytes, `${target} is ${statSync(file).size} bytes`);
      assert.ok(alt.trim().length > 10, `${target} needs alt text that says what it shows`);
    }
  });

  it('every screenshot is shown in the README (none left stale)', () => {
    const shown = new Set(images.map((i) => i.target));
    const unused = readdirSync(join(root, SCREENSHOTS)).filter((name) => !shown.has(`${SCREENSHOTS}/${name}`));
    assert.deepEqual(unused, []);
  });

  it('relative links lead to files of the repository; the developers are sent to CONTRIBUTING.md and the test command', () => {
    for (const target of links.filter((l) => !/^(https?:|mailto:|#)/.test(l))) {
      assert.ok(existsSync(join(root, target.split('#')[0])), `README links to ${target}, which does not exist`);
    }
    assert.ok(links.includes('CONTRIBUTING.md'), 'README links CONTRIBUTING.md');
    // CI and people run the one test command the README names.
    assert.match(readme, /`bash scripts\/test\.sh`/);
  });

  it('the .vsix holds only the bundles, the manifest, the docs and the media the manifest uses', () => {
    const listed = execFileSync(process.execPath, [join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'ls', '--no-dependencies'], {
      cwd: root,
      encoding: 'utf8',
    })
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    const allowed =
      /^(dist\/[\w]+\.js|dist\/cmdop_terminal\.proto|package\.json|package\.nls\.json|l10n\/bundle\.l10n\.json|README\.md|CHANGELOG\.md|LICENSE|media\/icon\.png|media\/cmdop\.svg|media\/walkthrough\/[\w-]+\.md|media\/screenshots\/[\w-]+\.png)$/;
    assert.deepEqual(
      listed.filter((file) => !allowed.test(file)),
      [],
      'unexpected files in the package',
    );
    for (const needed of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'media/icon.png'])
      assert.ok(listed.includes(needed), `${needed} is not packaged`);
    // The screenshots travel in the package too, so the page is whole even where GitHub cannot be reached.
    for (const [, picture] of readFileSync(join(root, 'README.md'), 'utf8').matchAll(/\]\((media\/screenshots\/[\w-]+\.png)\)/g))
      assert.ok(listed.includes(picture), `${picture} is shown by the README but not packaged`);
    const manifest = readFileSync(join(root, 'package.json'), 'utf8');
    for (const [, media] of manifest.matchAll(/"(media\/[^"]+)"/g))
      assert.ok(listed.includes(media), `${media} is used by package.json but not packaged`);
  });
});
