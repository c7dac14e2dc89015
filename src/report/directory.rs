//! The helpline directory: a data file (`data/helplines.json`, documented in
//! `docs/helplines.md`) compiled into the engine, plus helplines an organisation adds (managed
//! policy), validated by the same schema. Every stated fact carries its verification status and
//! source in the data.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::bundle::check_url;
use crate::Error;

/// The shipped directory, as JSON.
pub const HELPLINES_JSON: &str = include_str!("../../data/helplines.json");

/// The seven languages every helpline name must have.
pub const LANGUAGES: [&str; 7] = ["en", "fr", "nl", "de", "ko", "es", "it"];

/// What happened, as the person says it in the report flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Situation {
    /// A sexual image or deepfake of me is online.
    OwnImage,
    /// Someone threatens to share one (sextortion).
    Sextortion,
    /// I found sexual images of a child.
    ChildAbuse,
    /// A sexual deepfake of someone I know.
    DeepfakeOther,
    /// Harassment.
    Harassment,
}

impl Situation {
    /// The kebab-case name used in manifests and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Situation::OwnImage => "own-image",
            Situation::Sextortion => "sextortion",
            Situation::ChildAbuse => "child-abuse",
            Situation::DeepfakeOther => "deepfake-other",
            Situation::Harassment => "harassment",
        }
    }
}

/// Who a helpline serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Audience {
    Minors,
    Adults,
}

/// What sort of service it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// People to talk to, who help with takedown.
    Helpline,
    /// A report hotline for child sexual abuse material and illegal content (INHOPE style).
    Hotline,
    /// Hash-on-device blocking (StopNCII, Take It Down): the image never leaves the device.
    Hash,
    /// A government portal or regulator.
    Authority,
}

/// The directory file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Directory {
    /// Layout version (1).
    pub schema: u32,
    /// When the facts were last checked.
    pub checked: String,
    /// The services.
    pub helplines: Vec<Helpline>,
    /// Emergency numbers by country (ISO 3166-1 alpha-2).
    pub emergency: BTreeMap<String, Emergency>,
}

/// One service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Helpline {
    pub id: String,
    /// Name per language (all of [`LANGUAGES`]).
    pub names: BTreeMap<String, String>,
    pub organisation: String,
    /// Countries served, upper-case ISO codes; `["*"]` for anywhere.
    pub countries: Vec<String>,
    pub serves: Vec<Audience>,
    pub harms: Vec<Situation>,
    pub kind: Kind,
    pub inhope: bool,
    pub phone: Vec<Phone>,
    /// The official page where a report starts.
    pub report_url: String,
    pub form: Form,
    /// Accepts a report that is only an address; `None` when unknown.
    pub url_only: Option<bool>,
    pub anonymous: Option<bool>,
    pub accepts_files: Option<bool>,
    pub email: Option<String>,
    /// A JSON intake endpoint (none of the shipped ones has one; organisations may add one).
    pub intake: Option<Intake>,
    pub languages: Vec<String>,
    /// A sentence or two a person should know, per language (`en` at least).
    pub notes: BTreeMap<String, String>,
    /// Verification status of each stated fact.
    pub facts: Vec<Fact>,
}

/// A phone line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phone {
    /// As written locally.
    pub number: String,
    /// Digits and `+` only, for a `tel:` link.
    pub tel: String,
    pub hours: Option<String>,
    pub free: Option<bool>,
}

/// What the official form asks, and whether it can be opened prefilled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Form {
    pub asks: Vec<String>,
    /// A URL template the form accepts prefilled; `None` for every shipped helpline.
    pub prefill: Option<Prefill>,
}

/// A form that accepts values in its address. `url` holds placeholders `{url}`, `{title}`,
/// `{time}`, `{situation}`, `{summary}`, replaced by percent-encoded values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prefill {
    pub url: String,
}

/// A JSON endpoint that takes reports in the format of `docs/report-format.md`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Intake {
    pub url: String,
    /// Always `sentinelle-report-1`.
    pub format: String,
}

/// One fact's verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    pub field: String,
    /// `verified` or `unverified`.
    pub status: String,
    pub source: Option<String>,
    pub checked: Option<String>,
}

/// A country's emergency numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Emergency {
    pub number: String,
    pub police: Option<String>,
    pub child: Option<String>,
}

/// The format name an intake must declare.
pub const INTAKE_FORMAT: &str = "sentinelle-report-1";

impl Directory {
    /// The shipped directory.
    pub fn shipped() -> Result<Directory, Error> {
        Directory::parse(HELPLINES_JSON)
    }

    /// Parses and validates a directory.
    pub fn parse(json: &str) -> Result<Directory, Error> {
        let directory: Directory = serde_json::from_str(json)
            .map_err(|e| Error::invalid(format!("the helpline directory is not valid: {e}")))?;
        directory.validate()?;
        Ok(directory)
    }

    /// Adds helplines an organisation configured (a JSON array of helpline entries, same
    /// schema). An id that exists already replaces the shipped entry.
    pub fn with_extra(mut self, extra_json: &str) -> Result<Directory, Error> {
        let extra: Vec<Helpline> = serde_json::from_str(extra_json)
            .map_err(|e| Error::invalid(format!("the added helplines are not valid: {e}")))?;
        for helpline in extra {
            validate_helpline(&helpline)?;
            self.helplines.retain(|h| h.id != helpline.id);
            self.helplines.push(helpline);
        }
        Ok(self)
    }

    fn validate(&self) -> Result<(), Error> {
        if self.schema != 1 {
            return Err(Error::invalid("the helpline directory is not schema 1"));
        }
        let mut ids: Vec<&str> = Vec::new();
        for helpline in &self.helplines {
            validate_helpline(helpline)?;
            if ids.contains(&helpline.id.as_str()) {
                return Err(Error::invalid(format!("helpline id {} twice", helpline.id)));
            }
            ids.push(&helpline.id);
        }
        for (country, emergency) in &self.emergency {
            if !is_country(country) || !is_tel(&emergency.number) {
                return Err(Error::invalid(format!(
                    "emergency entry {country} is not a country code with a number"
                )));
            }
        }
        Ok(())
    }

    /// The helpline with this id.
    pub fn get(&self, id: &str) -> Option<&Helpline> {
        self.helplines.iter().find(|h| h.id == id)
    }
}

fn validate_helpline(h: &Helpline) -> Result<(), Error> {
    let bad = |why: &str| Err(Error::invalid(format!("helpline {:?}: {why}", h.id)));
    let id_ok = !h.id.is_empty()
        && h.id.len() <= 64
        && h.id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !id_ok {
        return bad("the id must be lowercase letters, digits and '-'");
    }
    if let Some(lang) = LANGUAGES.iter().find(|l| !h.names.contains_key(**l)) {
        return bad(&format!("no name in {lang}"));
    }
    if !h.notes.contains_key("en") {
        return bad("no note in en");
    }
    if h.countries.is_empty() || !h.countries.iter().all(|c| c == "*" || is_country(c)) {
        return bad("countries must be ISO codes like FR, or *");
    }
    if h.serves.is_empty() || h.harms.is_empty() {
        return bad("it must serve someone and handle some harm");
    }
    if !h.report_url.starts_with("https://") || check_url("report address", &h.report_url).is_err()
    {
        return bad("the report address must be https");
    }
    if h.phone.iter().any(|p| !is_tel(&p.tel)) {
        return bad("a tel value must be digits, with an optional leading +");
    }
    if let Some(intake) = &h.intake {
        let local = intake.url.starts_with("http://127.0.0.1:")
            || intake.url.starts_with("http://localhost:");
        if !(intake.url.starts_with("https://") || local) || intake.format != INTAKE_FORMAT {
            return bad("an intake must be https and declare sentinelle-report-1");
        }
    }
    if let Some(prefill) = &h.form.prefill {
        if !prefill.url.starts_with("https://") && !prefill.url.starts_with("http://127.0.0.1:") {
            return bad("a prefill address must be https");
        }
    }
    if h.facts
        .iter()
        .any(|f| f.status != "verified" && f.status != "unverified")
    {
        return bad("a fact's status is verified or unverified");
    }
    Ok(())
}

fn is_country(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())
}

fn is_tel(tel: &str) -> bool {
    let digits = tel.strip_prefix('+').unwrap_or(tel);
    !digits.is_empty() && digits.len() <= 20 && digits.bytes().all(|b| b.is_ascii_digit())
}
