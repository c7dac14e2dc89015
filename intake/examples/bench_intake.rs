//! Reports accepted per second and their latency, on SQLite or PostgreSQL, with a bounded load
//! generator on loopback (a benchmark that prints numbers, not a test).
//!
//!   cargo run --release -p sentinelle-intake --example bench_intake -- [--clients N] [--seconds S]
//!   bash scripts/with-postgres.sh cargo run --release -p sentinelle-intake --example bench_intake -- --postgres
//!
//! The server runs in this process on a runtime of its own; N client threads each send one
//! report at a time (closed loop: the load is bounded by N), every report distinct, each with
//! one image (addresses, MD5, SHA-256 and a PDQ hash, as the extension sends). Both share the
//! machine's cores, as a helpline's small server would with its proxy.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::{Duration, Instant};

use sentinelle_intake::state::{Options, State};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() {
    let clients: usize = arg("--clients").map_or(16, |v| v.parse().unwrap());
    let seconds: u64 = arg("--seconds").map_or(10, |v| v.parse().unwrap());
    let postgres = std::env::args().any(|a| a == "--postgres");
    let dir = std::env::temp_dir().join(format!("sentinelle-bench-intake-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = if postgres {
        let server = std::env::var("SENTINELLE_TEST_POSTGRES")
            .expect("--postgres needs scripts/with-postgres.sh");
        let name = format!("bench_{}", std::process::id());
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(sentinelle_intake::db::create_postgres_database(
                &server, &name,
            ))
            .unwrap()
    } else {
        format!("sqlite://{}", dir.join("bench.db").display())
    };

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let addr = rt.block_on(async {
        let state = State::open(
            &url,
            &Options {
                public_per_minute: 0,
                ..Options::default()
            },
        )
        .await
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(sentinelle_intake::api::serve(listener, state));
        addr
    });
    let base = format!("http://{addr}/v1/reports");

    let run = |label: &str, duration: Duration| {
        let stop = Instant::now() + duration;
        let started = Instant::now();
        let threads: Vec<_> = (0..clients)
            .map(|t| {
                let base = base.clone();
                let label = label.to_owned();
                std::thread::spawn(move || {
                    let agent = ureq::AgentBuilder::new().build();
                    let mut latencies = Vec::new();
                    let mut i = 0u64;
                    while Instant::now() < stop {
                        i += 1;
                        let mut seed = (t as u64) << 40 | i;
                        let mut hex = |n: usize| {
                            (0..n)
                                .map(|_| {
                                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                                    char::from_digit(((seed >> 60) & 15) as u32, 16).unwrap()
                                })
                                .collect::<String>()
                        };
                        let body = serde_json::json!({
                            "format": "sentinelle-report-1", "helpline": "fr-3018", "situation": "own-image",
                            "minor": false, "country": "FR", "language": "fr",
                            "page": {"url": format!("https://host.example/{label}/{t}/{i}"), "title": "Gallery"},
                            "captured_at": "2026-11-23T14:05:09Z",
                            "images": [{"url": format!("https://cdn.example/{label}/{t}/{i}.jpg"), "md5": hex(32), "sha256": hex(64), "pdq": hex(64), "pdq_quality": 100}],
                            "evidence": null,
                            "software": {"name": "Sentinelle extension", "version": "0.1.0"}
                        })
                        .to_string();
                        let t0 = Instant::now();
                        let r = agent.post(&base).set("content-type", "application/json").send_string(&body);
                        let took = t0.elapsed();
                        match r {
                            Ok(r) if r.status() == 201 => latencies.push(took),
                            Ok(r) => panic!("status {}", r.status()),
                            Err(e) => panic!("{e}"),
                        }
                    }
                    latencies
                })
            })
            .collect();
        let mut all: Vec<Duration> = threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect();
        let elapsed = started.elapsed();
        all.sort();
        let pct = |p: f64| all[((all.len() as f64 - 1.0) * p) as usize].as_secs_f64() * 1000.0;
        (
            all.len() as f64 / elapsed.as_secs_f64(),
            pct(0.5),
            pct(0.99),
            all.len(),
        )
    };
    // Warm-up (connections, page cache), then the measured run.
    run("warm", Duration::from_secs(2));
    let (rate, p50, p99, n) = run("measure", Duration::from_secs(seconds));
    println!(
        "{}: {n} reports in {seconds} s with {clients} clients: {rate:.0} reports/s, p50 {p50:.2} ms, p99 {p99:.2} ms",
        if postgres { "postgres" } else { "sqlite" }
    );
    drop(rt);
    let _ = std::fs::remove_dir_all(&dir);
}
