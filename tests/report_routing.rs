//! Routing: a table of situations and the helplines the research says fit, in order; the
//! child-abuse rule (one hotline, no pictures); the shipped directory is complete.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use sentinelle::report::directory::{Directory, LANGUAGES};
use sentinelle::report::{route, Reason, RouteQuery, Situation};

fn ids(situation: Situation, minor: bool, country: Option<&str>) -> Vec<String> {
    let directory = Directory::shipped().unwrap();
    let query = RouteQuery {
        situation,
        minor,
        country: country.map(Into::into),
    };
    route(&directory, &query)
        .helplines
        .into_iter()
        .map(|r| r.helpline.id)
        .collect()
}

#[test]
fn situations_route_to_the_helplines_that_fit() {
    use Situation::*;
    // (situation, under 18, country, must be first, must be listed, must not be listed)
    type Case<'a> = (
        Situation,
        bool,
        &'a str,
        &'a str,
        &'a [&'a str],
        &'a [&'a str],
    );
    let table: &[Case] = &[
        // Own image, minor: national service for young people, and Take It Down.
        (
            OwnImage,
            true,
            "FR",
            "fr-3018",
            &["us-take-it-down", "fr-pharos"],
            &["global-stopncii"],
        ),
        (
            OwnImage,
            true,
            "BE",
            "be-child-focus",
            &["us-take-it-down"],
            &["global-stopncii", "be-iefh"],
        ),
        (
            OwnImage,
            true,
            "GB",
            "uk-report-remove",
            &["us-take-it-down"],
            &["uk-rph", "global-stopncii"],
        ),
        (
            OwnImage,
            true,
            "KR",
            "kr-d4u",
            &["us-take-it-down"],
            &["global-stopncii"],
        ),
        // Own image, adult: national helpline and StopNCII.
        (
            OwnImage,
            false,
            "GB",
            "uk-rph",
            &["global-stopncii"],
            &["uk-report-remove"],
        ),
        (
            OwnImage,
            false,
            "FR",
            "fr-3018",
            &["global-stopncii", "fr-pharos"],
            &["be-child-focus"],
        ),
        (
            OwnImage,
            false,
            "AU",
            "au-esafety",
            &["global-stopncii"],
            &[],
        ),
        (OwnImage, false, "KR", "kr-d4u", &["global-stopncii"], &[]),
        // Belgium, adults: the Institute for the Equality of Women and Men (competent by law
        // since July 2020); Child Focus serves minors only.
        (
            OwnImage,
            false,
            "BE",
            "be-iefh",
            &["global-stopncii"],
            &["be-child-focus"],
        ),
        (
            DeepfakeOther,
            false,
            "BE",
            "be-iefh",
            &[],
            &["be-child-focus"],
        ),
        (
            Sextortion,
            false,
            "BE",
            "be-iefh",
            &["global-stopncii"],
            &["be-child-focus"],
        ),
        // A country with no national entry still gets the worldwide hash services.
        (OwnImage, false, "SE", "global-stopncii", &[], &["fr-3018"]),
        (
            OwnImage,
            true,
            "SE",
            "us-take-it-down",
            &[],
            &["global-stopncii"],
        ),
        // Sextortion.
        (
            Sextortion,
            true,
            "US",
            "us-cybertipline",
            &["us-take-it-down"],
            &[],
        ),
        (Sextortion, false, "GB", "uk-rph", &["global-stopncii"], &[]),
        (Sextortion, true, "BE", "be-child-focus", &[], &[]),
        // Child abuse material: the national hotline, one of them.
        (
            ChildAbuse,
            false,
            "FR",
            "fr-pharos",
            &[],
            &["fr-3018", "global-stopncii", "us-take-it-down"],
        ),
        (
            ChildAbuse,
            true,
            "BE",
            "be-child-focus",
            &[],
            &["global-stopncii"],
        ),
        (ChildAbuse, false, "GB", "uk-iwf", &[], &["uk-rph"]),
        (
            ChildAbuse,
            false,
            "US",
            "us-cybertipline",
            &[],
            &["us-take-it-down"],
        ),
        (
            ChildAbuse,
            false,
            "NL",
            "nl-meldpunt",
            &[],
            &["nl-helpwanted"],
        ),
        (ChildAbuse, false, "IT", "it-stop-it", &[], &[]),
        (ChildAbuse, false, "CA", "ca-cybertip", &[], &[]),
        (ChildAbuse, false, "SE", "uk-iwf", &[], &[]),
        // A deepfake of someone else: national helplines; of a minor, the hotline first.
        (DeepfakeOther, false, "FR", "fr-3018", &["fr-pharos"], &[]),
        (DeepfakeOther, true, "FR", "fr-pharos", &["fr-3018"], &[]),
        (
            DeepfakeOther,
            false,
            "NL",
            "nl-helpwanted",
            &[],
            &["nl-meldpunt"],
        ),
        // Harassment.
        (Harassment, true, "FR", "fr-3018", &["fr-pharos"], &[]),
        (Harassment, false, "ES", "es-incibe-017", &[], &[]),
    ];
    for (situation, minor, country, want_first, listed, absent) in table {
        let got = ids(*situation, *minor, Some(country));
        let case = format!("{situation:?} minor={minor} {country}: {got:?}");
        assert_eq!(got.first().map(String::as_str), Some(*want_first), "{case}");
        for id in *listed {
            assert!(got.iter().any(|g| g == id), "{id} missing in {case}");
        }
        for id in *absent {
            assert!(!got.iter().any(|g| g == id), "{id} should not be in {case}");
        }
    }
}

#[test]
fn child_abuse_means_one_hotline_and_no_pictures() {
    let directory = Directory::shipped().unwrap();
    for country in ["FR", "BE", "DE", "GB", "US", "NL", "IT", "SE"] {
        let r = route(
            &directory,
            &RouteQuery {
                situation: Situation::ChildAbuse,
                minor: false,
                country: Some(country.into()),
            },
        );
        assert!(!r.evidence.screenshot && !r.evidence.archive && !r.evidence.image_copy);
        assert!(r.evidence.image_hashes);
        let recommended: Vec<_> = r.helplines.iter().filter(|h| h.recommended).collect();
        assert_eq!(recommended.len(), 1, "{country}");
        assert!(recommended[0].reasons.contains(&Reason::ReportOnce));
        for alt in r.helplines.iter().skip(1) {
            assert!(
                alt.reasons.contains(&Reason::AlternativeHotline),
                "{country}"
            );
        }
        for h in &r.helplines {
            assert_ne!(
                h.helpline.accepts_files,
                Some(true),
                "{} takes files",
                h.helpline.id
            );
        }
    }
    // Germany has two INHOPE hotlines: one recommended, the other an alternative.
    assert_eq!(ids(Situation::ChildAbuse, false, Some("DE")).len(), 2);
    // A deepfake of a minor is treated as child abuse material for evidence.
    let r = route(
        &directory,
        &RouteQuery {
            situation: Situation::DeepfakeOther,
            minor: true,
            country: Some("BE".into()),
        },
    );
    assert!(!r.evidence.screenshot);
}

#[test]
fn emergency_numbers_are_always_given_for_known_countries() {
    let directory = Directory::shipped().unwrap();
    let q = |c: &str| RouteQuery {
        situation: Situation::Harassment,
        minor: true,
        country: Some(c.into()),
    };
    assert_eq!(route(&directory, &q("fr")).emergency.unwrap().number, "112");
    assert_eq!(route(&directory, &q("US")).emergency.unwrap().number, "911");
    assert_eq!(route(&directory, &q("AU")).emergency.unwrap().number, "000");
    assert!(route(&directory, &q("ZZ")).emergency.is_none());
    let none = RouteQuery {
        situation: Situation::OwnImage,
        minor: false,
        country: None,
    };
    let r = route(&directory, &none);
    assert!(r.emergency.is_none());
    assert!(r.helplines.iter().all(|h| h.helpline.countries == ["*"]));
}

#[test]
fn the_shipped_directory_is_complete() {
    let directory = Directory::shipped().unwrap();
    let required = [
        "fr-3018",
        "fr-pharos",
        "be-child-focus",
        "kr-d4u",
        "kr-kcsc",
        "uk-rph",
        "uk-iwf",
        "uk-report-remove",
        "us-cybertipline",
        "us-take-it-down",
        "global-stopncii",
        "au-esafety",
        "ca-cybertip",
        "de-internet-beschwerdestelle",
        "de-jugendschutz",
        "nl-meldpunt",
        "es-incibe-017",
        "it-stop-it",
    ];
    for id in required {
        let h = directory.get(id).unwrap_or_else(|| panic!("{id} missing"));
        for lang in LANGUAGES {
            assert!(!h.names[lang].trim().is_empty(), "{id} {lang}");
        }
        assert!(h.report_url.starts_with("https://"), "{id}");
        assert!(!h.facts.is_empty(), "{id} has no verification record");
        assert!(
            h.intake.is_none() && h.form.prefill.is_none(),
            "{id}: no real helpline has these"
        );
        // Every field it states has a fact saying whether it was verified.
        for field in ["report_url", "countries", "serves"] {
            assert!(
                h.facts.iter().any(|f| f.field == field),
                "{id}: no fact for {field}"
            );
        }
        if !h.phone.is_empty() {
            assert!(
                h.facts.iter().any(|f| f.field == "phone"),
                "{id}: phone unrecorded"
            );
        }
        for f in h.facts.iter().filter(|f| f.status == "verified") {
            assert!(
                f.source.is_some(),
                "{id}: verified {} without a source",
                f.field
            );
        }
    }
}

#[test]
fn organisations_can_add_a_helpline_and_bad_ones_are_refused() {
    let directory = Directory::shipped().unwrap();
    let mut extra: serde_json::Value =
        serde_json::to_value(directory.get("fr-3018").unwrap()).unwrap();
    extra["id"] = "school-counsellor".into();
    extra["intake"] = serde_json::json!({"url": "https://school.example/intake", "format": "sentinelle-report-1"});
    let with = directory.clone().with_extra(&format!("[{extra}]")).unwrap();
    assert!(ids_in(&with, "FR").contains(&"school-counsellor".to_string()));
    for (field, value) in [
        ("id", serde_json::json!("Bad Id")),
        ("report_url", serde_json::json!("http://insecure.example/")),
        ("countries", serde_json::json!(["France"])),
        (
            "intake",
            serde_json::json!({"url": "http://evil.example/", "format": "sentinelle-report-1"}),
        ),
        ("unknown_field", serde_json::json!(1)),
    ] {
        let mut bad = extra.clone();
        bad[field] = value;
        assert!(
            directory.clone().with_extra(&format!("[{bad}]")).is_err(),
            "{field}"
        );
    }
    let mut bad = extra.clone();
    bad["names"].as_object_mut().unwrap().remove("ko");
    assert!(directory.with_extra(&format!("[{bad}]")).is_err());
}

fn ids_in(directory: &Directory, country: &str) -> Vec<String> {
    route(
        directory,
        &RouteQuery {
            situation: Situation::OwnImage,
            minor: false,
            country: Some(country.into()),
        },
    )
    .helplines
    .into_iter()
    .map(|r| r.helpline.id)
    .collect()
}
