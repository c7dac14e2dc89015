//! Which helplines fit what happened, in ranked order, each with its reasons; the emergency
//! number of the country; and what evidence may be kept.
//!
//! The rules come from `shared/research/peers-and-helplines.md` §10:
//! - child sexual abuse material: one national hotline, address only, no screenshot, no copy;
//!   report once, to one hotline (others are listed only as alternatives);
//! - own image, under 18: Take It Down (hash only) and the national service for minors;
//! - own image, adult: StopNCII (hash only) and the national helpline;
//! - public illegal content in France: Pharos.

use serde::{Deserialize, Serialize};

use super::directory::{Audience, Directory, Emergency, Helpline, Kind, Situation};

/// What the person said.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteQuery {
    pub situation: Situation,
    /// Under 18: the person reporting for `own-image`, `sextortion` and `harassment`; the person
    /// shown for `deepfake-other` (a sexual image of a minor is child abuse material).
    pub minor: bool,
    /// ISO 3166-1 alpha-2, upper-case; `None` when the person did not say.
    pub country: Option<String>,
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    pub situation: Situation,
    pub minor: bool,
    pub country: Option<String>,
    /// The country's emergency numbers, always shown when known.
    pub emergency: Option<Emergency>,
    /// What may be captured.
    pub evidence: EvidencePolicy,
    /// Best first. Empty only when the directory knows nothing that fits.
    pub helplines: Vec<RankedHelpline>,
}

/// What the report may keep and send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EvidencePolicy {
    /// A picture of the visible tab.
    pub screenshot: bool,
    /// A saved copy of the page (MHTML).
    pub archive: bool,
    /// MD5, SHA-256 and PDQ of a chosen image.
    pub image_hashes: bool,
    /// The image file itself. Never for child abuse material.
    pub image_copy: bool,
}

impl EvidencePolicy {
    /// The policy for a situation.
    pub fn for_situation(situation: Situation) -> EvidencePolicy {
        let pictures = situation != Situation::ChildAbuse;
        EvidencePolicy {
            screenshot: pictures,
            archive: pictures,
            image_hashes: true,
            image_copy: pictures,
        }
    }
}

/// A helpline with why it is listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RankedHelpline {
    pub helpline: Helpline,
    /// The first choice (one per route; for child abuse, the one hotline to report to).
    pub recommended: bool,
    /// Stable reason codes, shown to the person in their language.
    pub reasons: Vec<Reason>,
}

/// Why a helpline is listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// It works in the person's country.
    InYourCountry,
    /// It works from anywhere.
    Worldwide,
    /// It handles this kind of harm.
    HandlesThis,
    /// It serves people under 18.
    ForMinors,
    /// It serves adults.
    ForAdults,
    /// You can talk to someone (it has a phone line).
    TalkToSomeone,
    /// Only a hash leaves the device; the image stays with you.
    HashOnly,
    /// Takes just the address: nothing of the content is copied.
    AddressOnly,
    /// Takes anonymous reports.
    Anonymous,
    /// Report once, to one hotline: this is the one.
    ReportOnce,
    /// Only if the first cannot be reached: one report, to one hotline, is enough.
    AlternativeHotline,
    /// No hotline of the country is known: this one accepts reports about content anywhere.
    GlobalHotline,
    /// In France, public illegal content goes to Pharos.
    PublicContentFrance,
    /// For images taken before the person was 18.
    TakenUnder18,
    /// The person shown can use it with the image file.
    PersonShownCanUse,
}

/// Ranks the directory's helplines for `query`.
pub fn route(directory: &Directory, query: &RouteQuery) -> Route {
    let country = query
        .country
        .as_ref()
        .map(|c| c.trim().to_ascii_uppercase())
        .filter(|c| c.len() == 2);
    let emergency = country
        .as_ref()
        .and_then(|c| directory.emergency.get(c))
        .cloned();
    let situation = query.situation;
    let child_material = situation == Situation::ChildAbuse
        || (situation == Situation::DeepfakeOther && query.minor);

    let mut ranked: Vec<(i32, RankedHelpline)> = Vec::new();
    if child_material {
        ranked.extend(child_abuse_hotlines(directory, country.as_deref()));
    }
    if situation != Situation::ChildAbuse {
        let audience = if query.minor {
            Audience::Minors
        } else {
            Audience::Adults
        };
        for h in &directory.helplines {
            if ranked.iter().any(|(_, r)| r.helpline.id == h.id) {
                continue;
            }
            if let Some(entry) = score(h, situation, audience, country.as_deref(), query.minor) {
                ranked.push(entry);
            }
        }
    }
    // Stable: equal scores keep the directory's order.
    ranked.sort_by_key(|(score, _)| -score);
    let mut helplines: Vec<RankedHelpline> = ranked.into_iter().map(|(_, r)| r).collect();
    if let Some(first) = helplines.first_mut() {
        first.recommended = true;
    }
    Route {
        situation,
        minor: query.minor,
        country,
        emergency,
        evidence: EvidencePolicy::for_situation(if child_material {
            Situation::ChildAbuse
        } else {
            situation
        }),
        helplines,
    }
}

/// The one hotline to report child sexual abuse material to, then alternatives. National
/// INHOPE hotlines first, then national authorities and helplines that take such reports; with
/// none, the IWF, which takes reports of such material hosted anywhere.
fn child_abuse_hotlines(
    directory: &Directory,
    country: Option<&str>,
) -> Vec<(i32, RankedHelpline)> {
    let national: Vec<&Helpline> = directory
        .helplines
        .iter()
        .filter(|h| {
            h.harms.contains(&Situation::ChildAbuse)
                && country.is_some_and(|c| h.countries.iter().any(|hc| hc == c))
        })
        .collect();
    let rank = |h: &Helpline| match (h.inhope, h.kind) {
        (true, _) => 3,
        (false, Kind::Hotline) => 2,
        (false, Kind::Authority) => 1,
        _ => 0,
    };
    let mut chosen: Vec<&Helpline> = national;
    chosen.sort_by_key(|h| -rank(h));
    let fallback = chosen.is_empty();
    if fallback {
        chosen.extend(directory.get("uk-iwf"));
    }
    chosen
        .into_iter()
        .enumerate()
        .map(|(i, h)| {
            let mut reasons = vec![if fallback {
                Reason::GlobalHotline
            } else {
                Reason::InYourCountry
            }];
            reasons.push(if i == 0 {
                Reason::ReportOnce
            } else {
                Reason::AlternativeHotline
            });
            if h.url_only == Some(true) {
                reasons.push(Reason::AddressOnly);
            }
            if h.anonymous == Some(true) {
                reasons.push(Reason::Anonymous);
            }
            (
                1000 - i as i32,
                RankedHelpline {
                    helpline: h.clone(),
                    recommended: false,
                    reasons,
                },
            )
        })
        .collect()
}

fn score(
    h: &Helpline,
    situation: Situation,
    audience: Audience,
    country: Option<&str>,
    minor: bool,
) -> Option<(i32, RankedHelpline)> {
    let worldwide = h.countries.iter().any(|c| c == "*");
    let in_country = country.is_some_and(|c| h.countries.iter().any(|hc| hc == c));
    if !(worldwide || in_country) {
        return None;
    }
    let pharos_rule = h.id == "fr-pharos"
        && in_country
        && matches!(
            situation,
            Situation::OwnImage | Situation::DeepfakeOther | Situation::Harassment
        );
    let handles = h.harms.contains(&situation);
    if !(handles || pharos_rule) {
        return None;
    }
    let take_it_down_adult = h.id == "us-take-it-down" && !minor;
    if !h.serves.contains(&audience) {
        return None;
    }
    let mut reasons = Vec::new();
    let mut points = 0;
    if in_country {
        reasons.push(Reason::InYourCountry);
        points += 100;
    } else {
        reasons.push(Reason::Worldwide);
        points += 50;
    }
    if handles {
        reasons.push(Reason::HandlesThis);
    }
    if pharos_rule {
        reasons.push(Reason::PublicContentFrance);
    }
    reasons.push(match audience {
        Audience::Minors => Reason::ForMinors,
        Audience::Adults => Reason::ForAdults,
    });
    match h.kind {
        Kind::Helpline => points += 30,
        Kind::Hash => points += 20,
        Kind::Authority | Kind::Hotline => points += 10,
    }
    if !h.phone.is_empty() {
        reasons.push(Reason::TalkToSomeone);
        points += 5;
    }
    if h.kind == Kind::Hash {
        reasons.push(Reason::HashOnly);
        // Hash services block re-uploads of one's own image; for someone else's image, the
        // person shown must do it themselves.
        if situation == Situation::DeepfakeOther {
            reasons.push(Reason::PersonShownCanUse);
            points -= 40;
        }
    }
    if take_it_down_adult {
        reasons.push(Reason::TakenUnder18);
        points -= 60;
    }
    if pharos_rule {
        points -= 50;
    }
    if h.anonymous == Some(true) {
        reasons.push(Reason::Anonymous);
    }
    Some((
        points,
        RankedHelpline {
            helpline: h.clone(),
            recommended: false,
            reasons,
        },
    ))
}
