//! The intake's test harness: a server on loopback over a fresh database, SQLite and (when
//! `SENTINELLE_TEST_POSTGRES` names a server, as `make test` does) PostgreSQL; a client.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::net::SocketAddr;
use std::path::PathBuf;

use sentinelle_intake::auth::{self, Role};
use sentinelle_intake::state::{Options, Shared, State};

/// Where a test's database lives.
#[derive(Debug, Clone)]
pub struct Backend {
    pub name: &'static str,
    pub url: String,
    _dir: Option<std::sync::Arc<TempDir>>,
}

/// A temporary directory removed at the end.
#[derive(Debug)]
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "sentinelle-intake-{tag}-{}-{}",
            std::process::id(),
            sentinelle_intake::auth::random_hex(6).unwrap()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A fresh SQLite file.
pub fn sqlite() -> Backend {
    let dir = TempDir::new("sqlite");
    let url = format!("sqlite://{}", dir.0.join("intake.db").display());
    Backend {
        name: "sqlite",
        url,
        _dir: Some(std::sync::Arc::new(dir)),
    }
}

/// A fresh database on the PostgreSQL server named by `SENTINELLE_TEST_POSTGRES`; `None`
/// without one, which under `CI=true` is a failure (CI always starts one).
pub fn postgres() -> Option<Backend> {
    let Ok(server) = std::env::var("SENTINELLE_TEST_POSTGRES") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but SENTINELLE_TEST_POSTGRES is not set: run the intake tests with `make test-intake`, which starts PostgreSQL"
        );
        eprintln!("note: SENTINELLE_TEST_POSTGRES not set; PostgreSQL half skipped (make test-intake runs it)");
        return None;
    };
    let name = format!("intake_{}", sentinelle_intake::auth::random_hex(6).unwrap());
    let url = runtime()
        .block_on(sentinelle_intake::db::create_postgres_database(
            &server, &name,
        ))
        .unwrap();
    Some(Backend {
        name: "postgres",
        url,
        _dir: None,
    })
}

/// SQLite, and PostgreSQL when there is one.
pub fn backends() -> Vec<Backend> {
    let mut all = vec![sqlite()];
    all.extend(postgres());
    all
}

/// A server running on loopback in its own runtime; stopped when dropped.
pub struct Server {
    pub base: String,
    pub addr: SocketAddr,
    pub state: Shared,
    pub backend: Backend,
    rt: Option<tokio::runtime::Runtime>,
}

impl Server {
    pub fn start(backend: &Backend, options: Options) -> Server {
        let rt = runtime();
        let (state, addr) = rt.block_on(async {
            let state = State::open(&backend.url, &options).await.unwrap();
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            tokio::spawn(sentinelle_intake::api::serve(listener, state.clone()));
            (state, addr)
        });
        Server {
            base: format!("http://{addr}"),
            addr,
            state,
            backend: backend.clone(),
            rt: Some(rt),
        }
    }

    /// With rate limits off (tests send many reports from one address).
    pub fn unlimited(backend: &Backend) -> Server {
        Server::start(
            backend,
            Options {
                public_per_minute: 0,
                ..Options::default()
            },
        )
    }

    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.as_ref().unwrap().block_on(f)
    }

    pub fn token(&self, name: &str, role: Role) -> String {
        self.block_on(auth::add_token(&self.state.db, name, role))
            .unwrap()
            .1
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A count from SQL the test writes (no input from elsewhere goes into it).
    pub fn count(&self, sql: &str) -> i64 {
        self.block_on(async {
            let row = sqlx::query(sql)
                .fetch_one(&self.state.db.pool)
                .await
                .unwrap();
            sqlx::Row::try_get::<i64, _>(&row, 0).unwrap()
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_timeout(std::time::Duration::from_secs(5));
        }
    }
}

/// A plain client: no redirects, errors as values.
pub fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .redirects(0)
        .timeout(std::time::Duration::from_secs(30))
        .build()
}

/// An answer: status, headers (lowercase names), body as JSON (or a JSON string when not JSON).
pub struct Answer {
    pub status: u16,
    pub headers: std::collections::HashMap<String, String>,
    pub json: serde_json::Value,
    pub text: String,
}

/// Reads a response, whatever its status.
pub fn answer(result: Result<ureq::Response, ureq::Error>) -> Answer {
    let response = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("transport error: {e}"),
    };
    let status = response.status();
    let headers = response
        .headers_names()
        .into_iter()
        .map(|n| {
            let v = response.header(&n).unwrap_or_default().to_owned();
            (n.to_ascii_lowercase(), v)
        })
        .collect();
    let text = response.into_string().unwrap_or_default();
    let json =
        serde_json::from_str(&text).unwrap_or_else(|_| serde_json::Value::String(text.clone()));
    Answer {
        status,
        headers,
        json,
        text,
    }
}

/// A report as the extension sends it, with a distinct page so each call makes a new case.
pub fn report(page: &str) -> serde_json::Value {
    serde_json::json!({
        "format": "sentinelle-report-1",
        "helpline": "school-counsellor",
        "situation": "own-image",
        "minor": false,
        "country": "FR",
        "language": "fr",
        "page": { "url": page, "title": "Gallery" },
        "captured_at": "2026-11-23T14:05:09Z",
        "images": [],
        "evidence": null,
        "software": { "name": "Sentinelle extension", "version": "0.1.0" }
    })
}

/// POSTs a report; status and answer.
pub fn post(server: &Server, body: &serde_json::Value) -> (u16, serde_json::Value) {
    let a = answer(
        agent()
            .post(&server.url("/v1/reports"))
            .set("content-type", "application/json")
            .send_string(&body.to_string()),
    );
    (a.status, a.json)
}

/// A photo from the shared corpus (the PDQ reference set), or a failure under CI.
pub fn corpus_photo() -> Option<Vec<u8>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/pdq/bridge-mods--aaa-orig.png");
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but {} is missing: {e}",
                path.display()
            );
            eprintln!(
                "note: {} missing; photo near-duplicate test skipped",
                path.display()
            );
            None
        }
    }
}
