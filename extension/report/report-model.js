// The report flow's pure parts: no DOM, no browser API, so node tests run them as they are.
// What is sent to a helpline intake is built here and nowhere else (format: docs/report-format.md).

/** The intake format name; an intake in the directory must declare it. */
export const INTAKE_FORMAT = 'sentinelle-report-1';

/** The five situations, in the order the person sees them. */
export const SITUATIONS = /** @type {const} */ (['own-image', 'sextortion', 'child-abuse', 'deepfake-other', 'harassment']);

/** i18n key of each situation's label. */
export const SITUATION_KEYS = Object.freeze({
  'own-image': 'situationOwnImage',
  sextortion: 'situationSextortion',
  'child-abuse': 'situationChildAbuse',
  'deepfake-other': 'situationDeepfakeOther',
  harassment: 'situationHarassment',
});

/**
 * The country to preselect, from the browser's languages (`fr-BE` → BE). Only a guess: the
 * person can change it. A bare language gives its main country where that is unambiguous.
 * @param {readonly string[]} languages
 * @param {readonly string[]} known countries the directory has
 * @returns {string} an ISO code, or '' when nothing fits
 */
export function guessCountry(languages, known) {
  const bare = /** @type {Record<string, string>} */ ({ fr: 'FR', nl: 'NL', de: 'DE', ko: 'KR', es: 'ES', it: 'IT' });
  for (const tag of languages) {
    const region = tag.split(/[-_]/)[1]?.toUpperCase();
    if (region && region.length === 2 && known.includes(region)) return region;
  }
  for (const tag of languages) {
    const country = bare[tag.split(/[-_]/)[0]?.toLowerCase() ?? ''];
    if (country && known.includes(country)) return country;
  }
  return '';
}

/**
 * The evidence zip's file name, from the capture time.
 * @param {string} capturedAt `2026-11-23T14:05:09Z`
 */
export function bundleFileName(capturedAt) {
  return `sentinelle-evidence-${capturedAt.replace(/\.\d+Z$/, 'Z').replaceAll(':', '-')}.zip`;
}

/**
 * The time as every Sentinelle manifest writes it: UTC, whole seconds.
 * @param {Date} date
 */
export function utcSeconds(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * @typedef {{url: string | null, md5: string, sha256: string, pdq: string | null, pdq_quality: number | null}} ImageRecord
 * @typedef {{fileName: string, manifestSha256: string, fingerprint: string, publicKey: string}} BundleInfo
 * @typedef {{
 *   page: {url: string, title: string | null},
 *   capturedAt: string,
 *   situation: string,
 *   minor: boolean,
 *   country: string,
 *   images: ImageRecord[],
 *   bundle: BundleInfo | null,
 * }} ReportFacts
 */

/**
 * The text put on the clipboard and in emails: what a case worker asks for, nothing more.
 * @param {ReportFacts} facts
 * @param {(key: string, subs?: string[]) => string} t
 */
export function summaryText(facts, t) {
  const lines = [t('summaryHeader'), '', t('summaryPage', [facts.page.url])];
  if (facts.page.title) lines.push(t('summaryTitle', [facts.page.title]));
  lines.push(t('summarySeen', [facts.capturedAt]));
  const situationKey = SITUATION_KEYS[/** @type {keyof typeof SITUATION_KEYS} */ (facts.situation)];
  if (situationKey) lines.push(t('summarySituation', [t(situationKey)]));
  for (const image of facts.images) {
    if (image.url) lines.push(t('summaryImage', [image.url]));
    const hashes = [`MD5 ${image.md5}`, `SHA-256 ${image.sha256}`];
    if (image.pdq) hashes.push(`PDQ ${image.pdq}`);
    lines.push(t('summaryHashes', [hashes.join(', ')]));
  }
  if (facts.bundle) lines.push(t('summaryEvidence', [facts.bundle.fileName, facts.bundle.fingerprint]));
  return lines.join('\n');
}

/**
 * The JSON body POSTed to a helpline intake (docs/report-format.md). Addresses and hashes
 * only: never a screenshot, a page copy or image bytes, whatever the situation.
 * @param {ReportFacts & {helplineId: string, language: string, version: string}} facts
 */
export function intakePayload(facts) {
  return {
    format: INTAKE_FORMAT,
    helpline: facts.helplineId,
    situation: facts.situation,
    minor: facts.minor,
    country: facts.country || null,
    language: facts.language,
    page: { url: facts.page.url, title: facts.page.title },
    captured_at: facts.capturedAt,
    images: facts.images.map((i) => ({ url: i.url, md5: i.md5, sha256: i.sha256, pdq: i.pdq, pdq_quality: i.pdq_quality })),
    evidence: facts.bundle
      ? { file_name: facts.bundle.fileName, manifest_sha256: facts.bundle.manifestSha256, key_fingerprint: facts.bundle.fingerprint, public_key: facts.bundle.publicKey }
      : null,
    software: { name: 'Sentinelle extension', version: facts.version },
  };
}

/**
 * A form address with the report's values put in (`{url}`, `{title}`, `{time}`,
 * `{situation}`, `{summary}`), each percent-encoded.
 * @param {string} template
 * @param {Record<string, string>} values
 */
export function prefillUrl(template, values) {
  return template.replace(/\{(url|title|time|situation|summary)\}/g, (_, name) => encodeURIComponent(values[name] ?? ''));
}

/**
 * What the evidence file will hold, given what the route allows and what the person ticked.
 * The route's policy always wins: a child-abuse report never gets a screenshot or page copy,
 * whatever the boxes say.
 * @param {{screenshot: boolean, archive: boolean, image_hashes: boolean}} policy
 * @param {{screenshot: boolean, archive: boolean, hashes: boolean}} wanted
 * @param {{archiveAvailable: boolean, hasImage: boolean}} context
 */
export function evidencePlan(policy, wanted, context) {
  return {
    screenshot: policy.screenshot && wanted.screenshot,
    archive: policy.archive && wanted.archive && context.archiveAvailable,
    hashes: policy.image_hashes && wanted.hashes && context.hasImage,
  };
}

/** The kept receipt's format name (docs/report-format.md). */
export const RECEIPT_FILE_FORMAT = 'sentinelle-receipt-file-1';

/**
 * The file the person keeps after an intake answered: the exact report text sent (what the
 * receipt signs), where it went, and the intake's receipt. `sentinelle verify BUNDLE --receipt
 * FILE` and the verify page check it.
 * @param {string} intakeUrl @param {string} sentText @param {object} receipt
 */
export function receiptFile(intakeUrl, sentText, receipt) {
  return { format: RECEIPT_FILE_FORMAT, intake: intakeUrl, report: sentText, receipt };
}

/** @param {string} reportId */
export function receiptFileName(reportId) {
  return `sentinelle-receipt-${reportId.replace(/[^0-9A-Za-z_-]/g, '')}.json`;
}

/**
 * Where to upload the evidence file: the intake's `evidence_url`, resolved against the intake's
 * own address, and only on that same origin (an answer cannot send the file anywhere else).
 * @param {string} intakeUrl @param {unknown} evidenceUrl @returns {string | null}
 */
export function evidenceTarget(intakeUrl, evidenceUrl) {
  if (typeof evidenceUrl !== 'string' || !evidenceUrl) return null;
  try {
    const base = new URL(intakeUrl);
    const target = new URL(evidenceUrl, base);
    return target.origin === base.origin ? target.href : null;
  } catch {
    return null;
  }
}
