//! `sentinelle-intake`: the helpline intake's command line (docs/intake.md).

use std::io::Read as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sentinelle_intake::auth::{self, Role};
use sentinelle_intake::state::{Options, State};
use sentinelle_intake::{api, db, hashlist};

const DEFAULT_DB: &str = "sqlite://intake.db";

#[derive(Parser)]
#[command(
    name = "sentinelle-intake",
    version,
    about = "A helpline's intake for Sentinelle reports"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serves the API.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8720")]
        listen: String,
        #[arg(long, default_value = DEFAULT_DB)]
        database: String,
        /// Reports and evidence uploads one address may send per minute (0: no limit, e.g.
        /// behind a proxy that limits).
        #[arg(long, default_value_t = 60)]
        public_per_minute: u32,
    },
    /// People who will sign in to the pages.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// API tokens for case workers' tools and admins.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Lists of known PDQ hashes to match reports against.
    Hashlist {
        #[command(subcommand)]
        action: HashlistAction,
    },
}

#[derive(Subcommand)]
enum UserAction {
    /// Adds a user; the password is read from standard input (or made and printed with
    /// --generate-password).
    Add {
        name: String,
        #[arg(long)]
        role: String,
        #[arg(long, default_value = DEFAULT_DB)]
        database: String,
        #[arg(long)]
        generate_password: bool,
    },
}

#[derive(Subcommand)]
enum TokenAction {
    /// Makes a token and prints it (it is shown once; only its hash is kept).
    Add {
        name: String,
        #[arg(long)]
        role: String,
        #[arg(long, default_value = DEFAULT_DB)]
        database: String,
    },
}

#[derive(Subcommand)]
enum HashlistAction {
    /// Imports a CSV file: one PDQ hash per line, optionally `,quality,label`.
    Import {
        file: std::path::PathBuf,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = DEFAULT_DB)]
        database: String,
    },
}

fn role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| format!("--role is caseworker or admin, not {text:?}"))
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Serve {
            listen,
            database,
            public_per_minute,
        } => {
            let state = State::open(
                &database,
                &Options {
                    public_per_minute,
                    ..Options::default()
                },
            )
            .await
            .map_err(|e| e.to_string())?;
            let listener = tokio::net::TcpListener::bind(&listen)
                .await
                .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            eprintln!(
                "sentinelle-intake: listening on http://{addr} ({} PDQ hashes indexed)",
                state.pdq.len()
            );
            api::serve(listener, state).await.map_err(|e| e.to_string())
        }
        Command::User {
            action:
                UserAction::Add {
                    name,
                    role: r,
                    database,
                    generate_password,
                },
        } => {
            let role = role(&r)?;
            let db = db::open(&database).await.map_err(|e| e.to_string())?;
            let password = if generate_password {
                auth::random_hex(12)?
            } else {
                let mut text = String::new();
                std::io::stdin()
                    .take(1024)
                    .read_to_string(&mut text)
                    .map_err(|e| e.to_string())?;
                text.trim_end_matches(['\r', '\n']).to_owned()
            };
            auth::add_user(&db, &name, role, &password).await?;
            if generate_password {
                println!(
                    "user {name} ({}) added; password: {password}",
                    role.as_str()
                );
            } else {
                println!("user {name} ({}) added", role.as_str());
            }
            Ok(())
        }
        Command::Token {
            action:
                TokenAction::Add {
                    name,
                    role: r,
                    database,
                },
        } => {
            let role = role(&r)?;
            let db = db::open(&database).await.map_err(|e| e.to_string())?;
            let (_, token) = auth::add_token(&db, &name, role).await?;
            println!("{token}");
            Ok(())
        }
        Command::Hashlist {
            action:
                HashlistAction::Import {
                    file,
                    name,
                    database,
                },
        } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let entries = hashlist::parse(&text)?;
            let db = db::open(&database).await.map_err(|e| e.to_string())?;
            let n = hashlist::import(&db, &name, &entries).await?;
            println!("imported {n} hashes as {name:?}");
            Ok(())
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sentinelle-intake: {e}");
            ExitCode::FAILURE
        }
    }
}
