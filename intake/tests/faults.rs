//! Faults, with the real binary: a server killed with SIGKILL while reports arrive loses none it
//! acknowledged and, when clients send again, stores none twice; two servers on one PostgreSQL
//! taking reports at once lose and duplicate nothing, and each sees the other's pictures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::{HashMap, HashSet};
use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{agent, answer, report, Backend};
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_sentinelle-intake");

/// A server process; killed when dropped, so a failing test leaves none behind.
struct Process {
    child: Child,
    base: String,
}

impl Process {
    fn start(backend: &Backend) -> Process {
        let mut child = Command::new(BIN)
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--public-per-minute",
                "0",
                "--database",
                &backend.url,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if !sent {
                    if let Some(rest) = line.split("listening on ").nth(1) {
                        let _ = tx.send(
                            rest.split_whitespace()
                                .next()
                                .unwrap_or_default()
                                .to_owned(),
                        );
                        sent = true;
                        continue;
                    }
                }
                eprintln!("[server] {line}");
            }
        });
        let base = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the server said where it listens");
        Process { child, base }
    }

    fn kill(&mut self) {
        let _ = self.child.kill(); // SIGKILL
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

fn send(base: &str, body: &str) -> Result<(u16, String), String> {
    match agent()
        .post(&format!("{base}/v1/reports"))
        .send_string(body)
    {
        Ok(r) => {
            let status = r.status();
            let v: serde_json::Value = r.into_json().map_err(|e| e.to_string())?;
            Ok((status, v["id"].as_str().unwrap_or_default().to_owned()))
        }
        Err(ureq::Error::Status(s, r)) => {
            Err(format!("{s}: {}", r.into_string().unwrap_or_default()))
        }
        Err(e) => Err(e.to_string()),
    }
}

fn count(backend: &Backend, sql: &str) -> i64 {
    common::runtime().block_on(async {
        let db = sentinelle_intake::db::open(&backend.url).await.unwrap();
        let row = sqlx::query(sql).fetch_one(&db.pool).await.unwrap();
        sqlx::Row::try_get::<i64, _>(&row, 0).unwrap()
    })
}

#[test]
fn a_killed_server_keeps_every_acknowledged_report_and_none_twice() {
    for backend in common::backends() {
        let mut server = Process::start(&backend);
        let acknowledged: Arc<Mutex<HashMap<String, String>>> = Default::default();
        let unanswered: Arc<Mutex<Vec<String>>> = Default::default();
        let threads: Vec<_> = (0..6)
            .map(|t| {
                let (base, acknowledged, unanswered) = (
                    server.base.clone(),
                    acknowledged.clone(),
                    unanswered.clone(),
                );
                std::thread::spawn(move || {
                    for i in 0..400 {
                        let body = report(&format!("https://h.example/kill/{t}/{i}")).to_string();
                        match send(&base, &body) {
                            Ok((201, id)) => {
                                acknowledged.lock().unwrap().insert(body, id);
                            }
                            Ok((status, _)) => panic!("unexpected {status}"),
                            Err(_) => {
                                unanswered.lock().unwrap().push(body);
                                return;
                            }
                        }
                    }
                })
            })
            .collect();
        let deadline = Instant::now() + Duration::from_secs(60);
        while acknowledged.lock().unwrap().len() < 150 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        server.kill();
        for t in threads {
            t.join().unwrap();
        }
        let acknowledged = acknowledged.lock().unwrap().clone();
        let unanswered = unanswered.lock().unwrap().clone();
        assert!(
            acknowledged.len() >= 150,
            "{}: only {} acknowledged",
            backend.name,
            acknowledged.len()
        );
        assert!(
            !unanswered.is_empty(),
            "{}: the kill came after every report",
            backend.name
        );
        eprintln!(
            "{}: killed after {} acknowledged, {} in flight",
            backend.name,
            acknowledged.len(),
            unanswered.len()
        );

        let server = Process::start(&backend);
        for (body, id) in &acknowledged {
            let stored = count(
                &backend,
                &format!("SELECT COUNT(*) FROM reports WHERE id = '{id}'"),
            );
            assert_eq!(stored, 1, "{}: acknowledged report {id}", backend.name);
            // The client did not know it arrived and sends it again: the same case, not another.
            assert_eq!(send(&server.base, body).unwrap(), (200, id.clone()));
        }
        for body in &unanswered {
            let (status, _) = send(&server.base, body).unwrap();
            assert!(status == 200 || status == 201, "{status}");
        }
        let distinct = (acknowledged.len() + unanswered.len()) as i64;
        assert_eq!(
            count(&backend, "SELECT COUNT(*) FROM reports"),
            distinct,
            "{}",
            backend.name
        );
        assert_eq!(
            count(&backend, "SELECT COUNT(*) FROM status_history"),
            distinct,
            "{}: one first status each",
            backend.name
        );
    }
}

#[test]
fn two_servers_on_one_postgresql_lose_and_duplicate_nothing() {
    let Some(backend) = common::postgres() else {
        return;
    };
    // Both start at once: the migration runs once.
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| Process::start(&backend));
        let b = s.spawn(|| Process::start(&backend));
        (a.join().unwrap(), b.join().unwrap())
    });
    let shared: Vec<String> = (0..30)
        .map(|i| report(&format!("https://h.example/both/{i}")).to_string())
        .collect();
    let answers: Arc<Mutex<Vec<(String, String)>>> = Default::default();
    std::thread::scope(|s| {
        for t in 0..8 {
            let base = if t % 2 == 0 {
                a.base.clone()
            } else {
                b.base.clone()
            };
            let (shared, answers) = (&shared, answers.clone());
            s.spawn(move || {
                for i in 0..60 {
                    let body = report(&format!("https://h.example/own/{t}/{i}")).to_string();
                    let (status, id) = send(&base, &body).unwrap();
                    assert_eq!(status, 201);
                    answers.lock().unwrap().push((body, id));
                    // Every thread also sends the shared reports, racing the other server.
                    if let Some(body) = shared.get((i + t * 7) % shared.len()) {
                        let (status, id) = send(&base, body).unwrap();
                        assert!(status == 200 || status == 201);
                        answers.lock().unwrap().push((body.clone(), id));
                    }
                }
            });
        }
    });
    let answers = answers.lock().unwrap().clone();
    let mut ids: HashMap<&str, HashSet<&str>> = HashMap::new();
    for (body, id) in &answers {
        ids.entry(body.as_str()).or_default().insert(id.as_str());
    }
    assert!(
        ids.values().all(|set| set.len() == 1),
        "one id per report, whichever server took it"
    );
    assert_eq!(
        count(&backend, "SELECT COUNT(*) FROM reports"),
        ids.len() as i64
    );
    assert_eq!(
        count(&backend, "SELECT COUNT(*) FROM schema_migrations"),
        sentinelle_intake::db::migrations() as i64,
        "each migration ran once"
    );
    assert_eq!(
        count(
            &backend,
            "SELECT COUNT(*) FROM (SELECT DISTINCT value FROM settings) s"
        ),
        2,
        "one receipt key, one token key"
    );

    // A picture reported to one server is a duplicate for the other's next report.
    let pdq = "f".repeat(60) + "0000";
    let near = "f".repeat(60) + "0007";
    let mut first = report("https://h.example/pic/a");
    first["images"] = json!([{ "url": "https://h.example/a.jpg", "pdq": pdq, "pdq_quality": 100 }]);
    let (_, first_id) = send(&a.base, &first.to_string()).unwrap();
    let mut second = report("https://h.example/pic/b");
    second["images"] =
        json!([{ "url": "https://h.example/b.jpg", "pdq": near, "pdq_quality": 100 }]);
    let (_, second_id) = send(&b.base, &second.to_string()).unwrap();
    let token = String::from_utf8(
        Command::new(BIN)
            .args([
                "token",
                "add",
                "test",
                "--role",
                "caseworker",
                "--database",
                &backend.url,
            ])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let case = answer(
        agent()
            .get(&format!("{}/v1/cases/{second_id}", b.base))
            .set("authorization", &format!("Bearer {}", token.trim()))
            .call(),
    );
    assert_eq!(case.status, 200, "{}", case.text);
    assert_eq!(
        case.json["duplicates"],
        json!([{ "id": first_id, "reason": "pdq", "distance": 3 }])
    );
}
