//! The intake's API contract, on SQLite and on PostgreSQL: every route, every error code,
//! receipts, evidence, roles, and hostile input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{agent, answer, backends, post, report, Server};
use sentinelle::report::{
    build_bundle, verify_receipt, ArtefactKind, BundleRequest, FileSpec, Receipt,
};
use sentinelle_intake::auth::Role;
use sentinelle_intake::state::Options;
use serde_json::{json, Value};

const DEVICE_SEED: [u8; 32] = [9; 32];

fn bundle(situation: Option<&str>, files: &[(&str, ArtefactKind, &str, &[u8])]) -> Vec<u8> {
    let request = BundleRequest {
        software_name: "Sentinelle test".into(),
        software_version: "1".into(),
        captured_at: "2026-11-23T14:05:09Z".into(),
        url: "https://host.example/g/1".into(),
        title: None,
        situation: situation.map(Into::into),
        images: vec![],
        files: files
            .iter()
            .map(|(name, kind, media, _)| FileSpec {
                name: (*name).into(),
                kind: *kind,
                media_type: (*media).into(),
            })
            .collect(),
    };
    let contents: Vec<&[u8]> = files.iter().map(|f| f.3).collect();
    build_bundle(&request, &contents, &DEVICE_SEED).unwrap()
}

/// What a report says about its evidence file.
fn evidence_ref(zip: &[u8]) -> Value {
    let manifest = sentinelle::report::bundle_file(zip, "manifest.json").unwrap();
    let key = sentinelle::report::public_key_info(&DEVICE_SEED).unwrap();
    json!({
        "file_name": "sentinelle-evidence.zip",
        "manifest_sha256": sentinelle::sha256_hex(&manifest),
        "key_fingerprint": key.fingerprint,
        "public_key": key.public_key,
    })
}

fn put_evidence(server: &Server, id: &str, token: &str, zip: &[u8]) -> common::Answer {
    answer(
        agent()
            .put(&server.url(&format!("/v1/reports/{id}/evidence")))
            .set("authorization", &format!("Bearer {token}"))
            .set("content-type", "application/zip")
            .send_bytes(zip),
    )
}

fn get(server: &Server, path: &str, token: &str) -> common::Answer {
    answer(
        agent()
            .get(&server.url(path))
            .set("authorization", &format!("Bearer {token}"))
            .call(),
    )
}

fn post_json(server: &Server, path: &str, token: &str, body: &Value) -> common::Answer {
    answer(
        agent()
            .post(&server.url(path))
            .set("authorization", &format!("Bearer {token}"))
            .send_string(&body.to_string()),
    )
}

#[test]
fn a_report_is_received_once_with_a_receipt_that_verifies() {
    for backend in backends() {
        let server = Server::unlimited(&backend);
        let body = report("https://host.example/gallery/42").to_string();
        let a = answer(agent().post(&server.url("/v1/reports")).send_string(&body));
        assert_eq!(a.status, 201, "{}: {}", backend.name, a.text);
        let id = a.json["id"].as_str().unwrap().to_owned();
        assert_eq!(id.len(), 20);
        assert_eq!(a.json["evidence_url"], format!("/v1/reports/{id}/evidence"));
        assert!(a.json["evidence_token"].as_str().unwrap().len() >= 40);
        let receipt: Receipt = serde_json::from_value(a.json["receipt"].clone()).unwrap();
        assert_eq!(receipt.report_id, id);
        assert_eq!(receipt.received_at, a.json["received_at"].as_str().unwrap());
        assert_eq!(verify_receipt(&receipt, Some(body.as_bytes())), Ok(()));
        assert!(verify_receipt(&receipt, Some(b"{}")).is_err());
        // The file the extension keeps from this answer checks out offline.
        let kept = sentinelle::report::ReceiptFile {
            format: sentinelle::report::RECEIPT_FILE_FORMAT.into(),
            intake: server.url("/v1/reports"),
            report: body.clone(),
            receipt: receipt.clone(),
        };
        let check =
            sentinelle::report::check_receipt_file(&serde_json::to_vec(&kept).unwrap(), None)
                .unwrap();
        assert!(check.valid, "{check:?}");

        // The same bytes again (a retry after a lost answer): the same case, not a second one.
        let again = answer(agent().post(&server.url("/v1/reports")).send_string(&body));
        assert_eq!(again.status, 200, "{}", backend.name);
        assert_eq!(again.json["id"], id.as_str());
        assert_eq!(again.json["receipt"], a.json["receipt"]);
        assert_eq!(again.json["evidence_token"], a.json["evidence_token"]);
        assert_eq!(server.count("SELECT COUNT(*) FROM reports"), 1);
        // Its first status and the audit line.
        assert_eq!(
            server.count("SELECT COUNT(*) FROM status_history WHERE status = 'new'"),
            1
        );
        assert_eq!(
            server.count("SELECT COUNT(*) FROM audit_log WHERE action = 'report-received'"),
            1
        );
    }
}

#[test]
fn bad_reports_get_a_code_and_nothing_is_stored() {
    for backend in backends() {
        let server = Server::unlimited(&backend);
        let mut unknown_field = report("https://h.example/a");
        unknown_field["name"] = json!("a person's name");
        let mut bad_hash = report("https://h.example/a");
        bad_hash["images"] = json!([{ "url": "https://h.example/i.jpg", "pdq": "zz" }]);
        let mut bad_url = report("javascript:alert(1)");
        bad_url["page"]["title"] = json!("x");
        for (body, what) in [
            ("not json".to_owned(), "not JSON"),
            ("[]".to_owned(), "an array"),
            (json!({"format": "other"}).to_string(), "another format"),
            (unknown_field.to_string(), "an unknown field"),
            (bad_hash.to_string(), "a bad PDQ hash"),
            (bad_url.to_string(), "a script address"),
            ("\u{0}".to_owned(), "a NUL byte"),
        ] {
            let a = answer(agent().post(&server.url("/v1/reports")).send_string(&body));
            assert_eq!(a.status, 400, "{}: {what}: {}", backend.name, a.text);
            assert_eq!(a.json["error"]["code"], "invalid-report", "{what}");
            assert!(
                a.json["error"]["message"].as_str().unwrap().len() < 400,
                "{what}"
            );
        }
        // Too large: said up front, and not said (chunked).
        let huge = "x".repeat(300 * 1024);
        let a = answer(agent().post(&server.url("/v1/reports")).send_string(&huge));
        assert_eq!(
            (a.status, a.json["error"]["code"].as_str()),
            (413, Some("too-large"))
        );
        let a = answer(
            agent()
                .post(&server.url("/v1/reports"))
                .send(std::io::Cursor::new(huge.into_bytes())),
        );
        assert_eq!(
            (a.status, a.json["error"]["code"].as_str()),
            (413, Some("too-large"))
        );
        assert_eq!(
            server.count("SELECT COUNT(*) FROM reports"),
            0,
            "{}",
            backend.name
        );
        // Unknown routes answer in JSON too.
        let a = answer(agent().get(&server.url("/v1/nothing")).call());
        assert_eq!(
            (a.status, a.json["error"]["code"].as_str()),
            (404, Some("not-found"))
        );
    }
}

#[test]
fn one_address_sending_too_many_reports_is_slowed_down() {
    let backend = common::sqlite();
    let server = Server::start(
        &backend,
        Options {
            public_per_minute: 8,
            ..Options::default()
        },
    );
    let statuses: Vec<u16> = (0..6)
        .map(|i| post(&server, &report(&format!("https://h.example/{i}"))).0)
        .collect();
    assert_eq!(&statuses[..2], &[201, 201], "{statuses:?}");
    assert!(statuses.contains(&429), "{statuses:?}");
    let (status, body) = post(&server, &report("https://h.example/last"));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("rate-limited"))
    );
}

#[test]
fn a_sender_that_stalls_is_cut_off_and_the_server_keeps_answering() {
    use std::io::{Read as _, Write as _};
    let backend = common::sqlite();
    let server = Server::start(
        &backend,
        Options {
            public_per_minute: 0,
            body_timeout: std::time::Duration::from_secs(1),
        },
    );
    // Headers that promise a body, a first few bytes, then nothing.
    let mut slow = std::net::TcpStream::connect(server.addr).unwrap();
    slow.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    write!(slow, "POST /v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{{\"format\"").unwrap();
    let started = std::time::Instant::now();
    let mut answer = String::new();
    let _ = slow.read_to_string(&mut answer);
    assert!(
        answer.starts_with("HTTP/1.1 408") || answer.starts_with("HTTP/1.1 413"),
        "{answer}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
    // Others are served all the while.
    assert_eq!(post(&server, &report("https://h.example/after")).0, 201);
}

#[test]
fn cors_is_open_on_the_two_public_routes_only_and_never_with_cookies() {
    let server = Server::unlimited(&common::sqlite());
    let preflight = |path: &str, method: &str| {
        answer(
            agent()
                .request("OPTIONS", &server.url(path))
                .set(
                    "origin",
                    "chrome-extension://abcdefghijklmnopabcdefghijklmnop",
                )
                .set("access-control-request-method", method)
                .set("access-control-request-headers", "content-type")
                .call(),
        )
    };
    let a = preflight("/v1/reports", "POST");
    assert_eq!(
        a.headers
            .get("access-control-allow-origin")
            .map(String::as_str),
        Some("*")
    );
    assert!(!a.headers.contains_key("access-control-allow-credentials"));
    let a = preflight("/v1/reports/0123456789abcdef0123/evidence", "PUT");
    assert_eq!(
        a.headers
            .get("access-control-allow-origin")
            .map(String::as_str),
        Some("*")
    );
    for private in ["/v1/cases", "/v1/export", "/v1/admin/tokens"] {
        let a = preflight(private, "GET");
        assert!(
            !a.headers.contains_key("access-control-allow-origin"),
            "{private}"
        );
    }
}

#[test]
fn evidence_is_checked_against_what_the_report_named() {
    for backend in backends() {
        let server = Server::unlimited(&backend);
        let text: &[u8] = b"A summary the person wrote.";
        let zip = bundle(
            Some("own-image"),
            &[("summary.txt", ArtefactKind::Document, "text/plain", text)],
        );
        let mut r = report("https://h.example/with-evidence");
        r["evidence"] = evidence_ref(&zip);
        let (status, sent) = post(&server, &r);
        assert_eq!(status, 201);
        let id = sent["id"].as_str().unwrap();
        let token = sent["evidence_token"].as_str().unwrap();

        // Wrong or missing token; another report's token.
        assert_eq!(put_evidence(&server, id, "forged", &zip).status, 401);
        let (_, other) = post(&server, &report("https://h.example/other"));
        assert_eq!(
            put_evidence(&server, id, other["evidence_token"].as_str().unwrap(), &zip).status,
            401
        );
        assert_eq!(
            put_evidence(&server, "0123456789abcdef0123", token, &zip).status,
            404
        );
        // Not a zip.
        let a = put_evidence(&server, id, token, b"PK\x03\x04 not really");
        assert_eq!(
            (a.status, a.json["error"]["code"].as_str()),
            (400, Some("bundle-unreadable"))
        );
        // A genuine bundle, but not the one the report named.
        let another = bundle(
            Some("own-image"),
            &[(
                "summary.txt",
                ArtefactKind::Document,
                "text/plain",
                b"other",
            )],
        );
        let a = put_evidence(&server, id, token, &another);
        assert_eq!(a.status, 200, "{}", a.text);
        assert_eq!(a.json["verdict"], "invalid");
        assert_eq!(a.json["problems"], json!(["manifest-mismatch"]));
        // The right one.
        let a = put_evidence(&server, id, token, &zip);
        assert_eq!(a.status, 200, "{}", a.text);
        assert_eq!(a.json, json!({"verdict": "valid", "problems": []}));
        let a = put_evidence(&server, id, token, &zip);
        assert_eq!(
            (a.status, a.json["error"]["code"].as_str()),
            (409, Some("evidence-exists"))
        );
        // A report that named no evidence file.
        let a = put_evidence(
            &server,
            other["id"].as_str().unwrap(),
            other["evidence_token"].as_str().unwrap(),
            &zip,
        );
        assert_eq!(
            (a.status, a.json["error"]["code"].as_str()),
            (409, Some("evidence-not-named"))
        );
        // A tampered file: one byte of the summary changed after signing.
        let tampered = rewrite_entry(
            &zip,
            "artefacts/summary.txt",
            b"A summary the person wrote!",
        );
        let mut r = report("https://h.example/tampered");
        r["evidence"] = evidence_ref(&tampered);
        let (_, sent) = post(&server, &r);
        let a = put_evidence(
            &server,
            sent["id"].as_str().unwrap(),
            sent["evidence_token"].as_str().unwrap(),
            &tampered,
        );
        assert_eq!(a.json["verdict"], "invalid", "{}", backend.name);
        assert_eq!(a.json["problems"], json!(["file-changed"]));
        assert_eq!(
            server.count("SELECT COUNT(*) FROM evidence WHERE bundle IS NOT NULL"),
            2
        );
    }
}

/// The zip with one entry's bytes replaced (the manifest still names the old SHA-256).
fn rewrite_entry(zip: &[u8], path: &str, content: &[u8]) -> Vec<u8> {
    use std::io::{Read as _, Write as _};
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        out.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(if name == path { content } else { &bytes })
            .unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn a_child_abuse_report_never_leaves_a_picture_on_the_server() {
    for backend in backends() {
        let server = Server::unlimited(&backend);
        let png = image_png();
        // 1. A bundle made for another situation, with a screenshot, sent with a child-abuse report.
        let with_screenshot = bundle(
            Some("own-image"),
            &[(
                "screenshot.png",
                ArtefactKind::Screenshot,
                "image/png",
                &png,
            )],
        );
        // 2. A child-abuse bundle whose "document" is a picture.
        let disguised = bundle(
            Some("child-abuse"),
            &[("notes.txt", ArtefactKind::Document, "text/plain", &png)],
        );
        for (zip, what) in [
            (with_screenshot, "screenshot"),
            (disguised, "picture called a document"),
        ] {
            let mut r = report(&format!("https://h.example/ca/{what}"));
            r["situation"] = json!("child-abuse");
            r["minor"] = json!(true);
            r["evidence"] = evidence_ref(&zip);
            let (status, sent) = post(&server, &r);
            assert_eq!(status, 201);
            let a = put_evidence(
                &server,
                sent["id"].as_str().unwrap(),
                sent["evidence_token"].as_str().unwrap(),
                &zip,
            );
            assert_eq!(
                (a.status, a.json["error"]["code"].as_str()),
                (422, Some("forbidden-content")),
                "{}: {what}",
                backend.name
            );
        }
        // 3. A text-only child-abuse bundle verifies, and is still not kept.
        let text_only = bundle(
            Some("child-abuse"),
            &[(
                "notes.txt",
                ArtefactKind::Document,
                "text/plain",
                b"Where I saw it.",
            )],
        );
        let mut r = report("https://h.example/ca/text");
        r["situation"] = json!("child-abuse");
        r["evidence"] = evidence_ref(&text_only);
        let (_, sent) = post(&server, &r);
        let a = put_evidence(
            &server,
            sent["id"].as_str().unwrap(),
            sent["evidence_token"].as_str().unwrap(),
            &text_only,
        );
        assert_eq!(a.json["verdict"], "valid", "{}", a.text);
        assert_eq!(server.count("SELECT COUNT(*) FROM evidence"), 3);
        assert_eq!(
            server.count("SELECT COUNT(*) FROM evidence WHERE bundle IS NOT NULL"),
            0,
            "{}",
            backend.name
        );
        assert_eq!(
            server.count("SELECT COUNT(*) FROM evidence WHERE verdict = 'refused'"),
            2
        );
    }
}

fn image_png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 5) as u8, 90])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[test]
fn case_workers_and_admins_have_the_routes_of_their_role_only() {
    for backend in backends() {
        let server = Server::unlimited(&backend);
        let worker = server.token("alice", Role::Caseworker);
        let admin = server.token("root", Role::Admin);
        post(&server, &report("https://h.example/1"));
        // Signed out, forged, malformed, and a real id with the wrong secret.
        let real_id = worker.split('_').nth(1).unwrap();
        for bad in [
            "",
            "sit_x",
            "sit_000000000000_nope",
            &format!("sit_{real_id}_wrongsecret"),
            "Basic abc",
        ] {
            let a = get(&server, "/v1/cases", bad);
            assert_eq!(
                (a.status, a.json["error"]["code"].as_str()),
                (401, Some("unauthorized")),
                "{bad:?}"
            );
        }
        assert_eq!(
            answer(agent().get(&server.url("/v1/cases")).call()).status,
            401
        );
        assert_eq!(get(&server, "/v1/cases", &worker).status, 200);
        for (method, path) in [
            ("GET", "/v1/admin/tokens"),
            ("GET", "/v1/admin/audit"),
            ("POST", "/v1/admin/tokens"),
            ("POST", "/v1/admin/hashlists?name=x"),
            ("POST", "/v1/admin/tokens/000000000000/disable"),
        ] {
            let a = answer(
                agent()
                    .request(method, &server.url(path))
                    .set("authorization", &format!("Bearer {worker}"))
                    .send_string("{}"),
            );
            assert_eq!(
                (a.status, a.json["error"]["code"].as_str()),
                (403, Some("forbidden")),
                "{method} {path}"
            );
        }
        // An admin makes a token, it works, the admin disables it, it stops at once.
        let a = post_json(
            &server,
            "/v1/admin/tokens",
            &admin,
            &json!({"name": "bob", "role": "caseworker"}),
        );
        assert_eq!(a.status, 201, "{}", a.text);
        let bob = a.json["token"].as_str().unwrap().to_owned();
        assert_eq!(get(&server, "/v1/cases", &bob).status, 200);
        let a = post_json(
            &server,
            &format!(
                "/v1/admin/tokens/{}/disable",
                a.json["id"].as_str().unwrap()
            ),
            &admin,
            &json!({}),
        );
        assert_eq!(a.status, 200);
        assert_eq!(get(&server, "/v1/cases", &bob).status, 401);
        let tokens = get(&server, "/v1/admin/tokens", &admin);
        assert_eq!(tokens.json["tokens"].as_array().unwrap().len(), 3);
        assert!(
            !tokens.text.contains("argon2"),
            "hashes never leave the server"
        );
        // Tokens are stored as Argon2id hashes only.
        assert_eq!(
            server.count("SELECT COUNT(*) FROM tokens WHERE secret_hash LIKE '$argon2id$%'"),
            3
        );
        let audit = get(&server, "/v1/admin/audit", &admin);
        let actions: Vec<&str> = audit.json["audit"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["action"].as_str().unwrap())
            .collect();
        assert!(
            actions.contains(&"token-added")
                && actions.contains(&"token-disabled")
                && actions.contains(&"queue-viewed"),
            "{actions:?}"
        );
    }
}

#[test]
fn the_queue_puts_child_abuse_and_minors_first_and_a_case_moves_through_its_statuses() {
    for backend in backends() {
        let server = Server::unlimited(&backend);
        let worker = server.token("alice", Role::Caseworker);
        let mut ids = std::collections::HashMap::new();
        for (name, situation, minor) in [
            ("adult", "own-image", false),
            ("sextortion", "sextortion", false),
            ("minor", "own-image", true),
            ("abuse", "child-abuse", false),
        ] {
            let mut r = report(&format!("https://h.example/{name}"));
            r["situation"] = json!(situation);
            r["minor"] = json!(minor);
            let (status, sent) = post(&server, &r);
            assert_eq!(status, 201);
            ids.insert(name, sent["id"].as_str().unwrap().to_owned());
        }
        let queue = get(&server, "/v1/cases", &worker);
        let order: Vec<&str> = queue.json["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            order,
            vec![
                &ids["abuse"],
                &ids["minor"],
                &ids["sextortion"],
                &ids["adult"]
            ],
            "{}",
            backend.name
        );

        let id = &ids["minor"];
        for (status, note) in [
            ("in-review", "looking"),
            ("sent-to-platform", "notice sent to the host"),
            ("removed", "gone"),
        ] {
            let a = post_json(
                &server,
                &format!("/v1/cases/{id}/status"),
                &worker,
                &json!({"status": status, "note": note, "hosting_country": "NL", "site_type": "image-host"}),
            );
            assert_eq!(a.status, 200, "{}", a.text);
            assert_eq!(a.json["status"], status);
        }
        let case = get(&server, &format!("/v1/cases/{id}"), &worker);
        let history: Vec<&str> = case.json["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["status"].as_str().unwrap())
            .collect();
        assert_eq!(history, ["new", "in-review", "sent-to-platform", "removed"]);
        assert_eq!(case.json["history"][2]["note"], "notice sent to the host");
        assert_eq!(case.json["history"][2]["actor"], "token:alice");
        assert_eq!(case.json["case"]["hosting_country"], "NL");
        // Filters.
        let removed = get(&server, "/v1/cases?status=removed", &worker);
        assert_eq!(removed.json["cases"].as_array().unwrap().len(), 1);
        let abuse = get(&server, "/v1/cases?situation=child-abuse", &worker);
        assert_eq!(abuse.json["cases"][0]["id"], ids["abuse"].as_str());
        // Bad changes and queries.
        for body in [
            json!({"status": "deleted"}),
            json!({"status": "closed", "hosting_country": "nl"}),
            json!({"note": "no status"}),
            json!({"status": "closed", "extra": 1}),
        ] {
            let a = post_json(&server, &format!("/v1/cases/{id}/status"), &worker, &body);
            assert_eq!(
                (a.status, a.json["error"]["code"].as_str()),
                (400, Some("invalid-status")),
                "{body}"
            );
        }
        assert_eq!(
            post_json(
                &server,
                "/v1/cases/0123456789abcdef0123/status",
                &worker,
                &json!({"status": "closed"})
            )
            .status,
            404
        );
        assert_eq!(get(&server, "/v1/cases/nope", &worker).status, 404);
        let a = get(&server, "/v1/cases?status=x", &worker);
        assert_eq!(
            (a.status, a.json["error"]["code"].as_str()),
            (400, Some("invalid-query"))
        );

        // Export: the ICCAM-like fields, CSV and JSON.
        let a = get(&server, "/v1/export?format=csv", &worker);
        assert_eq!(a.status, 200);
        assert!(a.headers["content-type"].starts_with("text/csv"));
        let mut lines = a.text.lines();
        assert_eq!(lines.next().unwrap(), "id,received_at,url,hosting_country,reporter_country,helpline,classification,minor,site_type,status,actions_taken,evidence");
        let row = a.text.lines().find(|l| l.starts_with(id.as_str())).unwrap();
        assert!(
            row.contains(",NL,FR,school-counsellor,own-image,true,image-host,removed,in-review@"),
            "{row}"
        );
        let a = get(&server, "/v1/export?format=json", &worker);
        assert_eq!(a.json["cases"].as_array().unwrap().len(), 4);
        assert_eq!(get(&server, "/v1/export?format=xml", &worker).status, 400);
    }
}

#[test]
fn duplicates_are_found_by_address_file_hash_picture_and_hash_list() {
    let Some(photo) = common::corpus_photo() else {
        return;
    };
    let original = sentinelle::hash_image(&photo).unwrap();
    // The same photo made smaller and saved again as a JPEG: other bytes, a near PDQ hash.
    let resized = {
        let img = image::load_from_memory(&photo).unwrap().resize(
            320,
            320,
            image::imageops::FilterType::Triangle,
        );
        let mut out = std::io::Cursor::new(Vec::new());
        img.to_rgb8()
            .write_to(&mut out, image::ImageFormat::Jpeg)
            .unwrap();
        out.into_inner()
    };
    let near = sentinelle::hash_image(&resized).unwrap();
    let (a_pdq, b_pdq) = (original.pdq.as_ref().unwrap(), near.pdq.as_ref().unwrap());
    let distance = sentinelle::pdq_distance(&a_pdq.hash, &b_pdq.hash).unwrap();
    assert!(
        distance > 0 && distance <= 31,
        "the resized copy is a near duplicate ({distance} bits)"
    );
    assert_ne!(original.sha256, near.sha256);

    for backend in backends() {
        let server = Server::unlimited(&backend);
        let worker = server.token("alice", Role::Caseworker);
        let admin = server.token("root", Role::Admin);
        let image = |url: &str, h: &sentinelle::ImageHashes| json!({"url": url, "md5": h.md5, "sha256": h.sha256, "pdq": h.pdq.as_ref().unwrap().hash, "pdq_quality": h.pdq.as_ref().unwrap().quality});
        let send = |page: &str, images: Value| {
            let mut r = report(page);
            r["images"] = images;
            let (status, sent) = post(&server, &r);
            assert_eq!(status, 201, "{sent}");
            sent["id"].as_str().unwrap().to_owned()
        };
        let first = send(
            "https://host.example/gallery/42",
            json!([image("https://cdn.example/a.jpg", &original)]),
        );
        let same_page = send(
            "HTTPS://HOST.example:443/gallery/42/?utm_source=x#top",
            json!([]),
        );
        let same_file = send(
            "https://mirror.example/p/1",
            json!([image("https://mirror.example/a.jpg", &original)]),
        );
        let resized_copy = send(
            "https://third.example/x",
            json!([image("https://third.example/small.jpg", &near)]),
        );
        let unrelated = send("https://else.example/y", json!([]));

        let dups = |id: &str| -> Vec<(String, String, u64)> {
            let a = get(&server, &format!("/v1/cases/{id}"), &worker);
            assert_eq!(a.status, 200, "{}", a.text);
            let mut all: Vec<(String, String, u64)> = a.json["duplicates"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| {
                    (
                        d["id"].as_str().unwrap().to_owned(),
                        d["reason"].as_str().unwrap().to_owned(),
                        d["distance"].as_u64().unwrap(),
                    )
                })
                .collect();
            all.sort();
            all
        };
        let mut want = vec![
            (same_page.clone(), "url".to_owned(), 0),
            (same_file.clone(), "md5".to_owned(), 0),
            (same_file.clone(), "pdq".to_owned(), 0),
            (same_file.clone(), "sha256".to_owned(), 0),
            (resized_copy.clone(), "pdq".to_owned(), u64::from(distance)),
        ];
        want.sort();
        assert_eq!(dups(&first), want, "{}", backend.name);
        assert_eq!(dups(&unrelated), vec![]);
        assert!(dups(&resized_copy).contains(&(
            first.clone(),
            "pdq".to_owned(),
            u64::from(distance)
        )));

        // A hash list with the original's hash: the later report of the resized copy meets it,
        // and a new report with a listed picture is raised in the queue.
        let list = format!("hash,quality,label\n{},100,known-set-7\n", a_pdq.hash);
        let a = answer(
            agent()
                .post(&server.url("/v1/admin/hashlists?name=partner-list"))
                .set("authorization", &format!("Bearer {admin}"))
                .send_string(&list),
        );
        assert_eq!(a.status, 201, "{}", a.text);
        assert_eq!(a.json["entries"], 1);
        assert!(dups(&resized_copy).contains(&(
            "partner-list".to_owned(),
            "hashlist".to_owned(),
            u64::from(distance)
        )));
        let listed = send(
            "https://fourth.example/z",
            json!([image("https://fourth.example/z.jpg", &near)]),
        );
        let queue = get(&server, "/v1/cases", &worker);
        assert_eq!(
            queue.json["cases"][0]["id"],
            listed.as_str(),
            "a hash-list hit comes before ordinary cases"
        );
        let a = answer(
            agent()
                .post(&server.url("/v1/admin/hashlists?name=partner-list"))
                .set("authorization", &format!("Bearer {admin}"))
                .send_string(&list),
        );
        assert_eq!(a.status, 409, "a list name is used once");
        let a = answer(
            agent()
                .post(&server.url("/v1/admin/hashlists?name=bad"))
                .set("authorization", &format!("Bearer {admin}"))
                .send_string("abc\n"),
        );
        assert_eq!(
            (a.status, a.json["error"]["code"].as_str()),
            (400, Some("invalid-hashlist"))
        );
    }
}

#[test]
fn hostile_text_is_kept_as_data_everywhere() {
    let script = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'; DROP TABLE reports; --";
    for backend in backends() {
        let server = Server::unlimited(&backend);
        let worker = server.token("alice", Role::Caseworker);
        let mut r = report(&format!("https://h.example/p?q={}", urlencode(script)));
        r["page"]["title"] = json!(script);
        r["helpline"] = json!("x'--");
        let (status, body) = post(&server, &r);
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (400, Some("invalid-report")),
            "a helpline id is letters and digits"
        );
        r["helpline"] = json!("fr-3018");
        r["software"] = json!({"name": script, "version": "=HYPERLINK(\"http://evil\")"});
        r["images"] = json!([{"url": format!("https://h.example/{}", urlencode(script))}]);
        let (status, sent) = post(&server, &r);
        assert_eq!(status, 201, "{sent}");
        let id = sent["id"].as_str().unwrap();
        let case = get(&server, &format!("/v1/cases/{id}"), &worker);
        assert_eq!(case.headers["content-type"], "application/json");
        assert_eq!(case.headers["x-content-type-options"], "nosniff");
        assert!(case.headers["content-security-policy"].contains("default-src 'none'"));
        assert_eq!(case.json["case"]["page_title"], script);
        assert_eq!(case.json["report"]["software"]["name"], script);
        // SQL metacharacters in a query parameter are a bad value, not SQL.
        let a = get(
            &server,
            &format!("/v1/cases?status={}", urlencode("new' OR '1'='1")),
            &worker,
        );
        assert_eq!(a.status, 400);
        let a = get(
            &server,
            &format!("/v1/cases/{}", urlencode("x' OR '1'='1")),
            &worker,
        );
        assert_eq!(a.status, 404);
        assert_eq!(server.count("SELECT COUNT(*) FROM reports"), 1);
        // In the CSV export, nothing a spreadsheet would run.
        let a = post_json(
            &server,
            &format!("/v1/cases/{id}/status"),
            &worker,
            &json!({"status": "in-review", "site_type": "=cmd|' /C calc'!A0"}),
        );
        assert_eq!(a.status, 200);
        let csv = get(&server, "/v1/export?format=csv", &worker).text;
        assert!(csv.contains("'=cmd|"), "{csv}");
        assert!(!csv.contains(",=cmd"), "{csv}");
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
