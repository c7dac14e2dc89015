// chrome.i18n.getMessage over the extension's locale files, for unit tests (same placeholder rules:
// $NAME$ → placeholders[name].content, where $1..$9 are the substitutions).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LOCALES_DIR = fileURLToPath(new URL('../../extension/_locales/', import.meta.url));

/** @returns {string[]} */
export function locales() {
  return readdirSync(LOCALES_DIR).sort();
}

/** @param {string} locale @returns {Record<string, {message: string, description?: string, placeholders?: Record<string, {content: string}>}>} */
export function catalog(locale) {
  return JSON.parse(readFileSync(join(LOCALES_DIR, locale, 'messages.json'), 'utf8'));
}

/** @param {string} locale */
export function translator(locale) {
  const messages = catalog(locale);
  return (/** @type {string} */ key, /** @type {string[]} */ subs = []) => {
    const entry = messages[key];
    if (!entry) throw new Error(`${locale}: no message ${key}`);
    return entry.message.replace(/\$([A-Za-z0-9_@]+)\$/g, (_, name) => {
      const content = entry.placeholders?.[name.toLowerCase()]?.content ?? '';
      return content.replace(/\$(\d)/g, (__, n) => subs[Number(n) - 1] ?? '');
    });
  };
}
