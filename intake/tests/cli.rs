//! The command line: users, tokens and hash lists, with clear errors for bad input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_sentinelle-intake");

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn users_tokens_and_hash_lists_from_the_command_line() {
    for backend in common::backends() {
        let db = backend.url.as_str();
        let o = run(
            &[
                "user",
                "add",
                "alice",
                "--role",
                "caseworker",
                "--database",
                db,
            ],
            "short\n",
        );
        assert!(!o.status.success());
        assert!(text(&o).contains("at least 12 characters"), "{}", text(&o));
        let o = run(
            &[
                "user",
                "add",
                "alice",
                "--role",
                "caseworker",
                "--database",
                db,
            ],
            "a long enough passphrase\n",
        );
        assert!(o.status.success(), "{}", text(&o));
        let o = run(
            &["user", "add", "alice", "--role", "admin", "--database", db],
            "another long passphrase\n",
        );
        assert!(
            !o.status.success() && text(&o).contains("already a user"),
            "{}",
            text(&o)
        );
        let o = run(
            &["user", "add", "bob", "--role", "root", "--database", db],
            "a long enough passphrase\n",
        );
        assert!(
            !o.status.success() && text(&o).contains("caseworker or admin"),
            "{}",
            text(&o)
        );
        let o = run(
            &[
                "user",
                "add",
                "carol",
                "--role",
                "admin",
                "--generate-password",
                "--database",
                db,
            ],
            "",
        );
        assert!(
            o.status.success() && text(&o).contains("password: "),
            "{}",
            text(&o)
        );

        let o = run(
            &[
                "token",
                "add",
                "tool",
                "--role",
                "caseworker",
                "--database",
                db,
            ],
            "",
        );
        let token = String::from_utf8(o.stdout).unwrap();
        assert!(
            token.starts_with("sit_") && token.trim().len() > 50,
            "{token}"
        );

        let dir = common::TempDir::new("cli");
        let good = dir.0.join("list.csv");
        std::fs::write(
            &good,
            format!("{}\n{},80,label\n", "a".repeat(64), "b".repeat(64)),
        )
        .unwrap();
        let o = run(
            &[
                "hashlist",
                "import",
                good.to_str().unwrap(),
                "--name",
                "partner",
                "--database",
                db,
            ],
            "",
        );
        assert!(
            o.status.success() && text(&o).contains("imported 2 hashes"),
            "{}",
            text(&o)
        );
        let bad = dir.0.join("bad.csv");
        std::fs::write(&bad, format!("{}\nnot-a-hash\n", "c".repeat(64))).unwrap();
        let o = run(
            &[
                "hashlist",
                "import",
                bad.to_str().unwrap(),
                "--name",
                "other",
                "--database",
                db,
            ],
            "",
        );
        assert!(
            !o.status.success() && text(&o).contains("line 2"),
            "{}",
            text(&o)
        );
        let o = run(
            &[
                "hashlist",
                "import",
                good.to_str().unwrap(),
                "--name",
                "partner",
                "--database",
                db,
            ],
            "",
        );
        assert!(
            !o.status.success() && text(&o).contains("already a list"),
            "{}",
            text(&o)
        );

        // What is stored: Argon2id hashes only, and the one good list.
        let server = common::Server::unlimited(&backend);
        assert_eq!(
            server.count("SELECT COUNT(*) FROM users WHERE password_hash LIKE '$argon2id$%'"),
            2
        );
        assert_eq!(server.count("SELECT COUNT(*) FROM pdq_hashes"), 2);
        assert_eq!(
            server.state.pdq.len(),
            2,
            "the index is built from the stored lists at start"
        );
    }
}

#[test]
fn a_bad_database_address_is_a_clear_error() {
    for url in [
        "mysql://x",
        "sqlite://",
        "postgres://nobody@127.0.0.1:1/none",
    ] {
        let o = run(
            &["token", "add", "t", "--role", "admin", "--database", url],
            "",
        );
        assert!(!o.status.success());
        assert!(
            text(&o).starts_with("sentinelle-intake: "),
            "{url}: {}",
            text(&o)
        );
    }
}
