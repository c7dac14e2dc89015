// The parents' settings page. It shows the settings in force (defaults < local < managed policy),
// marks what a policy locks, and saves through the background, which asks for the PIN and refuses
// locked keys. Nothing here leaves the device.
import '../shared/messages.js';
import { ACTIONS, RULES, defaultsFor, sanitize } from '../shared/settings.js';

const M = /** @type {SentinelleMessagesApi} */ (/** @type {any} */ (globalThis).SentinelleMessages);
/** @param {string} key @param {string[]} [subs] */
const t = (key, subs) => chrome.i18n.getMessage(key, subs) || key;
/** @param {string} id */
const $ = (id) => /** @type {HTMLInputElement} */ (document.getElementById(id));
const SITE_LISTS = /** @type {const} */ (['alwaysGuarded', 'neverGuarded', 'blocked']);

/** @type {{settings: import('../shared/settings.js').Settings, locked: string[], pinSet: boolean, managedPin: boolean, counts: {warnings?: number}} | null} */
let state = null;
/** Whether the browser has not yet said if a policy applies (it takes seconds after a start):
 * the page then says it is checking, lets nothing be changed, and asks again. */
let checking = false;
/** How often the page asks again while checking. */
const RECHECK_MS = 1_000;

function translatePage() {
  document.documentElement.lang = chrome.i18n.getUILanguage();
  document.documentElement.dir = t('dir') === 'rtl' ? 'rtl' : 'ltr';
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(/** @type {string} */ (/** @type {HTMLElement} */ (el).dataset.i18n));
  document.title = t('optionsTitle');
}

function buildRules() {
  const table = $('rules');
  for (const rule of RULES) {
    const row = document.createElement('tr');
    const label = document.createElement('th');
    const select = document.createElement('select');
    select.id = `rule-${rule}`;
    label.append(Object.assign(document.createElement('label'), { htmlFor: select.id, textContent: t(`rule_${rule}`) }));
    for (const action of ACTIONS) select.append(new Option(t(`action_${action}`), action));
    const cell = document.createElement('td');
    cell.append(select);
    row.append(label, cell);
    table.append(row);
  }
}

/** @param {string} key */
const isLocked = (key) => Boolean(state?.locked.includes(key) || state?.locked.includes('*'));

/** @param {HTMLElement} el @param {boolean} locked */
function lock(el, locked) {
  /** @type {HTMLInputElement} */ (el).disabled = locked || checking;
  const label = el.closest('label') ?? el.closest('tr')?.querySelector('label');
  // Only a policy that exists is named; while checking, the page's note says why nothing moves.
  label?.classList.toggle('locked', locked && !checking);
  if (locked && !checking) el.title = t('optionsLockedBy');
  else el.removeAttribute('title');
}

/** @param {import('../shared/settings.js').Settings} s */
function fill(s) {
  for (const radio of document.querySelectorAll('input[name=profile]')) {
    const r = /** @type {HTMLInputElement} */ (radio);
    r.checked = r.value === s.profile;
    lock(r, isLocked('profile'));
  }
  $('birth-year').value = s.birthYear === null ? '' : String(s.birthYear);
  lock($('birth-year'), isLocked('birthYear'));
  $('teen-from').value = String(s.ages.teenFrom);
  $('adult-from').value = String(s.ages.adultFrom);
  lock($('teen-from'), isLocked('ages'));
  lock($('adult-from'), isLocked('ages'));
  for (const rule of RULES) {
    const select = $(`rule-${rule}`);
    select.value = s.rules[rule];
    lock(select, isLocked(`rules.${rule}`));
  }
  for (const list of SITE_LISTS) {
    $(`sites-${list}`).value = s.sites[list].join('\n');
    lock($(`sites-${list}`), isLocked(`sites.${list}`));
  }
  $('block-nudify').checked = s.blockNudifySites;
  lock($('block-nudify'), isLocked('blockNudifySites'));
  $('show-counts').checked = s.showCounts;
  lock($('show-counts'), isLocked('showCounts'));
}

/** What the form says, without the keys a policy locks (the background would refuse them). */
function collect() {
  const profile = /** @type {HTMLInputElement | null} */ (document.querySelector('input[name=profile]:checked'))?.value ?? 'adult';
  const year = $('birth-year').value.trim();
  /** @type {Record<string, unknown>} */
  const raw = {
    profile,
    birthYear: year === '' ? null : Number(year),
    ages: { teenFrom: Number($('teen-from').value), adultFrom: Number($('adult-from').value) },
    rules: Object.fromEntries(RULES.filter((r) => !isLocked(`rules.${r}`)).map((r) => [r, $(`rule-${r}`).value])),
    sites: Object.fromEntries(SITE_LISTS.filter((l) => !isLocked(`sites.${l}`)).map((l) => [l, $(`sites-${l}`).value.split(/\s+/).filter(Boolean)])),
    blockNudifySites: $('block-nudify').checked,
    showCounts: $('show-counts').checked,
  };
  for (const key of ['profile', 'birthYear', 'ages', 'blockNudifySites', 'showCounts']) if (isLocked(key)) delete raw[key];
  return raw;
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let recheck;

async function refresh() {
  const answer = await chrome.runtime.sendMessage({ type: M.Type.SETTINGS_GET });
  if (!answer?.ok) throw new Error('the settings could not be read');
  state = answer;
  // No answer from the browser yet and no copy of an earlier one: the strict settings the
  // background answers with stand for "not known yet", not for a policy.
  checking = answer.policyFrom === 'none';
  $('policy-checking').hidden = !checking;
  for (const id of ['save', 'import']) lock($(id), false);
  clearTimeout(recheck);
  if (checking) recheck = setTimeout(() => { refresh().catch(() => {}); }, RECHECK_MS);
  const s = /** @type {NonNullable<typeof state>} */ (state);
  fill(s.settings);
  $('managed-note').hidden = checking || s.locked.length === 0;
  $('unlock-label').hidden = !s.pinSet;
  $('current-pin-label').hidden = !s.pinSet;
  lock($('new-pin'), s.managedPin);
  lock($('repeat-pin'), s.managedPin);
  lock($('set-pin'), s.managedPin);
  showPinAdvice();
  const counts = $('counts');
  counts.hidden = !s.settings.showCounts;
  counts.textContent = t('optionsCounts', [String(s.counts.warnings ?? 0)]);
  document.body.dataset.ready = 'true';
}

/** @param {{ok: boolean, code?: string, waitMs?: number, problems?: string[]}} answer */
function explain(answer) {
  if (answer.ok) return t('optionsSaved');
  if (answer.code === 'wrong-pin') return answer.waitMs ? t('pinWait', [String(Math.ceil(answer.waitMs / 1000))]) : t('pinWrong');
  if (answer.code === 'locked') return t('optionsLockedBy');
  if (answer.code === 'bad-pin') return t('optionsPinRule');
  return `${t('optionsInvalid')} ${(answer.problems ?? []).join('; ')}`;
}

async function save(/** @type {Record<string, unknown>} */ settings) {
  const answer = await chrome.runtime.sendMessage({ type: M.Type.SETTINGS_SET, settings, pin: $('unlock-pin').value });
  $('unlock-pin').value = '';
  if (answer?.ok) await refresh();
  return explain(answer ?? { ok: false });
}

/** A child profile without a PIN can be changed by the child: say so to the parent. */
function showPinAdvice() {
  const child = /** @type {HTMLInputElement | null} */ (document.querySelector('input[name=profile]:checked'))?.value === 'child';
  $('child-needs-pin').hidden = !child || Boolean(state?.pinSet);
}

function main() {
  translatePage();
  buildRules();
  // Choosing a profile shows its rules; the parent can then change each.
  for (const radio of document.querySelectorAll('input[name=profile]')) {
    radio.addEventListener('change', () => {
      const defaults = defaultsFor(/** @type {any} */ (/** @type {HTMLInputElement} */ (radio).value));
      for (const rule of RULES) if (!isLocked(`rules.${rule}`)) $(`rule-${rule}`).value = defaults.rules[rule];
      if (!isLocked('blockNudifySites')) $('block-nudify').checked = defaults.blockNudifySites;
      showPinAdvice();
    });
  }
  $('settings-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    $('save-status').textContent = await save(collect());
  });
  $('pin-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const pin = $('new-pin').value;
    if (pin !== $('repeat-pin').value) { $('pin-status').textContent = t('optionsPinMismatch'); return; }
    const answer = await chrome.runtime.sendMessage({ type: M.Type.PIN_SET, pin, currentPin: $('current-pin').value });
    for (const id of ['new-pin', 'repeat-pin', 'current-pin']) $(id).value = '';
    // The status last, once the page shows what the new PIN changes (e.g. no more PIN advice).
    const status = answer?.ok ? t('optionsPinSaved') : explain(answer ?? { ok: false });
    await refresh();
    $('pin-status').textContent = status;
  });
  $('export').addEventListener('click', () => {
    const blob = new Blob([JSON.stringify({ sentinelleSettings: 1, settings: collect() }, null, 2)], { type: 'application/json' });
    const a = Object.assign(document.createElement('a'), { href: URL.createObjectURL(blob), download: 'sentinelle-settings.json' });
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  });
  $('import').addEventListener('change', async () => {
    const file = $('import').files?.[0];
    if (!file) return;
    try {
      const data = JSON.parse(await file.text());
      const { problems } = sanitize(data?.settings);
      if (data?.sentinelleSettings !== 1 || problems.length) throw new Error(problems.join('; ') || 'not a Sentinelle settings file');
      $('backup-status').textContent = await save(data.settings);
    } catch (error) {
      $('backup-status').textContent = `${t('optionsInvalid')} ${error instanceof Error ? error.message : ''}`;
    }
    $('import').value = '';
  });
  refresh().catch((error) => { $('save-status').textContent = String(error); });
}

main();
