//! Mail ingestion throughput: N messages through `Desk::ingest_mail`, the
//! code path of `mesa mail ingest` and of the IMAP poller, on SQLite and
//! PostgreSQL (when MESA_TEST_POSTGRES_URL is set). Also times a few
//! hundred real `mesa mail ingest` processes, to show the per-process cost
//! an MTA pipe adds.
//!
//! Two in-process runs on fresh databases: one ingester (one mailbox, one
//! MTA pipe at a time), then `MESA_BENCH_MAIL_CLIENTS` concurrent ones
//! (several mailboxes, or an MTA delivering in parallel).
//!
//! `MESA_BENCH_MAILS` (10000), `MESA_BENCH_MAIL_CLIENTS` (4),
//! `MESA_BENCH_MAIL_PROCESSES` (200), `MESA_BENCH_DB` (`sqlite`, `postgres`, `both`).

#![forbid(unsafe_code)]

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mesa_app::{BlobStore, Desk, DeskSettings, IngestOutcome, MailIdentity, Store};
use mesa_testkit::{Db, TestDb};

const SUPPORT: &str = "soporte@villaesperanza.gov.co";
const WORDS: &[&str] = &[
    "impresora",
    "tóner",
    "correo",
    "contraseña",
    "red",
    "wifi",
    "VPN",
    "portátil",
    "pantalla",
    "teclado",
    "licencia",
    "Office",
    "SIGEP",
    "SECOP",
    "escáner",
    "cámara",
    "acceso",
    "carpeta",
    "respaldo",
    "virus",
];

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Message `i`: a new request, or (every third) a reply to an earlier one.
fn message(i: usize) -> Vec<u8> {
    let sender = format!("funcionario{}@villaesperanza.gov.co", i % 500);
    let w = |k: usize| WORDS[(i * 7 + k * 13) % WORDS.len()];
    let threading =
        if i % 3 == 2 { format!("In-Reply-To: <m{}@villaesperanza.gov.co>\r\n", i - 1) } else { String::new() };
    format!(
        "From: Funcionario {n} <{sender}>\r\nTo: {SUPPORT}\r\nSubject: =?UTF-8?Q?Problema_con_{a}?=\r\n\
         Message-ID: <m{i}@villaesperanza.gov.co>\r\n{threading}Date: Thu, 26 Nov 2026 08:00:00 -0500\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         Buenos días, tengo un problema con {a} y {b} desde la mañana. La {c} tampoco funciona.\r\n\
         Quedo atento.\r\n\r\n-- \r\nFuncionario {n}\r\nSecretaría de Hacienda\r\n",
        n = i % 500,
        a = w(1),
        b = w(2),
        c = w(3),
    )
    .into_bytes()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx].as_secs_f64() * 1000.0
}

fn main() {
    let mails = env_usize("MESA_BENCH_MAILS", 10_000);
    let processes = env_usize("MESA_BENCH_MAIL_PROCESSES", 200);
    let clients = env_usize("MESA_BENCH_MAIL_CLIENTS", 4).max(1);
    let which = std::env::var("MESA_BENCH_DB").unwrap_or_else(|_| "both".into());
    let mut kinds = vec![];
    if which != "postgres" {
        kinds.push(Db::Sqlite);
    }
    if which != "sqlite" && std::env::var("MESA_TEST_POSTGRES_URL").is_ok() {
        kinds.push(Db::Postgres);
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    for kind in kinds {
        rt.block_on(run(kind, mails, 1, processes));
        if clients > 1 {
            rt.block_on(run(kind, mails, clients, 0));
        }
    }
}

async fn run(kind: Db, mails: usize, clients: usize, processes: usize) {
    let db = TestDb::new(kind).await;
    let store = Store::open(db.data_path(), db.database_url.as_deref()).await.unwrap();
    let identity = MailIdentity {
        address: SUPPORT.into(),
        display_name: "Mesa".into(),
        public_url: "https://mesa.villaesperanza.gov.co".into(),
    };
    let desk =
        Desk::new(store, BlobStore::new(db.data_path()), DeskSettings { mail: Some(identity), ..Default::default() });
    let corpus: Arc<Vec<Vec<u8>>> = Arc::new((0..mails).map(message).collect());
    let bytes: usize = corpus.iter().map(Vec::len).sum();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..clients {
        let (desk, corpus) = (desk.clone(), corpus.clone());
        tasks.push(tokio::spawn(async move {
            let (mut latencies, mut created, mut appended) = (Vec::new(), 0usize, 0usize);
            for raw in corpus.iter().skip(client).step_by(clients) {
                let t = Instant::now();
                match desk.ingest_mail("soporte", raw).await.expect("ingest") {
                    IngestOutcome::Created { .. } => created += 1,
                    IngestOutcome::Appended { .. } => appended += 1,
                    other => panic!("{other}"),
                }
                latencies.push(t.elapsed());
            }
            (latencies, created, appended)
        }));
    }
    let (mut latencies, mut created, mut appended) = (Vec::new(), 0, 0);
    for task in tasks {
        let (l, c, a) = task.await.unwrap();
        latencies.extend(l);
        created += c;
        appended += a;
    }
    let wall = start.elapsed();
    latencies.sort();
    assert_eq!(created + appended, mails);
    let queued = desk.store().outbox(100_000).await.unwrap().len();
    println!(
        "[{kind:?}] in-process ingest, {clients} ingester(s): {mails} messages ({:.1} MiB) in {:.1} s = {:.0} messages/s; \
         created {created}, appended {appended}; per message p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {queued} mails queued",
        bytes as f64 / 1048576.0,
        wall.as_secs_f64(),
        mails as f64 / wall.as_secs_f64(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0),
    );

    // The same code path behind the MTA pipe: one `mesa mail ingest` process per message.
    let bin = env!("CARGO_BIN_EXE_mesa");
    let start = Instant::now();
    for i in 0..processes {
        let mut child = Command::new(bin)
            .args(["mail", "ingest", "--mailbox", "pipe", "--mail-from", SUPPORT])
            .args(db.cli_args())
            .env("MESA_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&message(mails + i)).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
    }
    let wall = start.elapsed();
    if processes > 0 {
        println!(
            "[{kind:?}] `mesa mail ingest` processes: {processes} in {:.1} s = {:.0} messages/s ({:.1} ms per process)",
            wall.as_secs_f64(),
            processes as f64 / wall.as_secs_f64(),
            wall.as_secs_f64() * 1000.0 / processes as f64
        );
    }
}
