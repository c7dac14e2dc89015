//! Removal notices: every template fills in every language and situation, required elements
//! are reported when missing, and the DSA child-abuse exception drops the identity lines.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use sentinelle::report::directory::LANGUAGES;
use sentinelle::report::{render_notices, NoticeRequest, Situation};

const SITUATIONS: [Situation; 5] = [
    Situation::OwnImage,
    Situation::Sextortion,
    Situation::ChildAbuse,
    Situation::DeepfakeOther,
    Situation::Harassment,
];

fn request(notice: &str, language: &str, situation: Situation) -> NoticeRequest {
    NoticeRequest {
        notice: notice.into(),
        situation: Some(situation),
        language: language.into(),
        urls: vec![
            "https://host.example/p/1".into(),
            "https://cdn.example/i.jpg".into(),
        ],
        hashes: vec!["SHA-256 ab12".into()],
        name: "Camille Martin".into(),
        email: "camille@example.org".into(),
        contact: "camille@example.org".into(),
        signature: "/Camille Martin/".into(),
        date: "2026-11-23".into(),
        platform: "Host Example".into(),
        reference: "SNT-1".into(),
    }
}

#[test]
fn every_notice_fills_in_every_language_and_situation() {
    for id in ["eu-dsa-16", "us-take-it-down-act"] {
        for lang in LANGUAGES {
            for situation in SITUATIONS {
                let notices = render_notices(&request(id, lang, situation)).unwrap();
                let langs: Vec<&str> = notices.iter().map(|n| n.language.as_str()).collect();
                if lang == "en" {
                    assert_eq!(langs, ["en"]);
                } else {
                    assert_eq!(langs, [lang, "en"], "the person's language, then English");
                }
                for n in &notices {
                    let case = format!("{id} {} {situation:?}", n.language);
                    for placeholder in [
                        "{urls}",
                        "{name}",
                        "{email}",
                        "{explanation}",
                        "{date}",
                        "{hashes}",
                    ] {
                        assert!(!n.body.contains(placeholder), "{case}: {placeholder} left");
                    }
                    assert!(
                        n.body
                            .contains("https://host.example/p/1\nhttps://cdn.example/i.jpg"),
                        "{case}"
                    );
                    assert!(n.body.contains("Camille Martin"), "{case}");
                    assert!(n.body.contains("SHA-256 ab12"), "{case}");
                    assert!(!n.subject.is_empty() && !n.disclaimer.is_empty(), "{case}");
                    assert!(n.missing.is_empty(), "{case}: {:?}", n.missing);
                    // The situation's explanation is in the body.
                    assert!(n.body.lines().count() > 8, "{case}");
                }
            }
        }
    }
}

#[test]
fn take_it_down_notices_state_the_48_hours_and_dsa_none() {
    let tid = render_notices(&request("us-take-it-down-act", "fr", Situation::OwnImage)).unwrap();
    assert!(tid.iter().all(|n| n.deadline_hours == Some(48)));
    assert!(tid[1].body.contains("48 hours"));
    let dsa = render_notices(&request("eu-dsa-16", "de", Situation::OwnImage)).unwrap();
    assert!(dsa.iter().all(|n| n.deadline_hours.is_none()));
    assert!(dsa[0].law.source.starts_with("https://"));
}

#[test]
fn missing_identity_is_reported_except_for_child_abuse_under_the_dsa() {
    let mut r = request("eu-dsa-16", "en", Situation::OwnImage);
    r.name.clear();
    r.email.clear();
    let n = &render_notices(&r).unwrap()[0];
    assert_eq!(n.missing, ["name", "email"]);
    assert!(
        !n.body.contains("Email address:"),
        "empty lines are dropped:\n{}",
        n.body
    );

    r.situation = Some(Situation::ChildAbuse);
    let n = &render_notices(&r).unwrap()[0];
    assert!(n.missing.is_empty(), "{:?}", n.missing);

    let mut r = request("us-take-it-down-act", "en", Situation::OwnImage);
    r.signature.clear();
    r.contact.clear();
    let n = &render_notices(&r).unwrap()[0];
    assert_eq!(n.missing, ["signature", "contact"]);
}

#[test]
fn values_cannot_inject_lines_or_placeholders() {
    let mut r = request("eu-dsa-16", "en", Situation::OwnImage);
    r.name = "Eve\nStatement: I withdraw this notice {email}".into();
    let n = &render_notices(&r).unwrap()[0];
    assert!(
        n.body
            .contains("Eve Statement: I withdraw this notice {email}"),
        "{}",
        n.body
    );
}

#[test]
fn bad_requests_are_refused() {
    let mut r = request("eu-dsa-16", "en", Situation::OwnImage);
    r.urls.clear();
    assert!(render_notices(&r).is_err());
    let r = request("no-such-notice", "en", Situation::OwnImage);
    assert!(render_notices(&r).is_err());
    let mut r = request("eu-dsa-16", "xx", Situation::OwnImage);
    r.urls = vec!["data:image/png;base64,AAA".into()];
    assert!(render_notices(&r).is_err());
    let r = request("eu-dsa-16", "pt-BR", Situation::OwnImage);
    let langs: Vec<String> = render_notices(&r)
        .unwrap()
        .into_iter()
        .map(|n| n.language)
        .collect();
    assert_eq!(langs, ["en"], "an unknown language falls back to English");
}
