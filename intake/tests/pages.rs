//! The case workers' pages, as a browser without JavaScript uses them: sign in, the queue, a
//! case, a status change, pictures, roles, CSRF, escaping, languages.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{post, report, Server};
use sentinelle_intake::auth::{self, Role};
use serde_json::json;

/// A browser: keeps the cookies the intake sets, follows nothing by itself.
struct Browser<'a> {
    server: &'a Server,
    cookies: std::collections::BTreeMap<String, String>,
    lang: Option<&'static str>,
}

struct Page {
    status: u16,
    location: Option<String>,
    set_cookies: Vec<String>,
    csp: Option<String>,
    content_type: String,
    body: Vec<u8>,
}

impl Page {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The value of the first hidden `csrf` field.
    fn csrf(&self) -> String {
        let text = self.text();
        let at = text
            .find("name=\"csrf\" value=\"")
            .expect("a form with a CSRF token");
        text[at + 19..].split('"').next().unwrap().to_owned()
    }
}

impl<'a> Browser<'a> {
    fn new(server: &'a Server) -> Self {
        Browser {
            server,
            cookies: Default::default(),
            lang: None,
        }
    }

    fn send(&mut self, method: &str, path: &str, form: Option<&[(&str, &str)]>) -> Page {
        let agent = ureq::AgentBuilder::new().redirects(0).build();
        let mut request = agent.request(method, &self.server.url(path));
        if !self.cookies.is_empty() {
            let header: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            request = request.set("cookie", &header.join("; "));
        }
        if let Some(lang) = self.lang {
            request = request.set("accept-language", lang);
        }
        let result = match form {
            Some(fields) => request.send_form(fields),
            None => request.call(),
        };
        let response = match result {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{e}"),
        };
        let set_cookies: Vec<String> = response
            .all("set-cookie")
            .into_iter()
            .map(str::to_owned)
            .collect();
        for c in &set_cookies {
            let pair = c.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            if v.is_empty() || c.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
        let page = Page {
            status: response.status(),
            location: response.header("location").map(str::to_owned),
            csp: response
                .header("content-security-policy")
                .map(str::to_owned),
            content_type: response
                .header("content-type")
                .unwrap_or_default()
                .to_owned(),
            set_cookies,
            body: {
                let mut b = Vec::new();
                std::io::Read::read_to_end(&mut response.into_reader(), &mut b).unwrap();
                b
            },
        };
        page
    }

    fn get(&mut self, path: &str) -> Page {
        self.send("GET", path, None)
    }

    fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        self.send("POST", path, Some(form))
    }

    fn sign_in(&mut self, name: &str, password: &str) -> Page {
        let csrf = self.get("/login").csrf();
        self.post(
            "/login",
            &[("name", name), ("password", password), ("csrf", &csrf)],
        )
    }
}

fn user(server: &Server, name: &str, role: Role) {
    server
        .block_on(auth::add_user(
            &server.state.db,
            name,
            role,
            "correct horse battery staple",
        ))
        .unwrap();
}

#[test]
fn signing_in_and_out() {
    for backend in common::backends() {
        let server = Server::unlimited(&backend);
        user(&server, "alice", Role::Caseworker);
        let mut b = Browser::new(&server);
        // Signed out: every page sends to the sign-in form.
        let p = b.get("/queue");
        assert_eq!(
            (p.status, p.location.as_deref()),
            (303, Some("/login?lang=en"))
        );
        // The form's CSRF token is required; a wrong password is refused calmly.
        let p = b.post(
            "/login",
            &[
                ("name", "alice"),
                ("password", "correct horse battery staple"),
                ("csrf", "forged"),
            ],
        );
        assert_eq!(p.status, 403, "{}", backend.name);
        let p = b.sign_in("alice", "wrong password here");
        assert_eq!(p.status, 401);
        assert!(p.text().contains("do not match an active account"));
        let p = b.sign_in("nobody", "correct horse battery staple");
        assert_eq!(p.status, 401, "an unknown name looks like a wrong password");
        let p = b.sign_in("alice", "correct horse battery staple");
        assert_eq!(
            (p.status, p.location.as_deref()),
            (303, Some("/queue?lang=en"))
        );
        let session = p
            .set_cookies
            .iter()
            .find(|c| c.starts_with("sentinelle_session="))
            .unwrap();
        assert!(
            session.contains("HttpOnly")
                && session.contains("SameSite=Strict")
                && session.contains("Max-Age=28800"),
            "{session}"
        );
        assert!(
            !session.contains("Secure"),
            "no Secure flag on loopback, where the browser would drop it"
        );
        let p = b.get("/queue");
        assert_eq!(p.status, 200);
        assert!(p.text().contains("alice"));
        // Signing out needs the session's CSRF token too.
        let csrf = p.csrf();
        assert_eq!(b.post("/logout", &[("csrf", "forged")]).status, 403);
        assert_eq!(b.get("/queue").status, 200, "still signed in");
        let p = b.post("/logout", &[("csrf", &csrf)]);
        assert_eq!(p.status, 303);
        assert_eq!(b.get("/queue").status, 303, "signed out");
        assert_eq!(server.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('signed-in', 'signed-out', 'sign-in-failed')"), 4);
        // Sessions are stored as hashes only.
        let token = session
            .split(';')
            .next()
            .unwrap()
            .split_once('=')
            .unwrap()
            .1;
        assert_eq!(
            server.count(&format!(
                "SELECT COUNT(*) FROM sessions WHERE id_hash = '{token}'"
            )),
            0
        );
    }
}

#[test]
fn sign_in_attempts_are_limited_per_address() {
    let server = Server::unlimited(&common::sqlite());
    user(&server, "alice", Role::Caseworker);
    let mut b = Browser::new(&server);
    let statuses: Vec<u16> = (0..8)
        .map(|_| b.sign_in("alice", "wrong password here").status)
        .collect();
    assert!(statuses.contains(&429), "{statuses:?}");
    assert!(
        b.sign_in("alice", "correct horse battery staple").status == 429,
        "even the right password waits"
    );
}

#[test]
fn the_queue_and_a_case_with_its_duplicates_and_a_status_change() {
    for backend in common::backends() {
        let server = Server::unlimited(&backend);
        user(&server, "alice", Role::Caseworker);
        let pdq = "f".repeat(60) + "0000";
        let near = "f".repeat(60) + "000f";
        let send = |page: &str, situation: &str, minor: bool, hash: &str| {
            let mut r = report(page);
            r["situation"] = json!(situation);
            r["minor"] = json!(minor);
            r["images"] =
                json!([{ "url": format!("{page}.jpg"), "pdq": hash, "pdq_quality": 100 }]);
            post(&server, &r).1["id"].as_str().unwrap().to_owned()
        };
        let adult = send("https://h.example/gallery/1", "own-image", false, &pdq);
        let same_page = send(
            "https://h.example/gallery/1?utm_source=x",
            "harassment",
            false,
            &"0".repeat(64),
        );
        let minor = send("https://other.example/p", "own-image", true, &near);
        let abuse = send(
            "https://third.example/q",
            "child-abuse",
            false,
            &"1".repeat(64),
        );

        let mut b = Browser::new(&server);
        b.sign_in("alice", "correct horse battery staple");
        let queue = b.get("/queue").text();
        let order: Vec<usize> = [&abuse, &minor, &adult, &same_page]
            .iter()
            .map(|id| queue.find(&format!("data-case=\"{id}\"")).unwrap())
            .collect();
        assert!(
            order.windows(2).all(|w| w[0] < w[1]),
            "child abuse, then the minor, then the rest: {order:?}"
        );
        assert!(
            !queue.contains("href=\"https://h.example"),
            "addresses are text, not links"
        );

        let case = b.get(&format!("/cases/{adult}")).text();
        assert!(
            case.contains(&format!(
                "<li data-reason=\"url\"><a href=\"/cases/{same_page}?lang=en\">"
            )),
            "{case}"
        );
        assert!(
            case.contains(&format!(
                "<li data-reason=\"pdq\"><a href=\"/cases/{minor}?lang=en\">"
            )),
            "{case}"
        );
        assert!(case.contains("4 bits apart"));

        // A status change: refused without the form's token, taken with it, shown in the history.
        let csrf = b.get(&format!("/cases/{adult}")).csrf();
        let change = [
            ("status", "sent-to-platform"),
            ("note", "Notice sent to the host <b>today</b>"),
            ("hosting_country", "nl"),
            ("site_type", "image host"),
        ];
        let mut forged = change.to_vec();
        forged.push(("csrf", "forged"));
        assert_eq!(
            b.post(&format!("/cases/{adult}/status"), &forged).status,
            403
        );
        let mut good = change.to_vec();
        good.push(("csrf", &csrf));
        let p = b.post(&format!("/cases/{adult}/status"), &good);
        assert_eq!(
            (p.status, p.location.clone()),
            (303, Some(format!("/cases/{adult}?lang=en")))
        );
        let case = b.get(&format!("/cases/{adult}")).text();
        assert!(case.contains("sent to the platform — user:alice"), "{case}");
        assert!(
            case.contains("Notice sent to the host &lt;b&gt;today&lt;/b&gt;"),
            "the note is text"
        );
        assert!(case.contains("<dd>NL</dd>"));
        assert_eq!(server.count("SELECT COUNT(*) FROM audit_log WHERE action = 'status-changed' AND actor = 'user:alice'"), 1);
        // The export, from the pages' session.
        let csv = b.get("/export.csv");
        assert!(csv.content_type.starts_with("text/csv"));
        assert!(csv.text().contains(",NL,FR,school-counsellor,own-image,false,image host,sent-to-platform,sent-to-platform@"));
        // The API's reading routes take the session too; its changing routes do not.
        assert_eq!(b.get("/v1/cases").status, 200);
        assert_eq!(
            b.post(
                &format!("/v1/cases/{adult}/status"),
                &[("status", "closed")]
            )
            .status,
            401
        );
        // A case that does not exist.
        assert_eq!(b.get("/cases/0123456789abcdef0123").status, 404);
    }
}

#[test]
fn roles_escaping_languages_and_the_policy_that_allows_no_script() {
    let server = Server::unlimited(&common::sqlite());
    user(&server, "alice", Role::Caseworker);
    user(&server, "root", Role::Admin);
    let script = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    let mut r = report(&format!("https://h.example/{}", "p"));
    r["page"]["title"] = json!(script);
    r["software"] = json!({"name": script, "version": "1"});
    let id = post(&server, &r).1["id"].as_str().unwrap().to_owned();

    let mut worker = Browser::new(&server);
    worker.sign_in("alice", "correct horse battery staple");
    for page in ["/admin", "/audit"] {
        assert_eq!(worker.get(page).status, 403, "{page}");
    }
    let users = server.count("SELECT COUNT(*) FROM users");
    let worker_csrf = worker.get("/queue").csrf();
    let p = worker.post(
        "/admin/users",
        &[
            ("csrf", &worker_csrf),
            ("name", "eve"),
            ("role", "admin"),
            ("password", "another long password"),
        ],
    );
    assert_eq!(p.status, 403);
    assert_eq!(
        server.count("SELECT COUNT(*) FROM users"),
        users,
        "a case worker cannot add users"
    );
    let p = worker.get(&format!("/cases/{id}"));
    let text = p.text();
    assert!(text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!text.contains("<script"), "no script element anywhere");
    assert!(!text.contains("<img src=x"));
    let csp = p.csp.unwrap();
    assert!(
        csp.contains("default-src 'none'")
            && csp.contains("form-action 'self'")
            && !csp.contains("unsafe"),
        "{csp}"
    );
    assert!(p.content_type.starts_with("text/html"));

    // French, by the browser's languages or by the link.
    worker.lang = Some("fr-BE,fr;q=0.9");
    assert!(worker.get("/queue").text().contains("File d’attente"));
    worker.lang = None;
    assert!(worker
        .get(&format!("/cases/{id}?lang=fr"))
        .text()
        .contains("<dt>Titre de la page</dt>"));
    let fr = worker.get("/queue?lang=fr").text();
    assert!(
        fr.contains("<html lang=\"fr\">") && fr.contains("abus sur enfant")
            || fr.contains("File d’attente")
    );

    // An admin adds a user and a token through the pages, then disables the user: their
    // session ends at once.
    let mut admin = Browser::new(&server);
    admin.sign_in("root", "correct horse battery staple");
    let csrf = admin.get("/admin").csrf();
    let p = admin.post(
        "/admin/users",
        &[
            ("csrf", &csrf),
            ("name", "bob"),
            ("role", "caseworker"),
            ("password", "bob's long password"),
        ],
    );
    assert_eq!(p.status, 303);
    let mut bob = Browser::new(&server);
    assert_eq!(bob.sign_in("bob", "bob's long password").status, 303);
    assert_eq!(bob.get("/queue").status, 200);
    let p = admin.post(
        "/admin/tokens",
        &[("csrf", &csrf), ("name", "tool"), ("role", "caseworker")],
    );
    let token = p
        .text()
        .split("id=\"new-token\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert!(token.starts_with("sit_"));
    let a = common::answer(
        common::agent()
            .get(&server.url("/v1/cases"))
            .set("authorization", &format!("Bearer {token}"))
            .call(),
    );
    assert_eq!(a.status, 200);
    assert_eq!(
        admin
            .post("/admin/users/disable", &[("csrf", &csrf), ("name", "bob")])
            .status,
        303
    );
    assert_eq!(
        bob.get("/queue").status,
        303,
        "a disabled user is signed out"
    );
    let audit = admin.get("/audit").text();
    for action in [
        "user-added",
        "token-added",
        "user-disabled",
        "case-viewed",
        "signed-in",
    ] {
        assert!(audit.contains(action), "{action}");
    }
}

#[test]
fn pictures_are_blurred_until_asked_for_and_never_exist_for_child_abuse() {
    use sentinelle::report::{
        build_bundle, public_key_info, ArtefactKind, BundleRequest, FileSpec,
    };
    let server = Server::unlimited(&common::sqlite());
    user(&server, "alice", Role::Caseworker);
    let png = {
        let img = image::RgbImage::from_fn(64, 48, |x, y| {
            image::Rgb([(x * 4) as u8, (y * 5) as u8, 90])
        });
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    };
    let seed = [3u8; 32];
    let zip = build_bundle(
        &BundleRequest {
            software_name: "t".into(),
            software_version: "1".into(),
            captured_at: "2026-11-23T10:00:00Z".into(),
            url: "https://h.example/pic".into(),
            title: None,
            situation: Some("own-image".into()),
            images: vec![],
            files: vec![FileSpec {
                name: "screenshot.png".into(),
                kind: ArtefactKind::Screenshot,
                media_type: "image/png".into(),
            }],
        },
        &[&png],
        &seed,
    )
    .unwrap();
    let manifest = sentinelle::report::bundle_file(&zip, "manifest.json").unwrap();
    let key = public_key_info(&seed).unwrap();
    let mut r = report("https://h.example/pic");
    r["evidence"] = json!({"manifest_sha256": sentinelle::sha256_hex(&manifest), "key_fingerprint": key.fingerprint});
    let sent = post(&server, &r).1;
    let id = sent["id"].as_str().unwrap().to_owned();
    let a = common::answer(
        common::agent()
            .put(&server.url(&format!("/v1/reports/{id}/evidence")))
            .set(
                "authorization",
                &format!("Bearer {}", sent["evidence_token"].as_str().unwrap()),
            )
            .send_bytes(&zip),
    );
    assert_eq!(a.json["verdict"], "valid", "{}", a.text);

    let mut b = Browser::new(&server);
    b.sign_in("alice", "correct horse battery staple");
    let case = b.get(&format!("/cases/{id}")).text();
    assert!(case.contains(&format!("src=\"/cases/{id}/pictures/0/blurred\"")));
    assert!(
        !case.contains("/pictures/0/full"),
        "the full picture is one more step away"
    );
    let blurred = b.get(&format!("/cases/{id}/pictures/0/blurred"));
    assert_eq!(blurred.content_type, "image/png");
    let small = image::load_from_memory(&blurred.body).unwrap();
    assert!(
        small.width() <= 12 && small.height() <= 12,
        "{}x{}",
        small.width(),
        small.height()
    );
    assert_eq!(
        server.count("SELECT COUNT(*) FROM audit_log WHERE action = 'picture-shown'"),
        0
    );
    let shown = b.get(&format!("/cases/{id}/pictures/0"));
    assert!(shown
        .text()
        .contains(&format!("/cases/{id}/pictures/0/full")));
    let full = b.get(&format!("/cases/{id}/pictures/0/full"));
    assert_eq!(full.body, png, "the picture as captured");
    assert_eq!(server.count("SELECT COUNT(*) FROM audit_log WHERE action = 'picture-shown' AND actor = 'user:alice'"), 1);
    // Signed out: nothing.
    assert_eq!(
        Browser::new(&server)
            .get(&format!("/cases/{id}/pictures/0/full"))
            .status,
        303
    );

    // A child-abuse case: the notice, and no picture route answers.
    let mut r = report("https://h.example/ca");
    r["situation"] = json!("child-abuse");
    let ca = post(&server, &r).1["id"].as_str().unwrap().to_owned();
    let page = b.get(&format!("/cases/{ca}")).text();
    assert!(page.contains("never hold pictures"));
    for route in ["", "/blurred", "/full"] {
        assert_eq!(b.get(&format!("/cases/{ca}/pictures/0{route}")).status, 404);
    }
}
