// Parents' and schools' settings: one schema, the defaults of each profile, how local settings and
// a managed policy combine (defaults < local < managed), and the decision each rule takes for a
// photo. Pure: no browser API, so the guard, the options page, the background and node tests all
// use this one file.

/** What a rule can do, from most lenient to strictest. */
export const ACTIONS = /** @type {const} */ (['off', 'inform', 'confirm', 'pin', 'block']);
/** @typedef {typeof ACTIONS[number]} Action */

/**
 * The rules, one per kind of risk the warning knows:
 * location (GPS), device (serial numbers, owner, camera), face, nudity, hiddenImage (an embedded
 * thumbnail or preview), destination (uploading to a "nudify" or face-swap service).
 */
export const RULES = /** @type {const} */ (['location', 'device', 'face', 'nudity', 'hiddenImage', 'destination']);
/** @typedef {typeof RULES[number]} Rule */

export const PROFILES = /** @type {const} */ (['child', 'teen', 'adult']);
/** @typedef {typeof PROFILES[number]} Profile */

/**
 * @typedef {{
 *   profile: Profile,
 *   birthYear: number | null,
 *   ages: {teenFrom: number, adultFrom: number},
 *   rules: Record<Rule, Action>,
 *   sites: {alwaysGuarded: string[], neverGuarded: string[], blocked: string[]},
 *   blockNudifySites: boolean,
 *   showCounts: boolean,
 * }} Settings
 */

/** Each profile's rules. Child: everything on, sharing a face or nudity needs the parent's PIN. */
const PROFILE_RULES = /** @type {Record<Profile, Record<Rule, Action>>} */ ({
  child: { location: 'pin', device: 'confirm', face: 'pin', nudity: 'pin', hiddenImage: 'pin', destination: 'block' },
  teen: { location: 'confirm', device: 'confirm', face: 'confirm', nudity: 'confirm', hiddenImage: 'confirm', destination: 'confirm' },
  adult: { location: 'confirm', device: 'confirm', face: 'off', nudity: 'off', hiddenImage: 'confirm', destination: 'confirm' },
});

/**
 * The defaults for a profile.
 * @param {Profile} profile
 * @returns {Settings}
 */
export function defaultsFor(profile) {
  return {
    profile,
    birthYear: null,
    ages: { teenFrom: 13, adultFrom: 18 },
    rules: { ...PROFILE_RULES[profile] },
    sites: { alwaysGuarded: [], neverGuarded: [], blocked: [] },
    blockNudifySites: profile !== 'adult',
    showCounts: true,
  };
}

/** Before anything is known (managed storage has not answered), the strictest settings. */
export const STRICT = Object.freeze(defaultsFor('child'));

/** Settings a person gets on a fresh install: adult, metadata warnings on. */
export const FRESH = Object.freeze(defaultsFor('adult'));

const HOST_RE = /^(\*\.)?([a-z0-9-]+\.)*[a-z0-9-]+$/;

/**
 * Checks and normalises settings from storage, a policy or an import. Unknown keys and values
 * of the wrong type are dropped (and listed), never trusted.
 * @param {unknown} raw
 * @returns {{value: Partial<Settings>, problems: string[]}}
 */
export function sanitize(raw) {
  /** @type {Partial<Settings>} */
  const value = {};
  /** @type {string[]} */
  const problems = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { value, problems: ['not an object'] };
  const r = /** @type {Record<string, unknown>} */ (raw);
  for (const key of Object.keys(r)) {
    if (!['profile', 'birthYear', 'ages', 'rules', 'sites', 'blockNudifySites', 'showCounts'].includes(key)) problems.push(`unknown setting ${key}`);
  }
  if (r.profile !== undefined) {
    if (PROFILES.includes(/** @type {Profile} */ (r.profile))) value.profile = /** @type {Profile} */ (r.profile);
    else problems.push('profile must be child, teen or adult');
  }
  if (r.birthYear !== undefined) {
    if (r.birthYear === null || (Number.isInteger(r.birthYear) && /** @type {number} */ (r.birthYear) >= 1900 && /** @type {number} */ (r.birthYear) <= 2100)) value.birthYear = /** @type {number | null} */ (r.birthYear);
    else problems.push('birthYear must be a year');
  }
  if (r.ages !== undefined) {
    const a = /** @type {any} */ (r.ages);
    if (a && Number.isInteger(a.teenFrom) && Number.isInteger(a.adultFrom) && a.teenFrom >= 5 && a.teenFrom < a.adultFrom && a.adultFrom <= 21) {
      value.ages = { teenFrom: a.teenFrom, adultFrom: a.adultFrom };
    } else problems.push('ages must be {teenFrom, adultFrom} with 5 <= teenFrom < adultFrom <= 21');
  }
  if (r.rules !== undefined) {
    if (typeof r.rules === 'object' && r.rules !== null) {
      /** @type {Partial<Record<Rule, Action>>} */
      const rules = {};
      for (const [rule, action] of Object.entries(r.rules)) {
        if (RULES.includes(/** @type {Rule} */ (rule)) && ACTIONS.includes(/** @type {Action} */ (action))) rules[/** @type {Rule} */ (rule)] = /** @type {Action} */ (action);
        else problems.push(`rule ${rule}: ${String(action)} is not one of ${ACTIONS.join(', ')}`);
      }
      value.rules = /** @type {Record<Rule, Action>} */ (rules);
    } else problems.push('rules must be an object');
  }
  if (r.sites !== undefined) {
    const s = /** @type {any} */ (r.sites);
    /** @type {any} */
    const sites = {};
    for (const list of ['alwaysGuarded', 'neverGuarded', 'blocked']) {
      if (s?.[list] === undefined) continue;
      if (!Array.isArray(s[list])) { problems.push(`sites.${list} must be a list`); continue; }
      sites[list] = [];
      for (const host of s[list]) {
        const h = normaliseHost(host);
        if (h) sites[list].push(h); else problems.push(`sites.${list}: ${String(host)} is not a site name`);
      }
    }
    value.sites = sites;
  }
  for (const flag of /** @type {const} */ (['blockNudifySites', 'showCounts'])) {
    if (r[flag] === undefined) continue;
    if (typeof r[flag] === 'boolean') value[flag] = /** @type {boolean} */ (r[flag]);
    else problems.push(`${flag} must be true or false`);
  }
  return { value, problems };
}

/**
 * A site name as the lists keep it: lower case, no scheme, path or port; `*.` allowed in front.
 * @param {unknown} host
 * @returns {string | null}
 */
export function normaliseHost(host) {
  if (typeof host !== 'string') return null;
  let h = host.trim().toLowerCase();
  h = h.replace(/^[a-z][a-z0-9+.-]*:\/\//, '').replace(/[/?#].*$/, '').replace(/:\d+$/, '').replace(/\.$/, '');
  return h.length > 0 && h.length <= 253 && HOST_RE.test(h) ? h : null;
}

/**
 * The settings in force: the profile's defaults, then the local settings, then the managed
 * policy. A profile named by the policy (or locally) picks the defaults the rest apply over.
 * Site lists add up (a policy's blocked sites cannot be unblocked locally).
 * With a birth year (and no profile set by the policy), the profile follows the child's age under
 * the parent's cut-offs, so a child becomes a teen on their own without anyone editing settings.
 * @param {Partial<Settings>} local
 * @param {Partial<Settings>} managed
 * @param {number} [year] the current year (needed for the birth year to count)
 * @returns {{settings: Settings, locked: string[]}}
 */
export function merge(local, managed, year) {
  const birthYear = managed.birthYear !== undefined ? managed.birthYear : (local.birthYear ?? null);
  const ages = managed.ages ?? local.ages ?? { teenFrom: 13, adultFrom: 18 };
  const byAge = managed.profile === undefined && year !== undefined
    ? profileForAge({ ...FRESH, birthYear, ages }, year) : null;
  const profile = managed.profile ?? byAge ?? local.profile ?? FRESH.profile;
  const base = defaultsFor(profile);
  const rules = { ...base.rules, ...(local.rules ?? {}), ...(managed.rules ?? {}) };
  const union = (/** @type {'alwaysGuarded' | 'neverGuarded' | 'blocked'} */ list) => [...new Set([...(local.sites?.[list] ?? []), ...(managed.sites?.[list] ?? [])])];
  /** @type {Settings} */
  const settings = {
    profile,
    birthYear,
    ages,
    rules,
    sites: {
      alwaysGuarded: union('alwaysGuarded'),
      // A policy's "never guarded" wins; a local one cannot exempt a site the policy guards or blocks.
      neverGuarded: union('neverGuarded').filter((h) => !(managed.sites?.alwaysGuarded ?? []).includes(h) && !(managed.sites?.blocked ?? []).includes(h)),
      blocked: union('blocked'),
    },
    blockNudifySites: managed.blockNudifySites ?? local.blockNudifySites ?? base.blockNudifySites,
    showCounts: managed.showCounts ?? local.showCounts ?? base.showCounts,
  };
  /** @type {string[]} */
  const locked = [];
  for (const key of /** @type {const} */ (['profile', 'birthYear', 'ages', 'blockNudifySites', 'showCounts'])) if (managed[key] !== undefined) locked.push(key);
  for (const rule of Object.keys(managed.rules ?? {})) locked.push(`rules.${rule}`);
  for (const list of Object.keys(managed.sites ?? {})) locked.push(`sites.${list}`);
  return { settings, locked };
}

/**
 * The profile for a birth year under the parent's age cut-offs, or null without a birth year.
 * @param {Settings} settings
 * @param {number} year the current year
 * @returns {Profile | null}
 */
export function profileForAge(settings, year) {
  if (settings.birthYear === null) return null;
  const age = year - settings.birthYear;
  if (age >= settings.ages.adultFrom) return 'adult';
  if (age >= settings.ages.teenFrom) return 'teen';
  return 'child';
}

/**
 * Whether a host matches a list entry (`example.com` matches itself and its subdomains).
 * @param {string} host
 * @param {readonly string[]} list
 */
export function hostIn(host, list) {
  const h = host.toLowerCase();
  return list.some((entry) => {
    const e = entry.startsWith('*.') ? entry.slice(2) : entry;
    return h === e || h.endsWith(`.${e}`);
  });
}

/**
 * What to do with one upload.
 * @param {Settings} settings
 * @param {{risks: readonly Rule[], host: string, nudifySites: readonly string[]}} upload
 *   `risks`: the rules the photo triggers (location, device, face...); `host`: the site it goes to
 * @returns {{action: Action | 'pass', rules: Rule[], siteBlocked: boolean, nudifySite: boolean}}
 *   the strictest action among the triggered rules; `siteBlocked`: the site is on a blocked list
 */
export function decide(settings, { risks, host, nudifySites }) {
  const nudifySite = hostIn(host, nudifySites);
  const siteBlocked = hostIn(host, settings.sites.blocked) || (nudifySite && settings.blockNudifySites);
  if (siteBlocked) return { action: 'block', rules: nudifySite ? ['destination'] : [], siteBlocked, nudifySite };
  if (hostIn(host, settings.sites.neverGuarded) && !hostIn(host, settings.sites.alwaysGuarded)) {
    return { action: 'pass', rules: [], siteBlocked: false, nudifySite };
  }
  /** @type {Rule[]} */
  const triggered = [...new Set(risks)];
  if (nudifySite) triggered.push('destination');
  let strictest = -1;
  /** @type {Rule[]} */
  const rules = [];
  for (const rule of triggered) {
    const level = ACTIONS.indexOf(settings.rules[rule]);
    if (level <= 0) continue;
    rules.push(rule);
    strictest = Math.max(strictest, level);
  }
  return { action: strictest < 0 ? 'pass' : /** @type {Action} */ (ACTIONS[strictest]), rules, siteBlocked: false, nudifySite };
}
