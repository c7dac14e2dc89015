import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACTIONS, FRESH, RULES, STRICT, decide, defaultsFor, hostIn, merge, normaliseHost, profileForAge, sanitize } from '../../extension/shared/settings.js';

const NUDIFY = ['undress.example', 'faceswap.example'];

test('each profile has a decision for every rule; the child profile is the strictest', () => {
  for (const profile of /** @type {const} */ (['child', 'teen', 'adult'])) {
    const d = defaultsFor(profile);
    assert.deepEqual(Object.keys(d.rules).sort(), [...RULES].sort());
    for (const action of Object.values(d.rules)) assert.ok(ACTIONS.includes(action));
  }
  for (const rule of RULES) {
    assert.ok(ACTIONS.indexOf(STRICT.rules[rule]) >= ACTIONS.indexOf(defaultsFor('teen').rules[rule]), rule);
    assert.ok(ACTIONS.indexOf(defaultsFor('teen').rules[rule]) >= ACTIONS.indexOf(FRESH.rules[rule]), rule);
  }
  assert.equal(STRICT.rules.face, 'pin', 'a child sharing a face needs the PIN');
  assert.equal(STRICT.rules.location, 'pin');
  assert.equal(STRICT.rules.nudity, 'pin', 'nudity: blocked unless the parent\'s PIN');
  assert.equal(FRESH.rules.location, 'confirm', 'adults: metadata warnings on');
  assert.equal(FRESH.rules.face, 'off', 'adults: the rest opt-in');
});

test('settings merge: defaults < local < managed, and what the policy sets is locked', () => {
  const local = sanitize({ profile: 'teen', rules: { location: 'off', device: 'inform' }, sites: { neverGuarded: ['school.example', 'free.example'] } }).value;
  const managed = sanitize({ rules: { location: 'block' }, sites: { blocked: ['bad.example'], alwaysGuarded: ['school.example'] }, blockNudifySites: true }).value;
  const { settings, locked } = merge(local, managed);
  assert.equal(settings.profile, 'teen', 'local profile');
  assert.equal(settings.rules.location, 'block', 'managed beats local');
  assert.equal(settings.rules.device, 'inform', 'local beats defaults');
  assert.equal(settings.rules.face, defaultsFor('teen').rules.face, 'defaults of the chosen profile');
  assert.deepEqual(settings.sites.blocked, ['bad.example']);
  assert.deepEqual(settings.sites.neverGuarded, ['free.example'], 'a local exemption cannot cover a site the policy guards');
  assert.deepEqual(locked.sort(), ['blockNudifySites', 'rules.location', 'sites.alwaysGuarded', 'sites.blocked']);
  // A managed profile picks the defaults, and locks the profile.
  const m2 = merge(local, sanitize({ profile: 'child' }).value);
  assert.equal(m2.settings.profile, 'child');
  assert.equal(m2.settings.rules.location, 'off', 'local rule still over the managed profile\'s defaults');
  assert.ok(m2.locked.includes('profile'));
  assert.deepEqual(merge({}, {}).settings, FRESH);
});

test('sanitize drops what is not a setting and says why', () => {
  const { value, problems } = sanitize({
    profile: 'toddler', rules: { location: 'nuke', face: 'pin', bogus: 'off' }, ages: { teenFrom: 18, adultFrom: 13 },
    sites: { blocked: ['https://Bad.Example:8080/path?q', 'not a host!', 42] }, blockNudifySites: 'yes', extra: 1,
  });
  assert.deepEqual(value.rules, { face: 'pin' });
  assert.deepEqual(value.sites?.blocked, ['bad.example']);
  assert.equal(value.profile, undefined);
  assert.equal(value.ages, undefined);
  assert.equal(value.blockNudifySites, undefined);
  assert.equal(problems.length, 8, problems.join('\n'));
  assert.deepEqual(sanitize(null), { value: {}, problems: ['not an object'] });
  assert.equal(normaliseHost('*.Example.org.'), '*.example.org');
});

test('the profile follows the parent\'s age cut-offs', () => {
  const s = { ...defaultsFor('adult'), birthYear: 2014, ages: { teenFrom: 11, adultFrom: 16 } };
  assert.equal(profileForAge(s, 2024), 'child');
  assert.equal(profileForAge(s, 2026), 'teen');
  assert.equal(profileForAge(s, 2030), 'adult');
  assert.equal(profileForAge({ ...s, birthYear: null }, 2026), null);
  // In the merge: the age picks the profile (and its defaults) unless a policy names one.
  const local = sanitize({ profile: 'adult', birthYear: 2014, ages: { teenFrom: 11, adultFrom: 16 } }).value;
  assert.equal(merge(local, {}, 2024).settings.profile, 'child');
  assert.equal(merge(local, {}, 2024).settings.rules.location, 'pin');
  assert.equal(merge(local, {}, 2026).settings.profile, 'teen');
  assert.equal(merge(local, sanitize({ profile: 'adult' }).value, 2024).settings.profile, 'adult');
  assert.equal(merge(local, {}).settings.profile, 'adult', 'without the year, the chosen profile');
});

test('the decision each profile takes for each finding', () => {
  const table = /** @type {const} */ ([
    // profile, risks, host, expected action
    ['child', ['location'], 'social.example', 'pin'],
    ['child', ['device'], 'social.example', 'confirm'],
    ['child', ['location', 'device'], 'social.example', 'pin'],
    ['child', ['face'], 'social.example', 'pin'],
    ['child', ['nudity'], 'social.example', 'pin'],
    ['child', [], 'undress.example', 'block'],
    ['teen', ['location'], 'social.example', 'confirm'],
    ['teen', [], 'faceswap.example', 'block'],
    ['adult', ['location'], 'social.example', 'confirm'],
    ['adult', ['face', 'nudity'], 'social.example', 'pass'],
    ['adult', [], 'undress.example', 'confirm'],
    ['adult', [], 'social.example', 'pass'],
  ]);
  for (const [profile, risks, host, want] of table) {
    const got = decide(defaultsFor(profile), { risks, host, nudifySites: NUDIFY });
    assert.equal(got.action, want, `${profile} ${risks.join('+')} ${host}`);
  }
  const adultNudify = decide(defaultsFor('adult'), { risks: [], host: 'app.undress.example', nudifySites: NUDIFY });
  assert.ok(adultNudify.nudifySite && !adultNudify.siteBlocked, 'subdomains count; adults get the notice, not a block');
});

test('site lists: blocked beats everything, never-guarded passes unless always-guarded', () => {
  const s = { ...defaultsFor('teen'), sites: { alwaysGuarded: ['guarded.example'], neverGuarded: ['free.example', 'guarded.example'], blocked: ['bad.example'] } };
  assert.deepEqual(decide(s, { risks: [], host: 'www.bad.example', nudifySites: [] }), { action: 'block', rules: [], siteBlocked: true, nudifySite: false });
  assert.equal(decide(s, { risks: ['location'], host: 'free.example', nudifySites: [] }).action, 'pass');
  assert.equal(decide(s, { risks: ['location'], host: 'guarded.example', nudifySites: [] }).action, 'confirm');
  assert.ok(hostIn('a.b.example', ['*.b.example']));
  assert.ok(!hostIn('notexample.com', ['example.com']));
});
