//! Removal notices for the platform hosting the content, in the form the law asks: EU Digital
//! Services Act article 16 and the US TAKE IT DOWN Act (48 hours). Texts and legal references
//! are data (`data/notices.json`, documented in `docs/notices.md`); this fills them in.
//!
//! Filling rule: `{placeholder}`s are replaced by the values given; a line whose placeholders
//! are all empty is dropped (so "Name: {name}" disappears when a child-abuse notice is sent
//! without a name, which the DSA allows).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::directory::Situation;
use crate::Error;

/// The shipped notice templates.
pub const NOTICES_JSON: &str = include_str!("../../data/notices.json");

const PLACEHOLDERS: [&str; 10] = [
    "urls",
    "explanation",
    "name",
    "email",
    "contact",
    "signature",
    "date",
    "hashes",
    "platform",
    "reference",
];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoticeFile {
    schema: u32,
    #[allow(dead_code)]
    checked: String,
    notices: Vec<NoticeTemplate>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoticeTemplate {
    id: String,
    law: Law,
    #[allow(dead_code)]
    applies: String,
    deadline_hours: Option<u32>,
    requires: Vec<String>,
    omit_identity_for: Vec<Situation>,
    texts: BTreeMap<String, Text>,
    explanations: BTreeMap<Situation, BTreeMap<String, String>>,
    disclaimer: BTreeMap<String, String>,
}

/// The law a notice rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Law {
    pub name: String,
    pub source: String,
    pub verified: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Text {
    subject: String,
    body: String,
}

/// What to fill a notice with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeRequest {
    /// `eu-dsa-16` or `us-take-it-down-act`.
    pub notice: String,
    pub situation: Option<Situation>,
    /// The person's language; English is always added.
    pub language: String,
    /// Addresses of the content, one per line in the notice.
    pub urls: Vec<String>,
    /// Hashes to list (e.g. `SHA-256 …`, `PDQ …`).
    #[serde(default)]
    pub hashes: Vec<String>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub signature: String,
    /// The date to print (the caller's clock), e.g. `2026-11-23`.
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub platform: String,
    #[serde(default)]
    pub reference: String,
}

/// A filled notice in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub id: String,
    pub language: String,
    pub subject: String,
    pub body: String,
    pub disclaimer: String,
    pub law: Law,
    pub deadline_hours: Option<u32>,
    /// Elements the law requires that are still empty (`name`, `email`, `signature`,
    /// `contact`): the person must add them before sending.
    pub missing: Vec<String>,
}

/// The notice in the person's language and in English (once, if the person's is English).
/// A language without a text falls back to English alone.
pub fn render_notices(request: &NoticeRequest) -> Result<Vec<Notice>, Error> {
    let file: NoticeFile = serde_json::from_str(NOTICES_JSON)
        .map_err(|e| Error::invalid(format!("the notice templates are not valid: {e}")))?;
    if file.schema != 1 {
        return Err(Error::invalid("the notice templates are not schema 1"));
    }
    let template = file
        .notices
        .iter()
        .find(|n| n.id == request.notice)
        .ok_or_else(|| Error::invalid(format!("no notice {:?}", request.notice)))?;
    if request.urls.is_empty() {
        return Err(Error::invalid("a notice needs the address of the content"));
    }
    for url in &request.urls {
        super::bundle::check_url("content address", url)?;
    }
    let mut languages = Vec::new();
    let wanted = request.language.split(['-', '_']).next().unwrap_or("en");
    if template.texts.contains_key(wanted) {
        languages.push(wanted.to_owned());
    }
    if !languages.iter().any(|l| l == "en") {
        languages.push("en".to_owned());
    }
    languages
        .iter()
        .map(|language| render(template, request, language))
        .collect()
}

fn render(
    template: &NoticeTemplate,
    request: &NoticeRequest,
    language: &str,
) -> Result<Notice, Error> {
    let text = template
        .texts
        .get(language)
        .ok_or_else(|| Error::invalid(format!("no {language} text for {}", template.id)))?;
    let explanation = request
        .situation
        .and_then(|s| template.explanations.get(&s))
        .and_then(|by_lang| by_lang.get(language).or_else(|| by_lang.get("en")))
        .cloned()
        .unwrap_or_default();
    let omit_identity = request
        .situation
        .is_some_and(|s| template.omit_identity_for.contains(&s));
    let values: BTreeMap<&str, String> = [
        ("urls", request.urls.join("\n")),
        ("explanation", explanation),
        ("name", one_line(&request.name)),
        ("email", one_line(&request.email)),
        ("contact", one_line(&request.contact)),
        ("signature", one_line(&request.signature)),
        ("date", one_line(&request.date)),
        (
            "hashes",
            request
                .hashes
                .iter()
                .map(|h| one_line(h))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ("platform", one_line(&request.platform)),
        ("reference", one_line(&request.reference)),
    ]
    .into_iter()
    .collect();
    let missing = template
        .requires
        .iter()
        .filter(|element| {
            let identity = matches!(element.as_str(), "name" | "email");
            values
                .get(element.as_str())
                .is_some_and(|v| v.trim().is_empty())
                && !(identity && omit_identity)
        })
        .cloned()
        .collect();
    Ok(Notice {
        id: template.id.clone(),
        language: language.to_owned(),
        subject: fill(&text.subject, &values),
        body: fill(&text.body, &values),
        disclaimer: template
            .disclaimer
            .get(language)
            .or_else(|| template.disclaimer.get("en"))
            .cloned()
            .unwrap_or_default(),
        law: template.law.clone(),
        deadline_hours: template.deadline_hours,
        missing,
    })
}

/// Values are the person's words and page addresses: keep each on one line, so it cannot add
/// lines that look like part of the legal text.
fn one_line(value: &str) -> String {
    value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

fn fill(template: &str, values: &BTreeMap<&str, String>) -> String {
    let mut out = Vec::new();
    for line in template.split('\n') {
        // One pass, so a value that happens to contain "{email}" is not filled in again.
        let (mut text, mut rest) = (String::new(), line);
        let (mut used, mut filled_any) = (false, false);
        while let Some(start) = rest.find('{') {
            let (before, from) = rest.split_at(start);
            text.push_str(before);
            let name = from
                .get(1..)
                .and_then(|f| f.find('}').map(|end| (f, end)))
                .and_then(|(f, end)| f.get(..end))
                .filter(|n| PLACEHOLDERS.contains(n));
            match name {
                Some(name) => {
                    let value = values.get(name).map(String::as_str).unwrap_or_default();
                    used = true;
                    filled_any |= !value.trim().is_empty();
                    text.push_str(value);
                    rest = from.get(name.len() + 2..).unwrap_or_default();
                }
                None => {
                    text.push('{');
                    rest = from.get(1..).unwrap_or_default();
                }
            }
        }
        text.push_str(rest);
        if !used || filled_any {
            out.push(text);
        }
    }
    out.join("\n")
}
