// The Marketplace and the Settings UI read package.json: every %key% must resolve in package.nls.json (a
// missing one shows the raw key to users), no entry may be left unused, every setting reads as Markdown, and the
// settings that decide where credentials go can only be set by the user, never by a workspace.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = join(__dirname, '..', '..');
const manifestText = readFileSync(join(root, 'package.json'), 'utf8');
const manifest = JSON.parse(manifestText) as {
  contributes: { configuration: { properties: Record<string, Record<string, unknown>> } };
};
const nls = JSON.parse(readFileSync(join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;
const referenced = [...manifestText.matchAll(/"%([^"%]+)%"/g)].map((m) => m[1]);

describe('package.json for the Marketplace and the Settings UI', () => {
  it('every %key% has a text in package.nls.json', () => {
    const missing = referenced.filter((key) => typeof nls[key] !== 'string' || !nls[key].trim());
    assert.deepEqual(missing, []);
    assert.ok(referenced.length > 40, `only ${referenced.length} localised texts`);
  });

  it('package.nls.json has no unused keys', () => {
    const used = new Set(referenced);
    assert.deepEqual(
      Object.keys(nls).filter((key) => !used.has(key)),
      [],
    );
  });

  it('every setting has a Markdown description and an order; enums describe each value', () => {
    for (const [name, setting] of Object.entries(manifest.contributes.configuration.properties)) {
      assert.ok(typeof setting.markdownDescription === 'string', `${name} has no markdownDescription`);
      assert.equal(setting.description, undefined, `${name}: description beside markdownDescription`);
      assert.equal(typeof setting.order, 'number', `${name} has no order`);
      if (Array.isArray(setting.enum)) {
        const described = (setting.markdownEnumDescriptions ?? setting.enumDescriptions) as unknown[] | undefined;
        assert.equal(described?.length, setting.enum.length, `${name}: every value needs a description`);
      }
    }
  });

  it('the settings that decide where credentials go are application-scoped', () => {
    const { properties } = manifest.contributes.configuration;
    for (const name of ['cmdop.mode', 'cmdop.endpoints']) assert.equal(properties[name]?.scope, 'application', name);
  });
});
